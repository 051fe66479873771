"""Emission of the shm pieces (substrings, not snapshots)."""

from __future__ import annotations

import dataclasses

from rust2go.codegen.api import GenerateOptions, generate_source, load_program
from rust2go.codegen.emit.shm_files import go_layout, go_sections, rust_layout, rust_sections
from rust2go.codegen.lower.shm_split import cgo_part
from rust2go.codegen.source import SourceFile
from rust2go.shm import layout as L
from tests.shm_codegen.py_peer import IDL

MIXED = """
pub struct P { pub x: i32 }
#[r2g]
pub trait Mixed {
    fn plain(a: u64) -> u64;
    #[mem]
    fn fast(p: P) -> P;
}
"""


def test_shm_methods_are_generated_beside_the_cgo_ones():
    out = generate_source(SourceFile("mixed.rs", MIXED), GenerateOptions(fmt=False))
    go, rust = out.go, out.rust
    assert "pub struct MixedShm" in rust and "pub fn fast(&self, p: P)" in rust
    assert "fn plain(a: u64) -> u64;" in rust  # the cgo trait keeps its other methods
    assert "type MixedShm interface" in go and "fast(p *P) P" in go
    assert "//export r2g_shm_serve_v" in go and "sem_timedwait" in go
    # The original's static API: MixedImpl::fast goes over the process-wide segment, with
    # no cgo export of its own.
    assert "r2g_shm::plain_value(r2g_mem_Mixed().fast(p)" in rust
    assert "_4fast_h" not in go.split('import "C"')[1].split("r2g_shm_serve")[0]


def test_cgo_part_drops_only_shm_methods():
    program = load_program(IDL)
    assert [m.name for t in cgo_part(program).traits for m in t.methods] == []
    plain = dataclasses.replace(program, traits=cgo_part(program).traits)
    assert (go_sections(plain), rust_sections(plain)) == ("", "")  # no shm methods: no sections


def test_one_import_block_with_the_shm_callee_packages():
    """The shm sections' imports join the cgo part's in the one import block gofmt sorts,
    and their C declarations end the cgo preamble, placed there by the view model."""
    go = generate_source(SourceFile("mixed.rs", MIXED), GenerateOptions()).go
    head, _, rest = go.partition('import "C"\n')
    assert rest.count("import (") == 1 and "sem_timedwait" in head
    block = rest.split("import (\n", 1)[1].split(")", 1)[0].split()
    assert block == sorted(block) and '"fmt"' in block and '"encoding/binary"' in block


def test_constants_are_the_layout_numbers():
    rust, go = rust_layout(), go_layout()
    assert f"pub const HEADER_SIZE: usize = {L.HEADER.size};" in rust
    assert f"pub const MAGIC: u64 = {L.MAGIC:#x};" in rust
    assert f"pub const CELL_STATUS: usize = {L.CELL.offset('status')};" in rust
    assert f"r2g_shm_SLOT_STATE_ABANDONED uint32 = {int(L.SlotState.ABANDONED)}" in go
    assert 'r2g_shm_CALLEE_DOORBELL_SUFFIX string = ".wake-callee"' in go


def test_go_server_builds_in_a_fresh_directory(tmp_path):
    """`--go-server` in a directory with no go.mod above it writes one, so `go build`
    works as the docs say (the sidecar example's IDL and Go impl, nothing else)."""
    from pathlib import Path

    from tests.e2e.crates import run, rust2go

    example = Path(__file__).parents[2] / "examples" / "sidecar"
    server = tmp_path / "my server"
    server.mkdir()
    (server / "impl.go").write_text((example / "server" / "impl.go").read_text())
    out = rust2go("generate", example / "idl" / "kv.rs", "--go-out", server / "gen.go",
                  "--without-main", "--go-server", server / "server.go", cwd=tmp_path)  # fmt: skip
    assert (server / "go.mod").read_text() == "module my_server\n\ngo 1.21\n", out.stdout
    assert f"wrote {server / 'go.mod'}" in out.stdout
    run(["go", "build", "-o", "server", "."], server)
    again = rust2go("generate", example / "idl" / "kv.rs", "--go-server", server / "server.go",
                    cwd=tmp_path)  # fmt: skip
    assert "go.mod" not in again.stdout  # a go.mod is there now: it is the user's
