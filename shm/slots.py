"""Callback slot table. A call id is (slot index, generation); the slot word packs both
(generation << 32 | state) so every transition checks the generation too, which is how a
reply for an abandoned or reused slot is recognised and dropped.

| from      | to        | who    | op                                   | when                       |
|-----------|-----------|--------|--------------------------------------|----------------------------|
| FREE      | PENDING   | caller | store-release (gen+1, PENDING)       | request written, pre-push  |
| PENDING   | DONE      | callee | CAS (gen,PENDING)->(gen,DONE)        | response written           |
| PENDING   | ABANDONED | caller | CAS (gen,PENDING)->(gen,ABANDONED)   | cancelled / timed out      |
| DONE      | FREE      | caller | store-release (gen, FREE)            | completion popped          |
| ABANDONED | FREE      | caller | store-release (gen, FREE)            | completion popped          |

The callee pushes exactly one completion per request it pops (status ABANDONED if it
skipped the handler), and only the caller's completion reader frees a slot, so each slot
returns to the free list exactly once and is never reused while the callee may write it."""

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

    def publish(self, slot: int, generation: int) -> None:
        self._a.store_u64(
            self._base + slot * L.SLOT.size, slot_word(generation, L.SlotState.PENDING)
        )

    def transition(self, slot: int, generation: int, src: int, dst: int) -> bool:
        off = self._base + slot * L.SLOT.size
        return self._a.cas_u64(off, slot_word(generation, src), slot_word(generation, dst))

    def free(self, slot: int, generation: int) -> None:
        self._a.store_u64(self._base + slot * L.SLOT.size, slot_word(generation, L.SlotState.FREE))

    def initialise(self) -> None:
        """Every slot FREE, generations kept so replies from an old session never match."""
        for i in range(self.count):
            _, gen = self.load(i)
            self.free(i, gen)

    def states(self) -> Counter:
        return Counter(L.SlotState(self.load(i)[0]) if self.load(i)[0] in L.SlotState._value2member_map_
                       else self.load(i)[0] for i in range(self.count))  # fmt: skip
