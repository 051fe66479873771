"""cgo-async: the generated async binding; `concurrency` tokio tasks (multi-thread runtime,
2 workers) each await calls into the generated Go callee. With --cancel-rate a fraction of
the futures is dropped at a random moment (before the first poll, right after it, or by a
timeout racing Go); the harness then waits for the binding's live-slot counter to return
to zero and fails the run if it does not."""

from __future__ import annotations

from rust2go.loadtest.contract import LoadMethod
from rust2go.loadtest.transports import cgo_crate
from rust2go.loadtest.transports.base import Harness, Log, RunSpec, Transport

TOKIO = 'tokio = { version = "1", default-features = false, features = ["rt", "rt-multi-thread", "time"] }'


def cargo_toml(crate: str) -> str:
    """The shared harness manifest plus tokio (the caller's executor, not the binding's)."""
    base = cgo_crate.render("Cargo.toml.j2", crate=crate)
    return base.replace("[workspace]\n", f"[workspace]\n\n[dependencies]\n{TOKIO}\n", 1)


class CgoAsync(Transport):
    name = "cgo-async"
    cancellable = True

    def probe(self, lm: LoadMethod) -> None:
        from rust2go.codegen.emit import emit_all  # noqa: F401  (the async back end exists)

    def build(self, lm: LoadMethod, log: Log) -> Harness:
        values = cgo_crate.method_values(lm, self.name)
        values["unsafe_call"] = "unsafe " if lm.method.unsafe else ""
        values["unsafe_method"] = "true" if lm.method.unsafe else "false"
        main_rs = cgo_crate.render("cgo_async_main.rs.j2", **values)
        directory, binary = cgo_crate.build_harness(lm, self.name, main_rs, log, cargo_toml)
        return Harness([str(binary)], directory=directory,
                       notes=["latency: per call in the awaiting tokio task (Instant), "
                              "log-bucket histogram; 2 tokio workers"])  # fmt: skip

    def run_args(self, spec: RunSpec) -> list[str]:
        args = super().run_args(spec)
        if spec.cancel_rate:
            args += ["--cancel-ppm", str(round(spec.cancel_rate * 1_000_000))]
        return args
