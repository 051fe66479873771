"""The fast-call package's stack switch, on its own: a Go program (no cgo, so it builds
for any GOARCH) calls a C-ABI assembly function through it from 8 goroutines while the
GC runs, natively on amd64 (with and without cgo's thread stacks) and under qemu for arm64.
Checks the results, the C stack alignment on entry, Go's zero register after the call,
a failure reported through CallChecked or CallNoFrame (the runtime fallback too)
reaching its handler's panic, and that the
start-up layout check accepts the running runtime."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bench.debian import ensure
from rust2go.codegen.emit.fastcall import fastcall_files
from tests.e2e.crates import need, tool_env

pytestmark = pytest.mark.e2e

FIXTURE = Path(__file__).parent / "fixtures" / "fastcall"


@pytest.fixture(scope="module")
def module(tmp_path_factory) -> Path:
    need("go")
    work = tmp_path_factory.mktemp("fastcall")
    shutil.copytree(FIXTURE, work, dirs_exist_ok=True)
    for rel, text in fastcall_files(fmt=True):
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text)
    return work


def build(module: Path, goarch: str, cgo: str) -> Path:
    exe = module / f"check-{goarch}-cgo{cgo}"
    env = dict(tool_env(), GOARCH=goarch, CGO_ENABLED=cgo, GOFLAGS="-mod=mod")
    r = subprocess.run(["go", "build", "-o", str(exe), "."], cwd=module, env=env,
                       capture_output=True, text=True, timeout=600)  # fmt: skip
    assert r.returncode == 0, r.stderr
    return exe


def run(cmd: list[str], **env: str) -> str:
    # A broken switch tends to hang (a lost return address loops): a minute is plenty.
    r = subprocess.run(cmd, env=dict(os.environ, **env), capture_output=True, text=True,
                       timeout=60)  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


@pytest.mark.parametrize("cgo", ["0", "1"])
def test_amd64_switches_and_calls_correctly(module, cgo):
    out = run([str(build(module, "amd64", cgo))], R2G_WANT_SWITCHING="true")
    assert "ok amd64 goroutines=8 calls=100000 switching=true" in out


def test_the_runtime_fallback_when_asked(module):
    out = run([str(build(module, "amd64", "0"))], R2G_FASTCALL="runtime",
              R2G_WANT_SWITCHING="false")  # fmt: skip
    assert "ok amd64 goroutines=8 calls=100000 switching=false" in out


def test_arm64_switches_and_calls_correctly_under_qemu(module):
    ensure("qemu-aarch64-static", lambda: shutil.which("qemu-aarch64-static") is not None,
           ["qemu-user-static"])  # fmt: skip
    exe = build(module, "arm64", "0")
    out = run(["qemu-aarch64-static", str(exe)], R2G_WANT_SWITCHING="true")
    assert "ok arm64 goroutines=8 calls=100000 switching=true" in out


@pytest.mark.parametrize("goarch", ["amd64", "arm64", "386", "riscv64"])
def test_the_package_vets_and_links_on_every_architecture(module, goarch):
    """Elsewhere than amd64/arm64 the package goes through runtime.asmcgocall; the link
    is where a bad reference into the runtime would show."""
    env = dict(tool_env(), GOARCH=goarch, CGO_ENABLED="0", GOFLAGS="-mod=mod")
    r = subprocess.run(["go", "vet", "./..."], cwd=module, env=env, capture_output=True,
                       text=True, timeout=600)  # fmt: skip
    assert r.returncode == 0, r.stderr
    build(module, goarch, "0")
