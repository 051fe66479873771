"""The C extension: semantics, bounds checks, and real atomicity across processes."""

from __future__ import annotations

import mmap
import multiprocessing as mp

import pytest

from rust2go.shm._atomics import AtomicView, fence


def test_ops_semantics():
    m = mmap.mmap(-1, 64)
    a = AtomicView(m)
    a.store_u64(8, 2**64 - 1)
    assert a.load_u64(8) == 2**64 - 1
    assert a.fetch_add_u64(8, 1) == 2**64 - 1 and a.load_u64(8) == 0  # wraps
    assert a.cas_u64(8, 0, 5) and not a.cas_u64(8, 0, 6) and a.load_u64(8) == 5
    assert a.exchange_u32(0, 7) == 0 and a.load_u32(0) == 7
    assert a.fetch_add_u32(0, -1) == 7 and a.load_u32(0) == 6
    fence()
    a.release()
    m.close()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda a: a.load_u64(-8), "out of bounds"),
        (lambda a: a.load_u64(60), "out of bounds"),
        (lambda a: a.load_u32(2), "not 4-byte aligned"),
        (lambda a: a.store_u32(0, 2**32), "does not fit in u32"),
        (lambda a: a.cas_u64(4, 0, 1), "not 8-byte aligned"),
    ],
)
def test_bad_offsets_raise_instead_of_crashing(call, message):
    m = mmap.mmap(-1, 64)
    a = AtomicView(m)
    with pytest.raises(ValueError, match=message):
        call(a)
    a.release()
    with pytest.raises(ValueError, match="released"):
        a.load_u32(0)
    m.close()


def test_read_only_buffer_is_refused():
    with pytest.raises(BufferError, match="not writable"):
        AtomicView(b"\0" * 64)


def _adder(m: mmap.mmap, n: int) -> None:
    a = AtomicView(m)
    for _ in range(n):
        a.fetch_add_u64(0, 1)
        while True:  # CAS increment, the pattern the ring uses
            v = a.load_u64(8)
            if a.cas_u64(8, v, v + 1):
                break
    a.release()


def test_fetch_add_and_cas_are_atomic_across_processes():
    m = mmap.mmap(-1, 64)  # MAP_SHARED|ANONYMOUS: shared with forked children
    n = 100_000
    procs = [mp.get_context("fork").Process(target=_adder, args=(m, n)) for _ in range(2)]
    for p in procs:
        p.start()
    _adder(m, n)
    for p in procs:
        p.join()
        assert p.exitcode == 0
    a = AtomicView(m)
    assert (a.load_u64(0), a.load_u64(8)) == (3 * n, 3 * n)
    a.release()
