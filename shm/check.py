"""check64, the integrity check every ring cell carries (algorithm in shm/layout.py).

This is the reference: plain Python, used for the test vectors and by tests. The peers'
hot paths compute the same function in C (shm/_check.c), Rust and Go."""

from __future__ import annotations

from rust2go.shm import layout as L

_M = (1 << 64) - 1
_BLOCK = 8 * L.CHECK_LANES


def _mix(a: int, w: int) -> int:
    a = ((a ^ w) * L.CHECK_K1) & _M
    return ((a << L.CHECK_ROT) | (a >> (64 - L.CHECK_ROT))) & _M


def check64(slot: int, generation: int, method: int, length: int, kind: int, status: int,
            payload: bytes) -> int:  # fmt: skip
    """The check of a cell with these fields announcing `payload` (len(payload) == length)."""
    if len(payload) != length:
        raise ValueError(f"payload of {len(payload)} bytes, cell.length={length}")
    lanes = [
        (slot | generation << 32) ^ L.CHECK_K2,
        (method | length << 32) ^ L.CHECK_K3,
        (kind | status << 32) ^ L.CHECK_K1,
        L.CHECK_K2 ^ L.CHECK_K3,
    ]
    padded = bytes(payload) + bytes(-len(payload) % _BLOCK)
    for at in range(0, len(padded), 8):
        i = (at // 8) % L.CHECK_LANES
        lanes[i] = _mix(lanes[i], int.from_bytes(padded[at : at + 8], "little"))
    h = L.CHECK_K3
    for lane in lanes:
        h = _mix(h, lane)
    h ^= h >> 33
    h = (h * L.CHECK_K2) & _M
    h ^= h >> 29
    h = (h * L.CHECK_K3) & _M
    return h ^ (h >> 32)
