"""The third process of the corruption storm: XORs random bytes of a live segment through
its own mapping while a caller and a callee (any language) run over it.

    python -m tests.shm.flipper NAME [--exclude REGION,...] [--seed S --every SECONDS]

With --every it flips on its own schedule (a pause drawn from S before each flip, up to
2 × SECONDS) until stdin closes or says "quit", or --flips are done. Without it, it
obeys stdin lines:

    flip SEED N [MS] N flips drawn from SEED, a pause of up to MS ms before each
    poke OFFSET XOR  one exact flip (replays a reported one)
    quit

Every flip is reported as one JSON line (region, offset, field, old and new byte, the
draw's seed); each command ends with "done N". Offsets are drawn from named regions (see
REGIONS); within each, live parts (the cells near the ring positions, slots not FREE)
are favoured so most flips land where a peer will read them. The write-once header
lines (0..127) are never flipped: they are validated when a segment is opened
(tests/shm/test_hostile.py), so a flip there tests the validator, not the protocol.

Excludable: the payloads (the areas, and a cell's `inline` bytes: "request_payload" in
the request ring's cells, "response_payload" in the completion ring's) and a request
cell's `length` and `method` (the "arguments" of a call): a peer that carries no check of
them cannot tell a flipped argument from a real one, so flipping them can only make a
wrong reply. And any live
header word (`header.caller_parked`), to look past a defect already known."""

from __future__ import annotations

import argparse
import json
import mmap
import os
import random
import select
import sys
import time

from rust2go.shm import layout as L
from rust2go.shm.geometry import Geometry
from rust2go.shm.validate import read_geometry

REGIONS = ("header", "request_ring", "completion_ring", "slot_table",
           "request_payload", "response_payload")  # fmt: skip
PAYLOADS = ("request_payload", "response_payload")
_INLINE = L.CELL.offset("inline")  # cell bytes before it are fields; from it on, a short payload
_INLINE_PAYLOAD = {"request_ring": "request_payload", "completion_ring": "response_payload"}
LIVE_HEADER = (L.HEADER.offset("segment_state"), L.HEADER.size)  # lines 2-3
# header.<field>: a live header word (to look past a defect already known)
EXCLUDABLE = (*PAYLOADS, "request_length", "request_method",
              *(f"header.{f.name}" for f in L.HEADER.fields if f.offset >= LIVE_HEADER[0]))  # fmt: skip
_FIELDS = {name: [(f.offset, f.size, f.name) for f in rec.fields]
           for name, rec in (("header", L.HEADER), ("ring", L.RING), ("cell", L.CELL),
                             ("slot", L.SLOT))}  # fmt: skip


def field_at(record: str, rel: int) -> str:
    """`name+k` of the field holding byte `rel` of `record`, or `reserved+rel`."""
    for off, size, name in _FIELDS[record]:
        if off <= rel < off + size:
            return f"{name}+{rel - off}"
    return f"reserved+{rel}"


class Target:
    """The segment through the flipper's own mapping, and how to draw a byte of it."""

    def __init__(self, name: str, exclude: set[str]) -> None:
        unknown = exclude - set(EXCLUDABLE)
        if unknown:
            raise SystemExit(f"--exclude: {sorted(unknown)} not in {EXCLUDABLE}")
        fd = os.open(f"{L.NAMING.LOCK_DIR}/{name.lstrip('/')}", os.O_RDWR)
        try:
            size = os.fstat(fd).st_size
            self.mm = mmap.mmap(fd, size)
        finally:
            os.close(fd)
        self.g: Geometry = read_geometry(self.mm, size)
        self.exclude = exclude
        self.regions = [r for r in REGIONS if r not in exclude]

    def u64(self, off: int) -> int:
        return int.from_bytes(self.mm[off : off + 8], "little")

    def busy_slot(self, rng: random.Random) -> int:
        """A slot whose state word is not FREE (a call uses it), else any slot. Draws the
        same numbers whatever the slots hold, so the flips after it follow from the seed."""
        g = self.g
        busy = [i for i in range(g.slot_count) if self.mm[g.slot_offset(i)] != L.SlotState.FREE]
        pick, k = rng.random(), rng.randrange(g.slot_count)
        return busy[k % len(busy)] if busy and pick < 0.8 else k

    def draw(self, rng: random.Random) -> tuple[str, int, str]:
        """(region, offset, field) of one byte to flip, never an excluded one."""
        while True:
            region = rng.choice(self.regions)
            off, what = getattr(self, f"_in_{region.split('_')[-1]}")(rng, region)
            if not self._excluded(region, what):
                return region, off, what

    def _excluded(self, region: str, what: str) -> bool:
        if region == "header":
            return f"header.{what.split('+')[0]}" in self.exclude
        if not what.startswith("cell["):
            return False
        field = what.split("].")[1].split("+")[0]
        if field == "inline":  # a short payload, where it travels
            return _INLINE_PAYLOAD[region] in self.exclude
        return region == "request_ring" and f"request_{field}" in self.exclude

    def _in_header(self, rng: random.Random, region: str) -> tuple[int, str]:
        if rng.random() < 0.8:  # a field, not the reserved bytes around them
            off, size, _ = rng.choice([f for f in _FIELDS["header"] if f[0] >= LIVE_HEADER[0]])
            off += rng.randrange(size)
        else:
            off = rng.randrange(*LIVE_HEADER)
        return off, field_at("header", off)

    def _in_ring(self, rng: random.Random, region: str) -> tuple[int, str]:
        base = getattr(self.g, f"{region}_offset")
        cap = getattr(self.g, f"{region}_capacity")
        if rng.random() < 0.15:
            rel = rng.choice((L.RING.offset("enqueue_pos"), L.RING.offset("dequeue_pos")))
            rel += rng.randrange(8)
            return base + rel, field_at("ring", rel)
        near, step, anywhere = rng.random(), rng.randrange(-2, 2), rng.randrange(cap)
        if near < 0.7:  # the cells being written or read now
            cell = (self.u64(base + L.RING.offset("enqueue_pos")) + step) % cap
        else:
            cell = anywhere
        # Mostly the fields, often the head of the inline bytes (where short payloads
        # travel; the calls of a storm are mostly short), now and then anywhere.
        part, field, head, any_byte = (
            rng.random(),
            rng.randrange(_INLINE),
            rng.randrange(min(48, L.CELL_INLINE_MAX)),
            rng.randrange(L.CELL.size),
        )
        rel = field if part < 0.6 else _INLINE + head if part < 0.9 else any_byte
        off = base + L.RING.size + cell * L.CELL.size + rel
        return off, f"cell[{cell}].{field_at('cell', rel)}"

    def _in_table(self, rng: random.Random, region: str) -> tuple[int, str]:
        slot = self.busy_slot(rng)
        rel = rng.randrange(8) if rng.random() < 0.9 else rng.randrange(L.SLOT.size)
        return self.g.slot_offset(slot) + rel, f"slot[{slot}].{field_at('slot', rel)}"

    def _in_payload(self, rng: random.Random, region: str) -> tuple[int, str]:
        slot = self.busy_slot(rng)
        if region == "request_payload":
            base, cap = self.g.request_area(slot), self.g.request_capacity
        else:
            base, cap = self.g.response_area(slot), self.g.response_capacity
        rel = rng.randrange(min(64, cap)) if rng.random() < 0.5 else rng.randrange(cap)
        return base + rel, f"slot[{slot}]+{rel}"

    def flip(self, region: str, off: int, what: str, xor: int, seed: int | None) -> dict:
        old = self.mm[off]
        self.mm[off] = old ^ xor
        return {"region": region, "offset": off, "field": what, "old": old, "new": old ^ xor,
                "seed": seed}  # fmt: skip

    def region_of(self, off: int) -> tuple[str, str]:
        """The region and field of an absolute offset (for a replayed flip)."""
        g = self.g
        for ring in ("request_ring", "completion_ring"):
            base = getattr(g, f"{ring}_offset")
            rel = off - base
            if 0 <= rel < L.RING.size:
                return ring, field_at("ring", rel)
            if 0 <= rel - L.RING.size < getattr(g, f"{ring}_capacity") * L.CELL.size:
                cell, at = divmod(rel - L.RING.size, L.CELL.size)
                return ring, f"cell[{cell}].{field_at('cell', at)}"
        if g.slot_table_offset <= off < g.payload_offset:
            slot, at = divmod(off - g.slot_table_offset, L.SLOT.size)
            return "slot_table", f"slot[{slot}].{field_at('slot', at)}"
        if off >= g.payload_offset:
            slot, at = divmod(off - g.payload_offset, g.payload_stride)
            resp = at - (g.response_area(0) - g.request_area(0))
            return ("response_payload", f"slot[{slot}]+{resp}") if resp >= 0 else (
                "request_payload", f"slot[{slot}]+{at}")  # fmt: skip
        return "header", field_at("header", off)


def live_words(name: str) -> dict[str, int]:
    """The live header words and the ring positions as they are now, read without
    validating anything (for failure messages)."""
    with open(f"{L.NAMING.LOCK_DIR}/{name.lstrip('/')}", "rb") as f:
        head = f.read(L.HEADER.size)

        def u(off: int, size: int) -> int:
            return int.from_bytes(head[off : off + size], "little")

        words = {fl.name: u(fl.offset, fl.size) for fl in L.HEADER.fields
                 if fl.offset >= LIVE_HEADER[0]}  # fmt: skip
        for ring in ("request_ring", "completion_ring"):
            base = u(L.HEADER.offset(f"{ring}_offset"), 8)
            for pos in ("enqueue_pos", "dequeue_pos"):
                f.seek(base + L.RING.offset(pos))
                words[f"{ring}.{pos}"] = int.from_bytes(f.read(8), "little")
    return words


def burst(target: Target, seed: int, n: int, spread_ms: float = 0.0) -> None:
    rng = random.Random(seed)
    for _ in range(n):
        if spread_ms:
            time.sleep(rng.uniform(0, spread_ms) / 1000)
        region, off, what = target.draw(rng)
        report(target.flip(region, off, what, rng.randint(1, 255), seed))


def report(flip: dict) -> None:
    print(json.dumps(flip), flush=True)


def obey(target: Target) -> None:
    for line in sys.stdin:
        cmd, *args = line.split() or [""]
        if cmd == "quit":
            return
        if cmd == "flip":
            burst(target, int(args[0]), int(args[1]), float(args[2]) if args[2:] else 0.0)
            print(f"done {args[1]}", flush=True)
        elif cmd == "poke":
            off, xor = int(args[0]), int(args[1])
            region, what = target.region_of(off)
            report(target.flip(region, off, what, xor, None))
            print("done 1", flush=True)
        else:
            raise SystemExit(f"unknown command {line.strip()!r}")


def on_schedule(target: Target, seed: int, every: float, flips: int) -> None:
    """Flip until stdin says stop; a flip's draw seed is derived from `seed` and its
    number, so one flip is reproduced alone with `flip <that seed> 1`."""
    pause = random.Random(seed)
    n = 0
    while not flips or n < flips:
        ready, _, _ = select.select([sys.stdin], [], [], pause.uniform(0, 2 * every))
        if ready and sys.stdin.readline().strip() in ("", "quit"):
            break
        burst(target, seed * 1_000_003 + n, 1)
        n += 1
    print(f"done {n}", flush=True)


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(prog="python -m tests.shm.flipper", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("name", help="the segment, /r2g-...")
    ap.add_argument("--exclude", default="", help=f"comma-separated, of {', '.join(EXCLUDABLE)}")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--every", type=float, default=0.0, help="flip on a schedule (seconds)")
    ap.add_argument("--flips", type=int, default=0, help="stop after this many (0: no limit)")
    a = ap.parse_args(argv)
    target = Target(a.name, {x for x in a.exclude.split(",") if x})
    print("ready", flush=True)
    try:
        if a.every > 0:
            on_schedule(target, a.seed, a.every, a.flips)
        else:
            obey(target)
    finally:
        target.mm.close()


if __name__ == "__main__":
    main(sys.argv[1:])
