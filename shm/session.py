"""Caller attachment, arbitrated by CAS on header.caller_pid and header.caller_state (one
caller process per segment at a time; any number of tasks/threads inside it).

| from            | to              | who    | op                                   | when                              |
|-----------------|-----------------|--------|--------------------------------------|-----------------------------------|
| VACANT          | VACANT(claimed) | caller | CAS caller_pid 0 -> own pid          | caller lock file held             |
| VACANT(claimed) | VACANT(claimed) | caller | CAS caller_pid dead pid -> own pid   | the claimer's lock is not held    |
| VACANT(claimed) | ATTACHED        | caller | CAS caller_state; store pid; session+=1 | own pid claimed                |
| ATTACHED        | DETACHED        | caller | CAS; ring callee                     | clean disconnect, or a violation the caller saw |
| ATTACHED        | BROKEN          | callee | CAS; ring caller                     | a violation the callee saw        |
| BROKEN          | DETACHED        | caller | CAS; ring callee                     | its pending calls failed          |
| ATTACHED        | RESETTING       | callee | CAS                                  | caller lock released (death), or caller_pid 0 for ATTACH_GRACE |
| BROKEN          | RESETTING       | callee | CAS                                  | caller dead, or BROKEN_GRACE passed |
| DETACHED        | RESETTING       | callee | CAS                                  | noticed the detach                |
| VACANT          | RESETTING       | callee | CAS                                  | a violation with no caller attached |
| RESETTING       | VACANT          | callee | pid = 0; store-release               | rings + slots re-initialised      |

The pid is claimed before the state moves, so whatever instant an attacher dies at, it
leaves nothing, a claim naming its own lock file (the next attacher sees the lock free
and takes the claim over), or ATTACHED with its pid (the callee's liveness probe
recycles it). A claim made while the callee was RESETTING may be cleared by its reset;
the pid is stored again after the state CAS for that reason.

ATTACHED with caller_pid 0 is never produced by that order. A peer that leaves it
(hostile, or one that writes its pid after its CAS and died in between) is recycled once
the callee has seen it, in the same session, for ATTACH_GRACE: a live attacher of that
kind writes its pid microseconds after its CAS. Attachers meanwhile wait, they do not
report SegmentBusy.

Only CASes move caller_state away from ATTACHED or BROKEN, so a late detach of a caller
whose session the callee already recycled cannot clobber the next caller's ATTACHED."""

from __future__ import annotations

import os

from rust2go.shm import layout as L
from rust2go.shm.errors import PeerGone, SegmentBusy
from rust2go.shm.liveness import Liveness, OwnerLock, probe, remove_if_dead
from rust2go.shm.segment import Segment
from rust2go.shm.validate import check_ring_positions

CS = L.CallerState

ATTACH_GRACE = 1.0  # seconds ATTACHED with caller_pid 0 is tolerated (same session)
BROKEN_GRACE = 1.0  # seconds a live caller gets to detach from BROKEN


def callee_problem(seg: Segment) -> str | None:
    """Why calls on this segment cannot complete, or None if the callee serves."""
    state = seg.load("segment_state")
    if state in (L.SegmentState.CLOSED, L.SegmentState.CREATING):
        return f"callee of {seg.name} is {L.SegmentState(state).name.lower()}"
    if seg.callee_liveness() is not Liveness.ALIVE:
        return f"callee pid {seg.load('callee_pid')} of {seg.name} is gone"
    return None


def session_problem(seg: Segment) -> str | None:
    """For an attached caller: why its calls cannot complete, or None. Besides BROKEN and
    a gone callee, a session that is no longer this caller's (caller_state left ATTACHED,
    or caller_pid names another process: a stray write, or a callee that took this caller
    for gone and recycled) would otherwise leave its calls unanswered until they time out."""
    state = seg.load("caller_state")
    if state == CS.BROKEN:
        return f"the callee of {seg.name} ended this session (its log says why)"
    gone = callee_problem(seg)
    if gone:
        return gone
    if state != CS.ATTACHED:
        return f"the session on {seg.name} is no longer this caller's: header.caller_state={state}"
    pid = seg.load("caller_pid")
    if pid != os.getpid():
        return (
            f"the session on {seg.name} is no longer this caller's: header.caller_pid={pid}, "
            f"this process is {os.getpid()}"
        )
    return None


def take_caller_lock(seg: Segment) -> OwnerLock:
    try:
        return OwnerLock(seg.names.caller_lock(os.getpid()))
    except BlockingIOError:
        raise SegmentBusy(f"{seg.name} is already attached by this process") from None


def _lock_alive(seg: Segment, pid: int) -> bool:
    return probe(seg.names.caller_lock(pid)) is Liveness.ALIVE


def _claim(seg: Segment, me: int) -> bool:
    """Own caller_pid (state VACANT); False: lost a race, try again."""
    pid = seg.load("caller_pid")
    if pid == me:
        return True
    if pid == 0:
        return seg.cas("caller_pid", 0, me)
    if _lock_alive(seg, pid):
        raise SegmentBusy(f"{seg.name} is being attached by pid {pid}")
    if not seg.cas("caller_pid", pid, me):
        return False
    remove_if_dead(seg.names.caller_lock(pid))  # the dead claimer's lock file
    return True


def try_attach(seg: Segment) -> bool:
    """One attach attempt (caller lock already held). False: try again shortly (a
    departed caller is being recycled, or a race was lost)."""
    problem = callee_problem(seg)
    if problem:
        raise PeerGone(problem)
    state = seg.load("caller_state")
    if state != CS.VACANT:
        pid = seg.load("caller_pid")
        if state == CS.ATTACHED and pid and _lock_alive(seg, pid):
            raise SegmentBusy(f"{seg.name} already has a live caller (pid {pid})")
        seg.callee_bell.ring()  # make sure the callee notices and recycles soon
        return False
    me = os.getpid()
    if not _claim(seg, me):
        return False
    if not seg.cas("caller_state", CS.VACANT, CS.ATTACHED):
        seg.cas("caller_pid", me, 0)  # give the claim back
        return False
    seg.store("caller_pid", me)
    seg.fetch_add("session", 1)
    g = seg.geometry
    check_ring_positions(seg.mem, "request_ring", g.request_ring_offset, g.request_ring_capacity)
    check_ring_positions(
        seg.mem, "completion_ring", g.completion_ring_offset, g.completion_ring_capacity
    )
    return True


def release_claim(seg: Segment) -> None:
    """An attacher that gives up: drop a claim it may still hold (state VACANT)."""
    if seg.load("caller_state") == CS.VACANT:
        seg.cas("caller_pid", os.getpid(), 0)


def detach(seg: Segment) -> None:
    for src in (CS.ATTACHED, CS.BROKEN):
        if seg.cas("caller_state", src, CS.DETACHED):
            break
    seg.callee_bell.ring()  # the callee's park re-check looks at caller_state too


def caller_gone(seg: Segment) -> bool:
    """DETACHED, or ATTACHED/BROKEN by a caller whose lock the OS released."""
    state = seg.load("caller_state")
    if state == CS.DETACHED:
        return True
    if state not in (CS.ATTACHED, CS.BROKEN):
        return False
    pid = seg.load("caller_pid")
    return pid != 0 and not _lock_alive(seg, pid)


def begin_recycle(seg: Segment, src: int) -> int | None:
    """Callee: claim the reset of the session in state `src`; its caller's pid, or None
    if the state moved meanwhile."""
    if seg.cas("caller_state", src, CS.RESETTING):
        return seg.load("caller_pid")
    return None


def finish_recycle(seg: Segment, pid: int) -> None:
    """Callee, with no local work in flight: fresh rings and slots, then VACANT."""
    seg.reset_session()
    if pid:
        remove_if_dead(seg.names.caller_lock(pid))
    seg.store("caller_state", CS.VACANT)
