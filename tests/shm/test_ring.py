"""Ring semantics in one thread, then many producers and consumers in several processes."""

from __future__ import annotations

import multiprocessing as mp

import pytest

from rust2go.shm import layout as L
from rust2go.shm.errors import ShmLayoutError
from rust2go.shm.geometry import plan
from rust2go.shm.segment import Segment


def _segment(ring: int) -> Segment:
    return Segment.create("pt_ring", geometry=plan(ring, ring, ring, 0, 0))


def test_fifo_full_and_empty():
    seg = _segment(4)
    try:
        r = seg.request_ring
        assert r.try_pop() is None and r.is_empty()
        for i in range(4):
            assert r.try_push(i, i + 10, 1, 2, 3, 4)
        assert not r.try_push(9, 9, 9, 9, 9) and r.depth() == 4
        assert [r.try_pop() for _ in range(4)] == [(i, i + 10, 1, 2, 3, 4) for i in range(4)]
        assert r.try_pop() is None
        for lap in range(10):  # wrap around many times
            assert r.try_push(lap, 0, 0, 0, 1) and r.try_pop()[0] == lap
    finally:
        seg.unlink()
        seg.close()


def test_a_seq_no_cell_can_have_is_reported_not_waited_on():
    """A flipped seq must not read as a full or empty ring for good: a cell's seq is its
    position or one more modulo the capacity, at most a lap behind."""
    seg = _segment(4)
    try:
        r = seg.request_ring
        at = seg.geometry.request_ring_offset + L.RING.size + L.CELL.offset("seq")
        seg.atom.store_u64(at, (1 - 4) % (1 << 64))  # the last lap taken, not yet released
        assert r.try_pop() is None and r.is_empty() and not r.try_push(0, 0, 0, 0, 1)
        for seq in ((1 << 63) + 5, (-2) % (1 << 64), (-7) % (1 << 64)):
            seg.atom.store_u64(at, seq)
            assert not r.is_empty(), seq
            with pytest.raises(
                ShmLayoutError,
                match=rf"cell\[0\]\.seq={seq} cannot be the seq of a cell at request_ring\.dequeue_pos=0",
            ):
                r.try_pop()
            with pytest.raises(ShmLayoutError, match="enqueue_pos=0: ring corrupt"):
                r.try_push(0, 0, 0, 0, 1)
    finally:
        seg.unlink()
        seg.close()


def _produce(name: str, who: int, n: int) -> None:
    seg = Segment.open(name)
    for i in range(n):
        while not seg.request_ring.try_push(who, i, 0, 0, 1):
            pass
    seg.close()


def _consume(name: str, n_total: int, out) -> None:
    seg = Segment.open(name)
    got = []
    while True:
        cell = seg.request_ring.try_pop()
        if cell is None:
            continue
        if cell[4] == 0:  # stop marker
            break
        got.append((cell[0], cell[1]))
    out.put(got)
    seg.close()


def test_mpmc_exactly_once_across_processes():
    seg = _segment(8)  # small ring: producers constantly hit "full"
    n, producers, consumers = 20_000, 2, 2
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    try:
        cons = [ctx.Process(target=_consume, args=(seg.name, n, out)) for _ in range(consumers)]
        prods = [ctx.Process(target=_produce, args=(seg.name, w, n)) for w in range(producers)]
        for p in cons + prods:
            p.start()
        for p in prods:
            p.join()
        for _ in cons:
            while not seg.request_ring.try_push(0, 0, 0, 0, 0):
                pass
        got = [x for _ in cons for x in out.get(timeout=60)]
        for p in cons:
            p.join()
    finally:
        seg.unlink()
        seg.close()
    assert len(got) == producers * n
    assert set(got) == {(w, i) for w in range(producers) for i in range(n)}
