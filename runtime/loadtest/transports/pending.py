"""Transports whose generated path has not landed yet (issue #6). The probe asks
the real generator; these stay Unavailable — with the generator's own reason — until a
harness module replaces them in the registry. Never a stand-in implementation."""

from __future__ import annotations

from rust2go.codegen.diagnostics import DiagnosticError
from rust2go.runtime.loadtest.contract import LoadMethod
from rust2go.runtime.loadtest.harness_idl import harness_idl
from rust2go.runtime.loadtest.transports.base import Harness, Log, Transport, Unavailable


class Pending(Transport):
    issue = ""

    def probe(self, lm: LoadMethod) -> None:
        import tempfile
        from pathlib import Path

        from rust2go.codegen.api import GenerateOptions, generate

        with tempfile.TemporaryDirectory() as tmp:
            idl = Path(tmp) / "harness.idl.rs"
            idl.write_text(harness_idl(lm))
            try:
                generate(idl, GenerateOptions(fmt=False))
            except DiagnosticError as err:
                reason = "; ".join(d.message for d in err.diagnostics) or str(err)
                raise Unavailable(f"not generated yet ({self.issue}): {reason}") from None
        raise Unavailable(f"the generator emits {lm.qualified} now, but the {self.name} load "
                          "harness is not written yet (runtime/loadtest/transports/)")  # fmt: skip

    def build(self, lm: LoadMethod, log: Log) -> Harness:
        raise Unavailable(f"{self.name} is not available")


class ShmInproc(Pending):
    name = "shm-inproc"
    cancellable = True
    has_ring = True
    uses_shm = True
    issue = "issue #6, #[mem] methods in process"


class ShmXproc(Pending):
    name = "shm-xproc"
    cross_process = True
    cancellable = True
    has_ring = True
    uses_shm = True
    issue = "issue #6, #[mem] methods across processes (--go-server)"
