"""The layout is consistent data; vectors and docs are generated from it and up to date."""

from __future__ import annotations

from pathlib import Path

from rust2go.shm import docs_render, vectors
from rust2go.shm import layout as L
from rust2go.shm.records import unpack

ROOT = Path(__file__).resolve().parents[2]


def test_records_fit_and_do_not_overlap():
    for rec in L.RECORDS:
        end = 0
        for f in sorted(rec.fields, key=lambda f: f.offset):
            align = 1 if f.kind in ("name", "inline") else f.size  # bytes
            assert f.offset % align == 0, f"{rec.name}.{f.name} misaligned"
            assert f.offset >= end, f"{rec.name}.{f.name} overlaps"
            end = f.offset + f.size
        assert end <= rec.size


def test_hot_words_sit_on_their_own_cache_lines():
    line = lambda rec, f: rec.offset(f) // L.CACHE_LINE  # noqa: E731
    assert line(L.RING, "enqueue_pos") != line(L.RING, "dequeue_pos")
    assert line(L.HEADER, "callee_parked") != line(L.HEADER, "caller_parked")
    assert line(L.HEADER, "callee_parked") != line(L.HEADER, "magic")
    assert L.SLOT.size == L.CACHE_LINE


def test_atomic_words_name_real_fields():
    by_name = {r.name: r for r in L.RECORDS}
    for rec, field in L.ATOMIC_WORDS:
        by_name[rec].field(field)


def test_transitions_use_enum_states():
    slot_states = {s.name for s in L.SlotState}
    for t in L.TRANSITIONS:
        if t.machine == "slot":
            assert {t.src, t.dst} <= slot_states


def test_golden_vectors_are_current():
    for name, build in vectors.VECTORS.items():
        assert (ROOT / "tests/shm/vectors" / name).read_bytes() == build(), name


def test_golden_header_decodes_to_its_fields():
    h = unpack(L.HEADER, (ROOT / "tests/shm/vectors/header.bin").read_bytes())
    assert h["magic"].to_bytes(8, "little") == b"R2GOSHM\0"
    assert (h["slot_count"], h["callee_pid"], h["caller_pid"]) == (4, 1234, 5678)
    assert h["request_ring_offset"] == 256
    assert (h["contract"], h["idl_name"]) == (0x0123_4567_89AB_CDEF, b"kv.rs".ljust(24, b"\0"))


def test_docs_tables_are_current():
    doc = (ROOT / "docs/shm-layout.md").read_text()
    assert docs_render.render() in doc, "run: python -m rust2go.shm.docs_render"
