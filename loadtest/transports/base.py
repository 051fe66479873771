"""What a transport is to the runner: a probe (is its path generated yet?), a build
(cached harness), and the command that runs it and streams JSON stats lines.

A new path plugs in by adding one module to transports/ and one entry to REGISTRY in
transports/__init__.py; the runner, report and tests need no change."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rust2go.loadtest.contract import LoadMethod


class Unavailable(Exception):
    """This transport's call path does not exist (yet); str() says why."""


@dataclass(frozen=True)
class RunSpec:
    transport: str
    concurrency: int
    payload: int
    duration: float | None  # seconds; None when `calls` is set
    calls: int | None
    cancel_rate: float = 0.0
    kill_peer_at: float | None = None
    ring_size: int | None = None
    service_us: int = 0  # simulated handler work per call, in the callee
    interval_ms: int = 250
    warmup: float = 0.0  # seconds at the start left out of the headline figures


@dataclass
class Harness:
    """A built harness: run `argv` (+ the run arguments) with `env`; it prints the stream."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    directory: Path | None = None
    notes: list[str] = field(default_factory=list)  # shown in the report (e.g. how timed)


Log = Callable[[str], None]


class Transport(ABC):
    name: str = ""
    cross_process: bool = False  # --kill-peer-at applies
    cancellable: bool = False  # --cancel-rate applies
    has_ring: bool = False  # --ring-size applies
    uses_shm: bool = False  # check /dev/shm and slots after the run

    @abstractmethod
    def probe(self, lm: LoadMethod) -> None:
        """Raise Unavailable when the path is not generated yet."""

    @abstractmethod
    def build(self, lm: LoadMethod, log: Log) -> Harness:
        """Generate and build (or reuse) the harness for this method."""

    def run_args(self, spec: RunSpec) -> list[str]:
        args = ["--concurrency", str(spec.concurrency), "--payload", str(spec.payload),
                "--interval-ms", str(spec.interval_ms)]  # fmt: skip
        if spec.calls is not None:
            args += ["--calls", str(spec.calls)]
        else:
            args += ["--duration-ms", str(int(spec.duration * 1000))]
        return args
