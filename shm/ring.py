"""Bounded lock-free ring of fixed-size cells (L.CELL) in shared memory, safe for any
number of producer and consumer threads or processes (per-cell sequence numbers).

Cell state machine at position pos, capacity C (also in docs/shm-layout.md):

| from            | to              | who      | atomic op                       | when            |
|-----------------|-----------------|----------|---------------------------------|-----------------|
| EMPTY seq=pos   | CLAIMED         | producer | CAS enqueue_pos pos -> pos+1    | seq == pos      |
| CLAIMED         | FULL seq=pos+1  | producer | store-release seq               | body written¹   |
| FULL seq=pos+1  | TAKEN           | consumer | CAS dequeue_pos pos -> pos+1    | seq == pos+1    |
| TAKEN           | EMPTY seq=pos+C | consumer | store-release seq               | body copied out¹|

¹ with an inline payload: a cell of length <= CELL_INLINE_MAX carries its payload in its
own bytes, written before seq is published and copied out before the cell is released
(the producer may reuse it right after).

seq < pos (producer) means full; seq < pos+1 (consumer) means empty. seq beyond the
expected value means another thread moved on: reload the position. If it did not move,
the segment is corrupt (a hostile peer) and we raise instead of spinning forever. A seq
short of the expected value is a wait only if a cell can have it: a cell's seq is always
its position or one more modulo C, and at most one lap behind a position its counter
reached; any other seq (a stray write) raises too, where it would otherwise read as full
or empty for good.
No lock lives in the ring; a dead process can leave at most one cell CLAIMED or TAKEN,
and a dead peer ends the session anyway (the callee resets the rings)."""

from __future__ import annotations

from rust2go.shm import layout as L

Cell = tuple[int, int, int, int, int, int]  # slot, generation, method, length, kind, status

_CELL = L.CELL.size
_ENQ = L.RING.offset("enqueue_pos")
_DEQ = L.RING.offset("dequeue_pos")


class Ring:
    """One ring of a segment. Push and pop run in C (`Wire`, shm/_ring.c) with the
    protocol above; a corrupt cell sequence raises ShmLayoutError naming the field."""

    __slots__ = ("name", "capacity", "index", "_a", "_w", "_enq", "_deq", "_cells")

    def __init__(self, name: str, atom, wire, index: int, offset: int, capacity: int) -> None:
        self.name = name
        self.capacity = capacity
        self.index = index
        self._a = atom
        self._w = wire
        self._enq = offset + _ENQ
        self._deq = offset + _DEQ
        self._cells = offset + L.RING.size

    def initialise(self) -> None:
        """Only while no peer touches the ring (create, or callee reset)."""
        a = self._a
        a.store_u64(self._enq, 0)
        a.store_u64(self._deq, 0)
        for i in range(self.capacity):
            a.store_u64(self._cells + i * _CELL, i)

    def try_push(self, slot: int, generation: int, method: int, length: int, kind: int,
                 status: int = 0, check: int | None = None, payload: bytes | None = None) -> bool:  # fmt: skip
        """Publish one cell built by hand; False if the ring is full. A cell of length <=
        CELL_INLINE_MAX carries its payload inline: `payload` (exactly `length` bytes) is
        written into the cell, else its inline bytes stay as they are. Without `check`, the
        cell's check is computed over the payload where the cell announces it (the inline
        bytes, or the slot's area for a longer cell)."""
        return self._w.push(
            self.index, slot, generation, method, length, kind, status, check, payload
        )

    def try_pop(self) -> Cell | None:
        """Take one cell, unverified (its check is not compared); None if the ring is empty."""
        return self._w.pop(self.index)

    def is_empty(self) -> bool:
        return self._w.is_empty(self.index)

    def depth(self) -> int:
        """Approximate number of cells filled or claimed (exact when quiescent)."""
        deq = self._a.load_u64(self._deq)
        return max(0, min(self.capacity, self._a.load_u64(self._enq) - deq))
