"""Emission of the shm sections (substrings, not snapshots): shm methods leave the cgo
half, the constants are the layout's numbers, Python output is valid and lint-clean."""

from __future__ import annotations

from rust2go.codegen.api import GenerateOptions, generate_source
from rust2go.codegen.source import SourceFile
from rust2go.shm import layout as L

IDL = """
pub struct P { pub x: i32 }
#[r2g]
pub trait Mixed {
    fn plain(a: u64) -> u64;
    #[mem]
    fn fast(p: P) -> P;
}
"""


def outputs():
    return generate_source(SourceFile("mixed.rs", IDL), GenerateOptions(fmt=False))


def test_shm_methods_are_not_cgo_exports():
    out = outputs()
    assert "fn plain(" in out.rust and "fn fast(" not in out.rust
    assert "plain(a *uint64)" in out.go and "fast(" not in out.go


def test_constants_are_the_layout_numbers():
    out = outputs()
    assert f"pub const HEADER_SIZE: usize = {L.HEADER.size};" in out.rust
    assert f"pub const MAGIC: u64 = {L.MAGIC:#x};" in out.rust
    assert f"pub const CELL_STATUS: usize = {L.CELL.offset('status')};" in out.rust
    assert f"r2g_shm_SLOT_STATE_ABANDONED uint32 = {int(L.SlotState.ABANDONED)}" in out.go
    assert 'r2g_shm_CALLEE_DOORBELL_SUFFIX string = ".wake-callee"' in out.go


def test_programs_without_shm_methods_get_no_shm_section():
    out = generate_source(SourceFile("p.rs", "#[r2g]\npub trait T { fn f(a: u8); }\n"),
                          GenerateOptions(fmt=False))  # fmt: skip
    assert "r2g_shm" not in out.go and "r2g_shm" not in out.rust
