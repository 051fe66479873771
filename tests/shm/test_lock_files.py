"""Lock files (shm/liveness.py): a dead owner's file is removed only under its lock, and a
new owner whose file was removed between its open and its lock takes a fresh one. So a
caller that reattaches from the same process (the same lock file name) right when the
callee recycles its departed session keeps its lock."""

from __future__ import annotations

import fcntl
import os

from rust2go.shm import liveness
from rust2go.shm.geometry import plan
from rust2go.shm.liveness import Liveness, OwnerLock, probe, remove_if_dead
from rust2go.shm.segment import Segment


def test_a_live_owners_file_stays_and_a_dead_owners_goes(tmp_path):
    path = str(tmp_path / "r2g-x.lock-caller-1")
    owner = OwnerLock(path)
    assert not remove_if_dead(path)
    assert probe(path) is Liveness.ALIVE
    owner.release(unlink=False)  # the owner died without cleaning up
    assert probe(path) is Liveness.DEAD
    assert remove_if_dead(path)
    assert probe(path) is Liveness.MISSING
    assert not remove_if_dead(path)


def test_an_owner_whose_file_is_removed_before_it_locks_takes_a_new_one(tmp_path, monkeypatch):
    path = str(tmp_path / "r2g-x.lock-caller-1")
    open(path, "w").close()  # a departed caller's file, about to be removed
    real_flock, removed = fcntl.flock, []

    def flock_after_a_remover(fd, op):
        if not removed:  # another process removes the dead file between open and lock
            removed.append(None)
            removed[0] = remove_if_dead(path)  # (its own flock comes back here: real)
        return real_flock(fd, op)

    monkeypatch.setattr(liveness.fcntl, "flock", flock_after_a_remover)
    owner = OwnerLock(path)
    monkeypatch.setattr(liveness.fcntl, "flock", real_flock)
    assert removed == [True]
    assert probe(path) is Liveness.ALIVE  # the file at the path is the one held
    assert not remove_if_dead(path)
    assert os.path.exists(path)
    owner.release()
    assert probe(path) is Liveness.MISSING


def test_a_caller_probes_its_own_callee_not_a_successor_under_the_same_name():
    """A caller keeps a descriptor of its callee's lock file from the moment it opens the
    segment: once that callee died, a new one serving the name (a new lock file at the
    path) is not taken for it."""
    name = f"/r2g-pt_probe_{os.getpid()}"
    first = Segment.create(name=name, geometry=plan(4))
    caller = Segment.open(name)
    try:
        assert caller.callee_liveness() is Liveness.ALIVE
        first.owner_lock.release(unlink=False)  # the callee dies, leaving its objects
        first.owner_lock = None
        assert caller.callee_liveness() is Liveness.DEAD
        second = Segment.create(name=name, geometry=plan(4))  # restarted under the name
        try:
            assert probe(second.names.callee_lock) is Liveness.ALIVE
            assert caller.callee_liveness() is Liveness.DEAD
        finally:
            second.unlink()
            second.close()
    finally:
        caller.close()
        first.close()


def test_a_caller_that_found_no_callee_lock_never_takes_a_later_one_for_its_callee():
    """No lock file when the segment was opened (its callee gone and cleaned up): a file a
    new callee creates at the path later belongs to another segment's callee."""
    name = f"/r2g-pt_nolock_{os.getpid()}"
    first = Segment.create(name=name, geometry=plan(4))
    first.owner_lock.release()  # the callee dies and its lock file is removed
    first.owner_lock = None
    caller = Segment.open(name)
    try:
        assert caller.callee_liveness() is Liveness.MISSING
        successor = OwnerLock(first.names.callee_lock)  # a new callee's file at the path
        try:
            assert probe(first.names.callee_lock) is Liveness.ALIVE
            assert caller.callee_liveness() is Liveness.MISSING
        finally:
            successor.release()
    finally:
        caller.close()
        first.unlink()
        first.close()
