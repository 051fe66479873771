"""python-shm: Python caller tasks (py_driver, a child of the runner) and a Python callee
process (py_callee) over the issue-5 runtime. The IDL gives the contract and the method
id; messages use the raw format in wire.py, not the #[mem] payload encoding."""

from __future__ import annotations

import sys

from rust2go.loadtest.contract import LoadMethod
from rust2go.loadtest.transports.base import Harness, Log, RunSpec, Transport, Unavailable


class PythonShm(Transport):
    name = "python-shm"
    cross_process = True
    cancellable = True
    has_ring = True
    uses_shm = True

    def __init__(self) -> None:
        self.method_id = 0

    def probe(self, lm: LoadMethod) -> None:
        try:
            from rust2go.runtime import ShmCallee, ShmCaller  # noqa: F401
        except ImportError as e:
            raise Unavailable(f"the Python shm runtime does not import: {e}") from None

    def build(self, lm: LoadMethod, log: Log) -> Harness:
        self.method_id = lm.method.index
        return Harness([sys.executable, "-m", "rust2go.loadtest.py_driver"],
                       notes=["latency: perf_counter_ns per call in the Python driver "
                              "(no Rust harness on this path), same log-bucket histogram"])  # fmt: skip

    def run_args(self, spec: RunSpec) -> list[str]:
        args = super().run_args(spec) + ["--method-id", str(self.method_id)]
        if spec.cancel_rate:
            args += ["--cancel-rate", str(spec.cancel_rate)]
        if spec.kill_peer_at is not None:
            args += ["--kill-peer-at", str(spec.kill_peer_at)]
        if spec.ring_size:
            args += ["--ring-size", str(spec.ring_size)]
        return args
