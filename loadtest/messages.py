"""The load contract in Python: payload bytes, FNV-1a checksum, and the raw message
format python-shm uses (request: seq u64 LE || payload; reply: seq u64 LE || checksum
u64 LE). Must agree with templates/stats.rs and templates/callee_impl.go.j2."""

from __future__ import annotations

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
MASK = (1 << 64) - 1


def checksum_of_message(message: bytes) -> int:
    """FNV-1a 64 over seq (8 bytes LE) || payload, i.e. over the whole request message."""
    h = FNV_OFFSET
    for b in message:
        h = ((h ^ b) * FNV_PRIME) & MASK
    return h


def make_payload(seq: int, size: int) -> bytes:
    base = ((seq * 0x9E3779B97F4A7C15) & MASK) >> 56
    return bytes((base + i * 31) & 0xFF for i in range(size))


def request_message(seq: int, payload: bytes) -> bytes:
    return seq.to_bytes(8, "little") + payload


def reply_message(request: bytes) -> bytes:
    return request[:8] + checksum_of_message(request).to_bytes(8, "little")


def parse_reply(reply: bytes) -> tuple[int, int]:
    return int.from_bytes(reply[:8], "little"), int.from_bytes(reply[8:16], "little")
