"""Caller attachment, arbitrated by CAS on header.caller_state (one caller process per
segment at a time; any number of tasks/threads inside it).

| from      | to        | who    | op                                 | when                          |
|-----------|-----------|--------|------------------------------------|-------------------------------|
| VACANT    | ATTACHED  | caller | CAS; store caller_pid; session+=1  | caller lock file held         |
| ATTACHED  | DETACHED  | caller | store-release; ring callee         | clean disconnect              |
| ATTACHED  | RESETTING | callee | CAS                                | caller lock released (death)  |
| DETACHED  | RESETTING | callee | CAS                                | noticed the detach            |
| RESETTING | VACANT    | callee | store-release                      | rings + slots re-initialised  |

While ATTACHED with caller_pid still 0 the caller is between its CAS and its pid store;
the callee treats it as alive."""

from __future__ import annotations

import contextlib
import os

from rust2go.shm import layout as L
from rust2go.shm.errors import PeerGone, SegmentBusy
from rust2go.shm.liveness import Liveness, OwnerLock, probe
from rust2go.shm.segment import Segment
from rust2go.shm.validate import check_ring_positions

CS = L.CallerState


def callee_problem(seg: Segment) -> str | None:
    """Why calls on this segment cannot complete, or None if the callee serves."""
    state = seg.load("segment_state")
    if state in (L.SegmentState.CLOSED, L.SegmentState.CREATING):
        return f"callee of {seg.name} is {L.SegmentState(state).name.lower()}"
    if seg.callee_liveness() is not Liveness.ALIVE:
        return f"callee pid {seg.load('callee_pid')} of {seg.name} is gone"
    return None


def take_caller_lock(seg: Segment) -> OwnerLock:
    try:
        return OwnerLock(seg.names.caller_lock(os.getpid()))
    except BlockingIOError:
        raise SegmentBusy(f"{seg.name} is already attached by this process") from None


def try_attach(seg: Segment) -> bool:
    """One attach attempt (caller lock already held). False: a dead caller is being recycled."""
    problem = callee_problem(seg)
    if problem:
        raise PeerGone(problem)
    if seg.cas("caller_state", CS.VACANT, CS.ATTACHED):
        seg.store("caller_pid", os.getpid())
        seg.fetch_add("session", 1)
        g = seg.geometry
        check_ring_positions(
            seg.mem, "request_ring", g.request_ring_offset, g.request_ring_capacity
        )
        check_ring_positions(
            seg.mem, "completion_ring", g.completion_ring_offset, g.completion_ring_capacity
        )
        return True
    if seg.load("caller_state") == CS.ATTACHED and not caller_gone(seg):
        raise SegmentBusy(f"{seg.name} already has a live caller (pid {seg.load('caller_pid')})")
    seg.callee_bell.ring()  # make sure the callee notices and recycles soon
    return False


def detach(seg: Segment) -> None:
    seg.store("caller_state", CS.DETACHED)
    seg.callee_bell.ring()  # the callee's park re-check looks at caller_state too


def caller_gone(seg: Segment) -> bool:
    state = seg.load("caller_state")
    if state == CS.DETACHED:
        return True
    if state != CS.ATTACHED:
        return False
    pid = seg.load("caller_pid")
    return pid != 0 and probe(seg.names.caller_lock(pid)) is not Liveness.ALIVE


def begin_recycle(seg: Segment) -> int | None:
    """Callee: claim the reset of a departed caller; returns its pid, or None if not gone."""
    for src in (CS.DETACHED, CS.ATTACHED):
        if (src == CS.DETACHED or caller_gone(seg)) and seg.cas("caller_state", src, CS.RESETTING):
            return seg.load("caller_pid")
    return None


def finish_recycle(seg: Segment, pid: int) -> None:
    """Callee, with no local work in flight: fresh rings and slots, then VACANT."""
    seg.reset_session()
    if pid and probe(seg.names.caller_lock(pid)) is not Liveness.ALIVE:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(seg.names.caller_lock(pid))
    seg.store("caller_state", CS.VACANT)
