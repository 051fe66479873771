"""One load run: contract -> transport probe -> cached harness build -> run the harness,
read its JSON stats stream (ticks, then one summary) -> after-run checks -> Report."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rust2go.codegen.api import load_program
from rust2go.loadtest import hygiene
from rust2go.loadtest.contract import check_contract
from rust2go.loadtest.machine import machine_facts
from rust2go.loadtest.report import Report
from rust2go.loadtest.transports import DEFAULT_METHOD, REGISTRY, Transport
from rust2go.loadtest.transports.base import RunSpec

DEFAULT_IDL = Path(__file__).resolve().parent / "idl" / "load.rs"
GRACE_S = 120.0  # beyond the planned duration before the harness is killed


class UsageError(Exception):
    """Options that make no sense for the chosen transport (exit status 2)."""


class RunFailed(Exception):
    """The harness did not produce a summary (crash, timeout)."""


@dataclass(frozen=True)
class Target:
    idl: Path
    method: str


def resolve_target(transport: str, idl: str | None, method: str | None) -> Target:
    if idl is None:
        return Target(DEFAULT_IDL, method or DEFAULT_METHOD[transport])
    if method is None:
        raise UsageError("--method is required with --idl")
    return Target(Path(idl), method)


def check_options(t: Transport, spec: RunSpec) -> None:
    if spec.cancel_rate and not t.cancellable:
        raise UsageError(
            f"--cancel-rate needs an async transport; {t.name} calls cannot be dropped"
        )
    if spec.kill_peer_at is not None and not t.cross_process:
        raise UsageError(f"--kill-peer-at needs a cross-process transport; {t.name} runs Go "
                         "in the caller's process")  # fmt: skip
    if spec.ring_size is not None and not t.has_ring:
        raise UsageError(f"--ring-size needs a shared-memory transport; {t.name} has no ring")
    if spec.ring_size is not None and (spec.ring_size < 2 or spec.ring_size & (spec.ring_size - 1)):
        raise UsageError("--ring-size must be a power of two >= 2")


def prepare(spec: RunSpec, target: Target, log: Callable[[str], None]):
    """Everything before the run; raises DiagnosticError, ContractError, UsageError,
    Unavailable or BuildFailed."""
    transport = REGISTRY[spec.transport]()
    check_options(transport, spec)
    lm = check_contract(load_program(target.idl), target.method, spec.transport)
    transport.probe(lm)
    return transport, lm, transport.build(lm, log)


def run(spec: RunSpec, target: Target, *, log: Callable[[str], None] = lambda s: None,
        on_tick: Callable[[dict], None] = lambda t: None) -> Report:  # fmt: skip
    transport, lm, harness = prepare(spec, target, log)
    argv = harness.argv + transport.run_args(spec)
    # Every callee (Go in process, Go server, Python peer) reads its service time here.
    env = {**os.environ, **harness.env, "R2G_LOADTEST_SERVICE_NS": str(spec.service_us * 1000)}
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)  # fmt: skip
    stderr = deque(maxlen=40)
    drain = threading.Thread(target=lambda: stderr.extend(proc.stderr), daemon=True)
    drain.start()
    budget = (spec.duration or 0) + GRACE_S + (spec.calls or 0) / 1000
    watchdog = threading.Timer(budget, proc.kill)
    watchdog.start()
    ticks, summary = [], None
    try:
        for line in proc.stdout:
            event = json.loads(line)
            if event.get("type") == "tick":
                ticks.append(event)
                on_tick(event)
            elif event.get("type") == "summary":
                summary = event
        proc.wait()
    finally:
        watchdog.cancel()
        drain.join(5)
    if summary is None or proc.returncode != 0:
        tail = "".join(stderr).strip()
        raise RunFailed(f"{spec.transport} harness exited with status {proc.returncode} "
                        f"without {'a summary' if summary is None else 'success'}:\n{tail}")  # fmt: skip
    # Every OS object named after a process of this run must be gone by now.
    left = hygiene.leftovers(set(), {proc.pid, *summary.get("peer_pids", [])})
    return Report(spec=spec, idl=str(target.idl), method=lm.qualified, summary=summary,
                  ticks=ticks, machine=machine_facts(), notes=harness.notes,
                  harness_dir=str(harness.directory) if harness.directory else None,
                  shm_leftovers=left)  # fmt: skip
