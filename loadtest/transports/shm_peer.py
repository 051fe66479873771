"""shm-inproc / shm-xproc: the generated shared-memory caller ({Trait}Shm) with the
generated Go callee — linked into the harness (in process: one cgo call at start-up), or
the generated `--go-server` process that the harness starts, SIGKILLs (--kill-peer-at) and
restarts itself. `concurrency` tokio tasks (2 workers) await the async method. After the
run the harness waits for every slot to come back (ABANDONED ones included), drops the
client and stops the server; it reports slots not FREE and a segment left in /dev/shm."""

from __future__ import annotations

import os
import subprocess
import sys

from rust2go.loadtest import cache
from rust2go.loadtest.contract import LoadMethod
from rust2go.loadtest.transports import cgo_crate
from rust2go.loadtest.transports.base import Harness, Log, RunSpec, Transport, Unavailable
from rust2go.loadtest.transports.cgo_async import cargo_toml


class ShmPeer(Transport):
    cancellable = True
    has_ring = True
    uses_shm = True

    def probe(self, lm: LoadMethod) -> None:
        if not (lm.method.shm or lm.trait.shm):
            raise Unavailable(f"{lm.qualified} is not a #[mem] method (shm transports need one)")

    def build(self, lm: LoadMethod, log: Log) -> Harness:
        values = cgo_crate.method_values(lm, self.name)
        main_rs = cgo_crate.render("shm_main.rs.j2", **values)
        directory, binary = cgo_crate.build_harness(lm, self.name, main_rs, log, cargo_toml)
        argv = [str(binary)]
        if self.cross_process:
            argv += ["--server", str(self.build_server(directory, log))]
        return Harness(argv, directory=directory, notes=[
            "latency: per call in the awaiting tokio task (Instant), log-bucket histogram; "
            "2 tokio workers; --ring-size sets the slot count (rings sized to match)"])  # fmt: skip

    def build_server(self, directory, log: Log):
        """The generated standalone Go server of the same harness IDL (--go-server)."""
        server = directory / "server"
        binary = server / "server"
        if binary.exists():
            return binary
        server.mkdir(exist_ok=True)
        for rel in ("go.mod", "impl.go"):
            cgo_crate.write_if_changed(server / rel, (directory / "go" / rel).read_text())
        log(f"building the Go server in {server}")
        env = {"GOCACHE": str(cache.go_cache()), "GOFLAGS": "-mod=mod"}
        for cmd in ([sys.executable, "-m", "rust2go", "generate", str(directory / "harness.idl.rs"),
                     "--go-out", "gen.go", "--without-main", "--go-server", "main.go"],
                    ["go", "build", "-o", "server.tmp", "."]):  # fmt: skip
            r = subprocess.run(cmd, cwd=server, capture_output=True, text=True,
                               env={**os.environ, **env})  # fmt: skip
            if r.returncode != 0:
                raise cgo_crate.BuildFailed(f"{' '.join(cmd)} failed:\n{r.stderr[-3000:]}")
        (server / "server.tmp").replace(binary)
        return binary

    def run_args(self, spec: RunSpec) -> list[str]:
        args = super().run_args(spec)
        if spec.cancel_rate:
            args += ["--cancel-ppm", str(round(spec.cancel_rate * 1_000_000))]
        if spec.ring_size:
            args += ["--ring-size", str(spec.ring_size)]
        if spec.kill_peer_at is not None:
            args += ["--kill-at-ms", str(round(spec.kill_peer_at * 1000))]
        return args


class ShmInproc(ShmPeer):
    name = "shm-inproc"


class ShmXproc(ShmPeer):
    name = "shm-xproc"
    cross_process = True
