"""Golden payloads in Rust and Go (the Python codec's side is in test_python_peer.py).

Go: `go test` runs the generated handler on each request image (it must decode to the
expected value) and compares what the generated reply writer makes with the reply image;
with the same images it checks which methods are given their request copy to keep.
Rust: the peer binary calls the generated methods against a Python callee that records
the request bytes and answers with the reply image (it must decode to the expected
value). A copy of the images with one byte of string content changed must fail both."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from tests.e2e.crates import run
from tests.shm_codegen import vectors
from tests.shm_codegen.interop import serve_python
from tests.shm_codegen.py_peer import method_ids

REQUESTS = ("payload_echo_all", "payload_kinds")


def corrupted_copy(tmp_path: Path, *names: str) -> Path:
    shutil.copytree(vectors.DIR, tmp_path, dirs_exist_ok=True)
    for name in names:
        path = tmp_path / f"{name}.bin"
        path.write_bytes(vectors.corrupt(path.read_bytes()))
    return tmp_path


def go_test(peer_crate, vectors_dir: Path, monkeypatch, name: str = "TestGoldenPayloads") -> None:
    monkeypatch.setenv("R2G_VECTORS", str(vectors_dir))
    run(["go", "test", "-count=1", "-run", f"^{name}$", "."], peer_crate.dir / "go")


def test_go_reads_the_request_images_and_writes_the_reply_images(peer_crate, monkeypatch):
    go_test(peer_crate, vectors.DIR, monkeypatch)


def test_go_gives_owned_arguments_their_copy_and_reuses_borrowed_ones(peer_crate, monkeypatch):
    """peer/go/copies_test.go: what a method keeps of an owned argument never changes; a
    method whose viewing arguments are all borrowed (`&T`) leaves its copy for reuse."""
    go_test(peer_crate, vectors.DIR, monkeypatch, "TestRequestCopies")


def test_go_notices_a_changed_byte(peer_crate, monkeypatch, tmp_path):
    bad = corrupted_copy(tmp_path, "payload_kinds", "payload_echo_all_reply")
    with pytest.raises(AssertionError) as failed:
        go_test(peer_crate, bad, monkeypatch)
    assert "kinds request decodes to" in str(failed.value)  # the reader saw `iello`
    assert "echo_all reply: the Go writer gives" in str(failed.value)


def rust_golden(peer_crate, vectors_dir: Path) -> tuple[int, str, dict[str, bytes]]:
    """Run `golden` against a callee answering each golden method with its reply image."""
    names = {method_ids()[n.removeprefix("payload_")]: n for n in REQUESTS}
    seen: dict[str, bytes] = {}

    def handle(method: int, payload) -> bytes:
        seen[names[method]] = bytes(payload)
        return (vectors_dir / f"{names[method]}_reply.bin").read_bytes()

    argv = [str(peer_crate.binary), "golden", "{name}"]
    code, out = asyncio.run(serve_python(handle, argv, workers=1))
    return code, out, seen


def test_rust_writes_the_request_images_and_reads_the_reply_images(peer_crate, clean_shm):
    code, out, seen = rust_golden(peer_crate, vectors.DIR)
    assert code == 0, out
    assert "ok golden echo_all" in out and "ok golden kinds" in out
    for name in REQUESTS:
        assert seen[name] == (vectors.DIR / f"{name}.bin").read_bytes(), f"{name}: Rust wrote"


def test_rust_notices_a_changed_byte(peer_crate, clean_shm, tmp_path):
    code, out, _ = rust_golden(peer_crate, corrupted_copy(tmp_path, "payload_echo_all_reply"))
    assert code != 0 and "echo_all reply image" in out, out
