"""The daemon's log: one call per event, printed for people or, with --json, as one JSON
object per line for tools (`{"ts": …, "event": "regenerated", …}`).

Human lines go to stderr, next to the diagnostics that `rust2go check` also prints there.
JSON lines go to stdout so that a tool reading them gets nothing else on that stream.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any, TextIO


class EventLog:
    def __init__(self, json_lines: bool = False, stream: TextIO | None = None,
                 color: bool = False):  # fmt: skip
        self.json_lines = json_lines
        self.stream = stream or (sys.stdout if json_lines else sys.stderr)
        self.color = color
        self._lock = threading.Lock()  # worker, then-runner and main thread all log

    def event(self, kind: str, message: str, detail: str = "", **fields: Any) -> None:
        """`message` is the human line; `detail` (e.g. rendered diagnostics) follows it;
        `fields` are the machine-readable facts, which JSON lines carry instead."""
        if self.json_lines:
            record = {"ts": round(time.time(), 3), "event": kind, **fields}
            if detail:
                record["detail"] = detail
            line = json.dumps(record, default=str) + "\n"
        else:
            stamp = time.strftime("%H:%M:%S")
            line = f"[{stamp}] {message}\n" + detail
        with self._lock:
            try:
                self.stream.write(line)
                self.stream.flush()
            except (BrokenPipeError, ValueError):
                pass  # reader went away (or stream closed at exit): never crash the daemon
