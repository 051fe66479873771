"""check64, the reference: what every peer's implementation is held to (their tests read
tests/shm/vectors/check.json). Changes the algorithm promises to catch are caught."""

from __future__ import annotations

import json
import mmap
import random
from pathlib import Path

import pytest

from rust2go.shm import layout as L
from rust2go.shm import vectors
from rust2go.shm.check import check64
from rust2go.shm.geometry import plan
from rust2go.shm.hotpath import open_wire

FIELDS = dict(slot=5, generation=9, method=1, kind=L.CellKind.CALL, status=0)


def _check(payload: bytes, **over) -> int:
    f = {**FIELDS, **over}
    return check64(**f, length=len(payload), payload=payload)


@pytest.mark.parametrize("n", [1, 7, 8, 31, 32, 33, 100, 4096])
def test_every_single_byte_change_is_caught(n):
    rng = random.Random(n)
    payload = bytes(rng.randrange(256) for _ in range(n))
    base = _check(payload)
    for at in range(n) if n <= 100 else rng.sample(range(n), 200):
        b = bytearray(payload)
        b[at] ^= rng.randrange(1, 256)
        assert _check(bytes(b)) != base, at


def test_any_change_within_one_word_is_caught():
    rng = random.Random(1)
    payload = bytes(rng.randrange(256) for _ in range(64))
    base = _check(payload)
    for _ in range(500):
        b = bytearray(payload)
        w = rng.randrange(8) * 8
        b[w : w + 8] = rng.randbytes(8)
        if bytes(b) != payload:
            assert _check(bytes(b)) != base


@pytest.mark.parametrize("field", ["slot", "generation", "method", "kind", "status"])
def test_each_field_is_covered(field):
    payload = b"abc"
    assert _check(payload, **{field: FIELDS[field] ^ 1}) != _check(payload)


def test_length_is_covered_even_when_the_bytes_agree():
    # A trailing zero byte pads to the same words: only the length tells them apart.
    assert _check(b"ab") != _check(b"ab\0")
    assert _check(b"") != _check(b"\0" * 32)


def test_swapped_words_are_caught():
    payload = bytes(range(64))
    swapped = payload[8:16] + payload[:8] + payload[16:]
    assert _check(swapped) != _check(payload)


def test_payload_must_match_the_announced_length():
    with pytest.raises(ValueError, match="cell.length=4"):
        check64(**FIELDS, length=4, payload=b"abc")


def test_the_c_hot_path_computes_the_reference():
    """Wire.check (shm/_check.c) against every vector, and against the reference on
    random fields and payloads of every length up to two blocks and a half."""
    g = plan(2, 2, 2, 64, 64)
    buf = mmap.mmap(-1, g.segment_size)
    wire = open_wire(buf, g)
    try:
        rows = json.loads((Path(__file__).parent / "vectors" / "check.json").read_text())
        for r in rows:
            payload = vectors.check_payload(r["length"])
            got = wire.check(
                r["slot"], r["generation"], r["method"], r["kind"], r["status"], payload
            )
            assert f"{got:016x}" == r["check"], r
        rng = random.Random(7)
        for n in range(80):
            p = rng.randbytes(n)
            f = [rng.randrange(1 << 32) for _ in range(5)]
            slot, gen, method, kind, status = f
            want = check64(slot, gen, method, n, kind, status, p)
            assert wire.check(slot, gen, method, kind, status, p) == want, n
    finally:
        wire.release()
        buf.close()
