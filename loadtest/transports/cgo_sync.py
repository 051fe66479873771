"""cgo-sync: the generated sync binding; `concurrency` Rust threads each make blocking
calls into the generated Go callee."""

from __future__ import annotations

from rust2go.loadtest.contract import LoadMethod
from rust2go.loadtest.transports import cgo_crate
from rust2go.loadtest.transports.base import Harness, Log, Transport


class CgoSync(Transport):
    name = "cgo-sync"
    main_template = "cgo_sync_main.rs.j2"

    def probe(self, lm: LoadMethod) -> None:
        from rust2go.codegen.emit import emit_all  # noqa: F401  (the sync back end exists)

    def build(self, lm: LoadMethod, log: Log) -> Harness:
        main_rs = cgo_crate.render(self.main_template, **cgo_crate.method_values(lm, self.name))
        directory, binary = cgo_crate.build_harness(lm, self.name, main_rs, log)
        return Harness([str(binary)], directory=directory,
                       notes=["latency: per call in the Rust caller (Instant), log-bucket histogram"])  # fmt: skip
