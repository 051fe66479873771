"""The flat-block fast path of the Python shm codec gives the bytes, values and errors of
the general walk (which is what the other peers' vectors pin down)."""

from __future__ import annotations

import enum

import pytest

from rust2go.runtime import payload as sc


class Color(enum.IntEnum):
    RED = 1
    BLUE = 7


CODEC = sc.Codec({}, {"Color": ("u8", Color)})
# bool at 0, padding, u32 at 4, a string Ref, u8 enum, char, a byte-string Ref, tail padding
MEMBERS = (
    ("ok", 0, ("prim", "bool")), ("n", 4, ("prim", "u32")), ("s", 8, ("str",)),
    ("c", 24, ("enum", "Color")), ("ch", 28, ("prim", "char")),
    ("v", 32, ("vec", ("prim", "u8"))), ("x", 48, ("prim", "i16")),
)  # fmt: skip
VALUES = [
    {"ok": True, "n": 7, "s": "héllo", "c": Color.BLUE, "ch": "λ", "v": b"\x01\x02\x03", "x": -2},
    {"ok": False, "n": 0, "s": "", "c": Color.RED, "ch": "a", "v": b"", "x": 0},
    {"ok": True, "n": 2**32 - 1, "s": "12345678", "c": Color.RED, "ch": "z", "v": [9] * 9, "x": 5},
]


def general(codec, block, values, cap):
    """The general walk, bypassing the flat plan."""
    total = sc.round8(block.size) + sum(codec.children(t, values[n]) for n, _, t in block.members)
    if total > cap:
        raise sc.PayloadError(f"payload of {total} bytes exceeds the slot capacity of {cap}")
    buf = bytearray(total)
    cur = sc.round8(block.size)
    for n, off, t in block.members:
        cur = codec.write(t, values[n], buf, off, cur)
    return bytes(buf)


def test_the_block_takes_the_flat_path():
    assert sc._flat(CODEC, sc.Block(50, MEMBERS)) is not None
    nested = sc.Block(16, (("xs", 0, ("vec", ("prim", "u32"))),))
    assert sc._flat(CODEC, nested) is None  # a list of non-bytes takes the general walk


@pytest.mark.parametrize("values", VALUES)
def test_flat_encode_and_decode_match_the_general_walk(values):
    block = sc.Block(50, MEMBERS)
    buf = sc.encode(CODEC, block, values, 4096)
    assert buf == general(CODEC, block, values, 4096)
    got = sc.decode(CODEC, block, buf)
    want = {n: CODEC.read(t, buf, off, n) for n, off, t in MEMBERS}
    assert got == want == {**values, "v": bytes(values["v"])}
    assert type(got["c"]) is Color and type(got["v"]) is bytes


def test_flat_errors_match_the_general_walk():
    block = sc.Block(50, MEMBERS)
    size = len(sc.encode(CODEC, block, VALUES[0], 4096))
    with pytest.raises(sc.PayloadError, match=f"payload of {size} bytes exceeds .* of {size - 1}"):
        sc.encode(CODEC, block, VALUES[0], size - 1)
    buf = bytearray(sc.encode(CODEC, block, VALUES[0], 4096))
    with pytest.raises(sc.PayloadError, match="shorter than its 50-byte head"):
        sc.decode(CODEC, block, buf[:49])
    buf[40:48] = (1000).to_bytes(8, "little")  # v claims 1000 bytes
    with pytest.raises(sc.PayloadError, match="v: 1000 items at offset .* overrun"):
        sc.decode(CODEC, block, buf)
