"""cgo-sync: the generated sync binding; `concurrency` Rust threads each make blocking
calls into the generated Go callee."""

from __future__ import annotations

from rust2go.codegen.diagnostics import DiagnosticError
from rust2go.runtime.loadtest import cache
from rust2go.runtime.loadtest.contract import LoadMethod
from rust2go.runtime.loadtest.harness_idl import harness_idl
from rust2go.runtime.loadtest.transports import cgo_crate
from rust2go.runtime.loadtest.transports.base import Harness, Log, Transport, Unavailable


class CgoSync(Transport):
    name = "cgo-sync"
    main_template = "cgo_sync_main.rs.j2"

    def probe(self, lm: LoadMethod) -> None:
        from rust2go.codegen.emit import emit_all  # noqa: F401  (the sync back end exists)

    def build(self, lm: LoadMethod, log: Log) -> Harness:
        idl = harness_idl(lm)
        directory = cache.harness_dir(self.name, idl)
        main_rs = cgo_crate.render(self.main_template, **cgo_crate.method_values(lm, self.name))
        try:
            crate = cgo_crate.write_crate(directory, lm, self.name, idl, main_rs)
        except DiagnosticError as err:
            raise Unavailable(f"the generator cannot emit {lm.qualified}: {err}") from None
        binary = cgo_crate.build_crate(directory, crate, log)
        return Harness([str(binary)], directory=directory,
                       notes=["latency: per call in the Rust caller (Instant), log-bucket histogram"])  # fmt: skip
