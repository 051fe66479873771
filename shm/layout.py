"""Binary layout of a rust2go shared-memory segment: the single source of truth.

Pure data. The Python runtime reads it, docs/shm-layout.md is rendered from it, and the
code generator walks RECORDS, ENUMS, CONSTANTS and NAMING to emit the Rust and
Go constants, so no peer carries hand-copied numbers.

Conventions every peer keeps:
- Little-endian, natural alignment; every offset is relative to the segment base.
- u32/u64 words named in ATOMIC_WORDS are only touched with atomic ops
  (load = acquire, store = release, CAS/exchange/fetch-add = seq_cst).
- Ring positions are u64 counters that never wrap in practice; peers compare them with
  wrapping subtraction read as signed (Rust `wrapping_sub as i64`, Go `int64(a-b)`).
- A slot's state (low half) and generation (high half) form one u64 word at offset 0 of
  the slot record and are always changed together with one CAS or release-store.

The contract (header.contract, header.idl_name) says which IDL the callee's payloads
follow, so a caller generated from another IDL is refused on attach instead of decoding
the wrong bytes. It is a u64 hash computed once in lowering from the checked IR
(codegen/lower/shm_contract.py) over what both peers must agree on to decode each other,
for the one trait a segment serves: LAYOUT_VERSION, the trait's name, and per shm method
its id, name, whether it is oneway, its parameter and result types with every struct
reachable from them (field names, types, order) and every reachable enum (repr, variant
names and values). Docs, comments, sync vs async, other traits and items no shm method
reaches are left out, so such edits keep peers compatible. 0 means "no contract": a raw
callee (rust2go.runtime with no IDL); a caller that has a contract refuses it too.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

LAYOUT_VERSION = 5
MAGIC_BYTES = b"R2GOSHM\x00"
MAGIC = int.from_bytes(MAGIC_BYTES, "little")
CACHE_LINE = 64
BYTE_ORDER = "little"

IDL_NAME_SIZE = 24  # bytes of header.idl_name
CELL_INLINE_MAX = 88  # bytes of cell.inline: the longest payload a cell carries itself

# "name": IDL_NAME_SIZE bytes of UTF-8, NUL-padded, cut at a character boundary.
# "inline": CELL_INLINE_MAX payload bytes (only the first cell.length of them mean anything).
WordKind = Literal["u32", "u64", "name", "inline"]
WORD_SIZE: dict[str, int] = {"u32": 4, "u64": 8, "name": IDL_NAME_SIZE, "inline": CELL_INLINE_MAX}


@dataclass(frozen=True)
class Field:
    """One fixed-size word of a record."""

    name: str
    offset: int
    kind: WordKind
    doc: str

    @property
    def size(self) -> int:
        return WORD_SIZE[self.kind]


@dataclass(frozen=True)
class Record:
    """A fixed-size structure; bytes not covered by a field are reserved and must be 0."""

    name: str
    size: int
    doc: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")

    def offset(self, name: str) -> int:
        return self.field(name).offset


def _record(name: str, size: int, doc: str, rows: list[tuple[int, str, WordKind, str]]) -> Record:
    return Record(name, size, doc, tuple(Field(n, o, k, d) for o, n, k, d in rows))


# fmt: off
HEADER = _record("header", 256, "Segment header; four cache lines: identity, geometry, callee, caller.", [
    # line 0: identity and slot geometry, written once by the creator
    (0, "magic", "u64", "MAGIC_BYTES read as a little-endian u64"),
    (8, "layout_version", "u32", "LAYOUT_VERSION"),
    (12, "header_size", "u32", "size of this header (256)"),
    (16, "segment_size", "u64", "total mapped bytes"),
    (24, "slot_count", "u32", "number of callback slots"),
    (28, "slot_record_size", "u32", "bytes per slot record (SLOT.size)"),
    (32, "slot_table_offset", "u64", "offset of slot record 0"),
    (40, "payload_offset", "u64", "offset of slot 0's request area"),
    (48, "request_capacity", "u32", "max request payload bytes per slot"),
    (52, "response_capacity", "u32", "max response payload bytes per slot"),
    (56, "payload_stride", "u32", "bytes between consecutive slots' payload areas"),
    (60, "cell_size", "u32", "bytes per ring cell (CELL.size)"),
    # line 1: rings and the contract, written once by the creator
    (64, "request_ring_offset", "u64", "offset of the request ring header (caller -> callee)"),
    (72, "request_ring_capacity", "u32", "cells in the request ring (power of two)"),
    (76, "completion_ring_capacity", "u32", "cells in the completion ring (power of two, >= slot_count)"),
    (80, "completion_ring_offset", "u64", "offset of the completion ring header (callee -> caller)"),
    (88, "ring_header_size", "u32", "bytes of a ring header before its cells (RING.size)"),
    (92, "flags", "u32", "reserved feature bits; must be 0"),
    (96, "contract", "u64", "contract hash of the served trait's IDL; 0: none declared"),
    (104, "idl_name", "name", "file name of that IDL (UTF-8, NUL-padded), for messages"),
    # line 2: callee side
    (128, "segment_state", "u32", "SegmentState; written by the callee"),
    (132, "callee_pid", "u32", "pid of the serving process"),
    (136, "callee_parked", "u32", "1 while the callee sleeps on its doorbell; cleared by whoever posts it"),
    # line 3: caller side
    (192, "caller_state", "u32", "CallerState; attach/detach by the caller, reset by the callee"),
    (196, "caller_pid", "u32", "pid of the attached caller (0 when vacant)"),
    (200, "caller_parked", "u32", "1 while the caller sleeps on its doorbell; cleared by whoever posts it"),
    (204, "session", "u32", "incremented by each caller that attaches"),
])

RING = _record("ring", 128, "Ring header; the two positions sit on separate cache lines. Cells follow.", [
    (0, "enqueue_pos", "u64", "next position a producer claims (CAS)"),
    (64, "dequeue_pos", "u64", "next position a consumer claims (CAS)"),
])

CELL = _record("cell", 128, "Ring cell (same format in both rings); two cache lines each. "
               "A payload of at most CELL_INLINE_MAX bytes travels in the cell itself.", [
    (0, "seq", "u64", "sequence: == pos when free for the producer at pos, == pos+1 when filled"),
    (8, "slot", "u32", "callback slot index"),
    (12, "generation", "u32", "slot generation the message belongs to"),
    (16, "method", "u32", "method id (requests); echoed in completions"),
    (20, "length", "u32", "payload bytes: in `inline` when <= CELL_INLINE_MAX, else in the slot's request (or response) area"),
    (24, "kind", "u32", "CellKind"),
    (28, "status", "u32", "CallStatus (completions); 0 in requests"),
    (32, "check", "u64", "check64 of the fields slot..status and the payload (see CHECK_*)"),
    (40, "inline", "inline", "the payload itself when length <= CELL_INLINE_MAX (bytes past length: any value)"),
])

SLOT = _record("slot", 64, "Callback slot record; one cache line each so slots never share a line.", [
    (0, "state", "u32", "SlotState (low half of the slot word)"),
    (4, "generation", "u32", "the generation of the call the state is about (high half of the slot word)"),
])

# fmt: on

RECORDS: tuple[Record, ...] = (HEADER, RING, CELL, SLOT)

# Words only ever accessed atomically: (record, field).
ATOMIC_WORDS: tuple[tuple[str, str], ...] = (
    ("header", "segment_state"), ("header", "callee_parked"),
    ("header", "caller_state"), ("header", "caller_pid"), ("header", "caller_parked"),
    ("header", "session"),
    ("ring", "enqueue_pos"), ("ring", "dequeue_pos"),
    ("cell", "seq"),
    ("slot", "state"),  # as the u64 slot word together with generation
)  # fmt: skip

SLOT_WORD_OFFSET = 0  # the u64 word = generation << 32 | state

# Where a payload travels: a cell announcing length <= CELL_INLINE_MAX carries the payload
# in its own `inline` bytes, and the slot's area is neither written nor read for it; a
# longer one is in the slot's request area (CALL/ONEWAY) or response area (REPLY). The
# writer fills `inline` after claiming the cell and before publishing its seq; the reader
# copies it out before releasing the cell (seq = pos + C), since the producer may reuse
# the cell from then on. So a small call moves its payload with the cell's own cache
# lines, not one more line per direction that can only be fetched once the cell is read.
#
# check64: every cell carries a 64-bit check of its fields slot..status and of the
# `length` payload bytes it announces (wherever they travel, as above), so a byte changed
# in shared memory by anyone but the writer is refused instead of decoded. The writer computes it over its own private bytes;
# the reader copies the payload out, computes it over the copy and decodes only that
# copy, so a change racing with the read cannot slip between check and use.
#
#   mix(a, w) = rotl64((a ^ w) * CHECK_K1, CHECK_ROT)                  (mod 2**64)
#   lanes     = [(slot | generation << 32) ^ CHECK_K2, (method | length << 32) ^ CHECK_K3,
#                (kind | status << 32) ^ CHECK_K1, CHECK_K2 ^ CHECK_K3]
#   the payload, zero-padded to a multiple of 32 bytes, read as little-endian u64 words;
#   word i of each 32-byte block goes to lane i: lanes[i] = mix(lanes[i], word)
#   h = CHECK_K3; for each lane in order: h = mix(h, lane)
#   h ^= h >> 33; h *= CHECK_K2; h ^= h >> 29; h *= CHECK_K3; h ^= h >> 32
#
# Every step is a bijection of the running value for a fixed input word and of the word
# for a fixed running value, so a change confined to one 8-byte word (of the payload or
# of the fields) always changes the check; other changes escape with odds near 2**-64.
# The four lanes are independent chains, so the multiplies overlap (several bytes per
# cycle). Reference implementation: shm/check.py; test vectors: tests/shm/vectors/check.json.
CHECK_K1 = 0x9E3779B97F4A7C15
CHECK_K2 = 0xC2B2AE3D27D4EB4F
CHECK_K3 = 0x165667B19E3779F9
CHECK_ROT = 31
CHECK_LANES = 4


class SegmentState(enum.IntEnum):
    """Life of the segment, owned by the callee."""

    CREATING = 0  # header being written; attachers must wait or fail
    SERVING = 1  # callee accepts calls
    DRAINING = 2  # callee finishing popped calls; new requests get CALLEE_CLOSING
    CLOSED = 3  # callee gone cleanly; segment about to be unlinked


class CallerState(enum.IntEnum):
    """The single caller attachment, arbitrated by CAS on header.caller_state."""

    VACANT = 0  # no caller; a caller may CAS VACANT -> ATTACHED
    ATTACHED = 1  # caller_pid is attached and owns the slot table
    DETACHED = 2  # caller left cleanly; the callee resets, then VACANT
    RESETTING = 3  # callee is recycling rings and slots after a caller left or died
    BROKEN = 4  # the callee found a protocol violation: the caller fails its calls, detaches


class SlotState(enum.IntEnum):
    """The slot word's state. Only the caller writes it, and only when it gives up on a
    call: a call in flight is not marked in the slot table at all (its request cell names
    the slot and generation), so on the hot path the slot's line is only ever read and
    stays in both peers' caches."""

    FREE = 0  # no abandoned call of this generation
    ABANDONED = 3  # the caller gave up on the call of this generation: skip it, drop its reply


class CellKind(enum.IntEnum):
    CALL = 1  # request that wants a reply
    ONEWAY = 2  # request whose reply is only an acknowledgement (length 0)
    REPLY = 3  # completion


class CallStatus(enum.IntEnum):
    OK = 0
    HANDLER_ERROR = 1  # the response is a UTF-8 message (cut to response_capacity)
    RESPONSE_TOO_LARGE = 2  # the handler's reply did not fit; nothing was written
    ABANDONED = 3  # callee saw the slot ABANDONED and skipped the handler
    UNKNOWN_METHOD = 4
    CALLEE_CLOSING = 5  # popped while the callee drains for shutdown


ENUMS: tuple[type[enum.IntEnum], ...] = (SegmentState, CallerState, SlotState, CellKind, CallStatus)


@dataclass(frozen=True)
class Transition:
    """One edge of a state machine: who does it, and the atomic op that does it."""

    machine: str
    src: str
    dst: str
    actor: str
    op: str
    when: str


TRANSITIONS: tuple[Transition, ...] = (
    # Callback slot (slot word = generation << 32 | state).
    Transition("slot", "FREE", "ABANDONED", "caller", "store-release (gen, ABANDONED)", "the call of generation gen is cancelled or timed out while in flight"),
    Transition("slot", "ABANDONED", "FREE", "caller", "store-release (gen, FREE)", "that call's completion popped (before the slot's generation can come round again); reply discarded"),
    # Ring cell at position pos (capacity C).
    Transition("cell", "EMPTY(seq=pos)", "CLAIMED", "producer", "CAS enqueue_pos pos -> pos+1", "seq == pos"),
    Transition("cell", "CLAIMED", "FULL(seq=pos+1)", "producer", "store-release seq = pos+1", "cell body written, with an inline payload"),
    Transition("cell", "FULL(seq=pos+1)", "TAKEN", "consumer", "CAS dequeue_pos pos -> pos+1", "seq == pos+1"),
    Transition("cell", "TAKEN", "EMPTY(seq=pos+C)", "consumer", "store-release seq = pos+C", "cell body copied out, with an inline payload"),
    # Doorbell of one side (parked flag + named semaphore).
    Transition("doorbell", "AWAKE(parked=0)", "PARKING(parked=1)", "waiter", "exchange parked 1", "spun without finding work"),
    Transition("doorbell", "PARKING(parked=1)", "AWAKE(parked=0)", "waiter", "exchange parked 0", "re-check found work (a 0 result means a post is owed: absorbed later as a spurious wake)"),
    Transition("doorbell", "PARKING(parked=1)", "ASLEEP", "waiter", "sem_timedwait", "re-check found nothing"),
    Transition("doorbell", "PARKING/ASLEEP(parked=1)", "AWAKE(parked=0)", "notifier", "fence; exchange parked 0 -> was 1; sem_post", "after publishing work the waiter may want (idle->busy edge only)"),
    Transition("doorbell", "ASLEEP", "AWAKE(parked=0)", "waiter", "timeout; exchange parked 0", "timed out: probe peer liveness, then re-check"),
    # Caller attachment.
    Transition("caller", "VACANT", "VACANT(claimed)", "caller", "CAS caller_pid 0 -> own pid (or a dead claimer's pid -> own pid)", "caller lock file held; a claim always names a lock the OS releases"),
    Transition("caller", "VACANT(claimed)", "ATTACHED", "caller", "CAS caller_state; store caller_pid again; fetch-add session", "own pid claimed"),
    Transition("caller", "ATTACHED", "DETACHED", "caller", "CAS caller_state", "clean disconnect after its calls settled, or a protocol violation seen by the caller"),
    Transition("caller", "ATTACHED", "BROKEN", "callee", "CAS caller_state; post caller", "a protocol violation in the request ring or the completion ring"),
    Transition("caller", "BROKEN", "DETACHED", "caller", "CAS caller_state", "the caller failed its pending calls"),
    Transition("caller", "ATTACHED", "RESETTING", "callee", "CAS caller_state", "caller lock released by the OS (caller died), or caller_pid 0 for longer than the attach grace"),
    Transition("caller", "BROKEN", "RESETTING", "callee", "CAS caller_state", "caller died, or did not detach within the broken grace"),
    Transition("caller", "DETACHED", "RESETTING", "callee", "CAS caller_state", "callee noticed the clean detach"),
    Transition("caller", "RESETTING", "VACANT", "callee", "store-release caller_state", "rings and slots re-initialised, caller_pid = 0"),
    # Segment.
    Transition("segment", "CREATING", "SERVING", "callee", "store-release segment_state", "header, rings and slots initialised"),
    Transition("segment", "SERVING", "DRAINING", "callee", "store-release segment_state; post caller", "clean shutdown requested"),
    Transition("segment", "DRAINING", "CLOSED", "callee", "store-release segment_state; post caller", "in-flight handlers finished; then unlink"),
)  # fmt: skip


# Geometry limits enforced on create and on attach (hostile-segment validation).
MIN_RING_CAPACITY = 2  # a one-cell sequence ring cannot tell full from empty
MAX_RING_CAPACITY = 1 << 20
MAX_SLOTS = 1 << 16
MAX_PAYLOAD = 1 << 26

# Default geometry.
DEFAULT_SLOTS = 256
DEFAULT_REQUEST_CAPACITY = 4096
DEFAULT_RESPONSE_CAPACITY = 4096

# Constants wider than 32 bits (u64 in every peer); the others fit a u32 or usize.
U64_CONSTANTS = frozenset({"MAGIC", "CHECK_K1", "CHECK_K2", "CHECK_K3"})

CONSTANTS: dict[str, int] = {
    "LAYOUT_VERSION": LAYOUT_VERSION,
    "MAGIC": MAGIC,
    "IDL_NAME_SIZE": IDL_NAME_SIZE,
    "CELL_INLINE_MAX": CELL_INLINE_MAX,
    "CACHE_LINE": CACHE_LINE,
    "SLOT_WORD_OFFSET": SLOT_WORD_OFFSET,
    "CHECK_K1": CHECK_K1,
    "CHECK_K2": CHECK_K2,
    "CHECK_K3": CHECK_K3,
    "CHECK_ROT": CHECK_ROT,
    "CHECK_LANES": CHECK_LANES,
    "MIN_RING_CAPACITY": MIN_RING_CAPACITY,
    "MAX_RING_CAPACITY": MAX_RING_CAPACITY,
    "MAX_SLOTS": MAX_SLOTS,
    "MAX_PAYLOAD": MAX_PAYLOAD,
    "DEFAULT_SLOTS": DEFAULT_SLOTS,
    "DEFAULT_REQUEST_CAPACITY": DEFAULT_REQUEST_CAPACITY,
    "DEFAULT_RESPONSE_CAPACITY": DEFAULT_RESPONSE_CAPACITY,
}


@dataclass(frozen=True)
class Naming:
    """Names of the OS objects of one segment `/<stem>`; every peer derives them the same way.

    stem = r2g-<owner pid>-<purpose>-<8 hex>; purpose matches [a-z0-9_]{1,24}.
    Semaphores live in the POSIX semaphore namespace (Linux: /dev/shm/sem.<name>);
    lock files are plain files in LOCK_DIR, flock'ed LOCK_EX by their owner for life.
    """

    PREFIX: str = "r2g-"
    PURPOSE_PATTERN: str = r"[a-z0-9_]{1,24}"
    SEGMENT: str = "/{stem}"
    CALLEE_DOORBELL: str = "/{stem}.wake-callee"
    CALLER_DOORBELL: str = "/{stem}.wake-caller"
    CALLEE_LOCK: str = "{lock_dir}/{stem}.lock-callee"
    CALLER_LOCK: str = "{lock_dir}/{stem}.lock-caller-{pid}"
    LOCK_DIR: str = "/dev/shm"
    MODE: int = 0o600


NAMING = Naming()
