"""Harness for the watch daemon tests: a throw-away project, and the daemon as a real
subprocess (`python -m rust2go watch --json`) whose JSON log lines are collected by a
reader thread, so tests wait on events and counters instead of sleeping.

Counting regenerations exactly: a save is "done" once the outputs equal what the real
generator makes of the final IDL *and* the regeneration counter has moved. Any extra
regeneration for that save (one on a half-written or missing IDL) would have come before
the final one and is therefore already counted at that point; later duplicate events
carry the same content and are stopped by the daemon's input hash.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rust2go.codegen.api import GenerateOptions, generate
from rust2go.daemon.control import send_command
from rust2go.daemon.runtime_files import runtime_files

DEADLINE = 20.0  # generous: a loaded 2-core machine, cold imports, gofmt/rustfmt runs
REGEN_EVENTS = ("regenerated", "error")


def idl_text(version: int, extra_field: str = "") -> str:
    """A small valid IDL; every version yields different bindings."""
    return f"""pub mod binding {{
    rust2go::r2g_include_binding!();
}}

#[derive(rust2go::R2G, Clone, Debug)]
pub struct Request {{
    pub id: u32,
    pub v{version}: u64,{extra_field}
}}

#[rust2go::r2g]
pub trait Service {{
    fn call(req: &Request) -> u32;
}}
"""


BAD_IDL = idl_text(0).replace("pub id: u32", "pub id: Strng")


def wait_until(pred: Callable[[], object], what: str, timeout: float = DEADLINE) -> object:
    """Poll `pred` until it returns something truthy; fail naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)


@dataclass
class Project:
    root: Path
    options: GenerateOptions = field(default_factory=lambda: GenerateOptions(go_package="main"))

    @property
    def config(self) -> Path:
        return self.root / "rust2go.toml"

    @property
    def idl(self) -> Path:
        return self.root / "idl" / "user.rs"

    @property
    def go(self) -> Path:
        return self.root / "go" / "gen.go"

    @property
    def rust(self) -> Path:
        return self.root / "src" / "gen.rs"

    def write_config(self, watch: str = "") -> None:
        """The standard config; `watch` adds lines to its [watch] table."""
        self.config.write_text(
            '[[input]]\nidl = "idl/user.rs"\ngo = "go/gen.go"\nrust = "src/gen.rs"\n\n'
            f"[watch]\npoll_ms = 100\n{watch}"
        )

    def expected(self) -> tuple[str, str]:
        out = generate(self.idl, self.options)
        return out.go, out.rust

    def outputs(self) -> tuple[str | None, str | None]:
        return read_or_none(self.go), read_or_none(self.rust)

    def outputs_current(self) -> bool:
        try:
            return self.outputs() == self.expected()
        except Exception:  # IDL mid-save or invalid: not current
            return False

    def temp_files(self) -> list[Path]:
        return [p for p in self.root.rglob("*") if ".rust2go-" in p.name]


def read_or_none(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None


class Daemon:
    """A `rust2go watch --json` subprocess and the log events it has printed so far."""

    def __init__(self, project: Project, *args: str, env: dict[str, str]):
        self.project = project
        self.events: list[dict] = []
        self._cond = threading.Condition()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rust2go", "watch", "--json", *args],
            cwd=project.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        self.stderr: list[str] = []
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        for line in self.proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                event = {"event": "non-json", "line": line}
            with self._cond:
                self.events.append(event)

    def _read_stderr(self) -> None:
        for line in self.proc.stderr:
            self.stderr.append(line)

    def count(self, *kinds: str) -> int:
        with self._cond:
            return sum(e.get("event") in kinds for e in self.events)

    def of(self, kind: str) -> list[dict]:
        with self._cond:
            return [e for e in self.events if e.get("event") == kind]

    @property
    def regenerations(self) -> int:
        return self.count(*REGEN_EVENTS)

    def wait_event(self, kind: str, n: int = 1) -> None:
        wait_until(lambda: self.count(kind) >= n or self.proc.poll() is not None, f"{kind!r} x{n}")
        assert self.count(kind) >= n, f"daemon exited early: {self.proc.returncode}\n{self.log()}"

    def wait_ready(self) -> Daemon:
        self.wait_event("ready")
        return self

    def status(self) -> dict:
        return send_command(runtime_files(self.project.root, create=False).socket, "status")

    def settle_after(self, base: int) -> None:
        """Wait until the outputs match the IDL and a regeneration beyond `base` happened."""
        wait_until(lambda: self.regenerations > base and self.project.outputs_current(),
                   "outputs to match the IDL")  # fmt: skip
        wait_until(lambda: self.status()["idle"], "daemon idle")

    def terminate(self, sig: int = signal.SIGTERM, timeout: float = 5.0) -> float:
        """Send `sig`; return how long the process took to exit."""
        t0 = time.monotonic()
        self.proc.send_signal(sig)
        self.proc.wait(timeout)
        return time.monotonic() - t0

    def log(self) -> str:
        return "".join(json.dumps(e) + "\n" for e in self.events) + "".join(self.stderr)


def make_project(root: Path, version: int = 1) -> Project:
    project = Project(root)
    project.idl.parent.mkdir(parents=True)
    project.idl.write_text(idl_text(version))
    project.write_config()
    return project
