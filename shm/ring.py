"""Bounded lock-free ring of fixed 32-byte cells in shared memory, safe for any number of
producer and consumer threads or processes (per-cell sequence numbers).

Cell state machine at position pos, capacity C (also in docs/shm-layout.md):

| from            | to              | who      | atomic op                       | when            |
|-----------------|-----------------|----------|---------------------------------|-----------------|
| EMPTY seq=pos   | CLAIMED         | producer | CAS enqueue_pos pos -> pos+1    | seq == pos      |
| CLAIMED         | FULL seq=pos+1  | producer | store-release seq               | body written    |
| FULL seq=pos+1  | TAKEN           | consumer | CAS dequeue_pos pos -> pos+1    | seq == pos+1    |
| TAKEN           | EMPTY seq=pos+C | consumer | store-release seq               | body copied out |

seq < pos (producer) means full; seq < pos+1 (consumer) means empty. seq beyond the
expected value means another thread moved on: reload the position. If it did not move,
the segment is corrupt (a hostile peer) and we raise instead of spinning forever.
No lock lives in the ring; a dead process can leave at most one cell CLAIMED or TAKEN,
and a dead peer ends the session anyway (the callee resets the rings)."""

from __future__ import annotations

from rust2go.shm import layout as L
from rust2go.shm.codec import CELL_BODY, CELL_BODY_OFFSET
from rust2go.shm.errors import ShmLayoutError

Cell = tuple[int, int, int, int, int, int]  # slot, generation, method, length, kind, status

_CELL = L.CELL.size
_ENQ = L.RING.offset("enqueue_pos")
_DEQ = L.RING.offset("dequeue_pos")


class Ring:
    __slots__ = ("name", "capacity", "_a", "_mem", "_enq", "_deq", "_cells", "_mask")

    def __init__(self, name: str, atom, mem: memoryview, offset: int, capacity: int) -> None:
        self.name = name
        self.capacity = capacity
        self._a = atom
        self._mem = mem
        self._enq = offset + _ENQ
        self._deq = offset + _DEQ
        self._cells = offset + L.RING.size
        self._mask = capacity - 1

    def initialise(self) -> None:
        """Only while no peer touches the ring (create, or callee reset)."""
        a = self._a
        a.store_u64(self._enq, 0)
        a.store_u64(self._deq, 0)
        for i in range(self.capacity):
            a.store_u64(self._cells + i * _CELL, i)

    def try_push(self, slot: int, generation: int, method: int, length: int, kind: int,
                 status: int = 0) -> bool:  # fmt: skip
        """Publish one cell; False if the ring is full."""
        a = self._a
        load = a.load_u64
        pos = load(self._enq)
        while True:
            cell = self._cells + (pos & self._mask) * _CELL
            dif = load(cell) - pos
            if dif == 0:
                if a.cas_u64(self._enq, pos, pos + 1):
                    break
                pos = load(self._enq)
            elif dif < 0:
                return False
            else:
                pos = self._moved(self._enq, pos, cell, "enqueue_pos")
        CELL_BODY.pack_into(
            self._mem, cell + CELL_BODY_OFFSET, slot, generation, method, length, kind, status
        )
        a.store_u64(cell, pos + 1)
        return True

    def try_pop(self) -> Cell | None:
        """Take one cell; None if the ring is empty."""
        a = self._a
        load = a.load_u64
        pos = load(self._deq)
        while True:
            cell = self._cells + (pos & self._mask) * _CELL
            dif = load(cell) - (pos + 1)
            if dif == 0:
                if a.cas_u64(self._deq, pos, pos + 1):
                    break
                pos = load(self._deq)
            elif dif < 0:
                return None
            else:
                pos = self._moved(self._deq, pos, cell, "dequeue_pos")
        body = CELL_BODY.unpack_from(self._mem, cell + CELL_BODY_OFFSET)
        a.store_u64(cell, pos + self.capacity)
        return body

    def is_empty(self) -> bool:
        pos = self._a.load_u64(self._deq)
        return self._a.load_u64(self._cells + (pos & self._mask) * _CELL) != pos + 1

    def depth(self) -> int:
        """Approximate number of cells filled or claimed (exact when quiescent)."""
        deq = self._a.load_u64(self._deq)
        return max(0, min(self.capacity, self._a.load_u64(self._enq) - deq))

    def _moved(self, counter: int, pos: int, cell: int, field: str) -> int:
        new = self._a.load_u64(counter)
        if new == pos:
            seq = self._a.load_u64(cell)
            raise ShmLayoutError(f"{self.name}.cell[{pos & self._mask}].seq={seq} is ahead of "
                                 f"{self.name}.{field}={pos}: ring corrupt")  # fmt: skip
        return new
