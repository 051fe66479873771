"""Callback slot table. A call id is (slot index, generation): the request cell carries
both, and the caller keeps the generation each slot is at. The slot word packs a
generation and a state (generation << 32 | state) and is written only by the caller, only
to abandon a call and to clear that mark again:

| from      | to        | who    | op                              | when                              |
|-----------|-----------|--------|---------------------------------|-----------------------------------|
| FREE      | ABANDONED | caller | store-release (gen, ABANDONED)  | the call of gen cancelled/timed out |
| ABANDONED | FREE      | caller | store-release (gen, FREE)       | its completion popped             |

The callee only reads the word: (gen, ABANDONED) before the handler means skip it (status
ABANDONED), after it means drop the reply. A call nobody cancels never writes the slot's
line, so neither peer's core has to fetch it from the other's. The callee pushes exactly
one completion per request it pops, and only the caller's completion reader frees a slot,
so each slot returns to the free list exactly once and is never reused while the callee
may write it."""

from __future__ import annotations

from collections import Counter

from rust2go.shm import layout as L
from rust2go.shm.geometry import Geometry

STATE_MASK = 0xFFFF_FFFF
GEN_MASK = 0xFFFF_FFFF


def slot_word(generation: int, state: int) -> int:
    return (generation & GEN_MASK) << 32 | state


class SlotTable:
    __slots__ = ("_a", "_base", "count")

    def __init__(self, atom, geometry: Geometry) -> None:
        self._a = atom
        self._base = geometry.slot_table_offset + L.SLOT_WORD_OFFSET
        self.count = geometry.slot_count

    def load(self, slot: int) -> tuple[int, int]:
        """(state, generation)"""
        w = self._a.load_u64(self._base + slot * L.SLOT.size)
        return w & STATE_MASK, w >> 32

    def mark(self, slot: int, generation: int, state: int) -> None:
        """Store (generation, state): ABANDONED gives up on that call, FREE clears it."""
        self._a.store_u64(self._base + slot * L.SLOT.size, slot_word(generation, state))

    def free(self, slot: int, generation: int) -> None:
        self.mark(slot, generation, L.SlotState.FREE)

    def initialise(self) -> None:
        """Every slot FREE, generations kept so replies from an old session never match."""
        for i in range(self.count):
            _, gen = self.load(i)
            self.free(i, gen)

    def states(self) -> Counter:
        return Counter(L.SlotState(self.load(i)[0]) if self.load(i)[0] in L.SlotState._value2member_map_
                       else self.load(i)[0] for i in range(self.count))  # fmt: skip
