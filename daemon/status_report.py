"""What `rust2go status` shows: counters the worker keeps, and the snapshot the control
socket sends (plain JSON types only)."""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rust2go.daemon.service import WatchDaemon


@dataclass
class Counters:
    """Written by the worker only; read by the control thread (ints: no torn reads)."""

    batches: int = 0  # debounced batches handled
    regenerations: int = 0  # generator runs (successful or not)
    failures: int = 0  # generator runs that reported errors
    missing: int = 0  # times an IDL file was found missing
    writes: int = 0  # output files actually rewritten
    last_regeneration: float | None = None  # wall-clock time of the last successful run


def status_report(d: WatchDaemon) -> dict[str, Any]:
    targets = []
    for t in d.config.targets:
        s = d.states.get((t.idl, t.go, t.rust))
        targets.append({
            "idl": str(t.idl), "go": str(t.go) if t.go else None,
            "rust": str(t.rust) if t.rust else None,
            "state": s.result if s else "pending",
            "last_ok": s.last_ok if s else None,
            "last_ms": round(s.last_seconds * 1000, 1) if s and s.last_seconds is not None else None,
            "last_error": s.last_error if s else None,
        })  # fmt: skip
    then = d.then
    return {
        "pid": os.getpid(),
        "project": str(d.config.root),
        "config": str(d.config.path),
        "config_error": d.config_error,
        "uptime_s": round(time.time() - d.started, 1),
        "mode": "poll" if d.poll else "inotify",
        "watching": [str(p) for p in d.watching],
        "targets": targets,
        "counters": {**asdict(d.counters), "events": d.debouncer.recorded},
        "idle": d.ready.is_set() and d.debouncer.pending == 0,
        "then": None
        if then is None
        else {
            "command": then.command,
            "running": then.running,
            "runs": then.runs,
            "cancelled": then.cancelled,
            "last_exit": then.last_exit,
        },  # fmt: skip
        "log": str(d.files.log) if d.files.log.exists() else None,
    }
