"""What a callee does with one request cell, independent of how it is scheduled:
check the cell, read the request, run the handler, write the reply, answer exactly once.

A protocol violation (a ring cell out of sequence, a request naming no slot or failing its check, a completion
ring that stays full) ends the caller's session, never the callee:

    serving -violation-> broken: log the field; CAS caller_state ATTACHED -> BROKEN, ring
                         the caller; stop popping and answering (nothing in the rings
                         can be trusted, and the caller fails its pending calls itself)
    broken  -caller detached, died, or BROKEN_GRACE passed (its partner ignores BROKEN)
            -> recycle (fresh rings and slots, caller_state VACANT) -> serving
Requests taken off the ring and lost to a local error (out of memory while copying them
out) end the session the same way (`end_session`): their calls could never be answered.
A violation with no caller attached recycles at once (VACANT -> RESETTING). A
caller_state that is no CallerState (a stray write) is a violation and becomes BROKEN; a
segment_state other than SERVING while serving (only the callee writes it) is a
violation and is stored back."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from rust2go.shm import layout as L
from rust2go.shm import session
from rust2go.shm.errors import ShmLayoutError
from rust2go.shm.hotpath import (
    ANSWER_DROPPED,
    ANSWER_FULL,
    ANSWER_POST,
    TAKE_ABANDONED,
    TAKE_CORRUPT,
    TAKE_MALFORMED,
    TAKE_OK,
)
from rust2go.shm.segment import Segment

log = logging.getLogger("rust2go.runtime.callee")


class UnknownMethod(Exception):
    """Raise from a handler for a method id it does not serve."""


@dataclass
class CalleeStats:
    handled: int = 0
    skipped_abandoned: int = 0  # popped after the caller gave up: handler not run
    replies_dropped: int = 0  # caller gave up while the handler ran
    protocol_errors: int = 0
    recycles: int = 0
    last_violation: str = ""  # the latest protocol violation, naming the field


# A job is the tuple Wire.take_requests returns for a good cell:
# (TAKE_OK, slot, generation, method, kind, payload).
Job = tuple[int, int, int, int, int, bytes]
_OK, _ONEWAY = L.CallStatus.OK, L.CellKind.ONEWAY
CS = L.CallerState
PROBE_PERIOD = 0.02  # seconds between liveness probes of the caller, however often woken
IDLE_PARK = 1.0  # seconds an idle callee sleeps on its doorbell (see CalleeCore.park_timeout)
FULL_PATIENCE = 0.1  # seconds a full completion ring is waited out (only a broken caller fills it)


class CalleeCore:
    def __init__(self, seg: Segment) -> None:
        self.seg = seg
        self.stats = CalleeStats()
        g = seg.geometry
        self._wire = seg.wire
        self._resp_cap = g.response_capacity
        self._completions = seg.completion_ring
        self._caller_bell = seg.caller_bell
        self.closing = False  # set by the quit handshake before segment_state leaves SERVING
        self._broken = False  # a violation was seen; cleared by recycle()
        self._broken_at = 0.0
        self._unclaimed: tuple[int, float] | None = None  # (session, since): ATTACHED, pid 0
        self._probed_at = 0.0

    def take(self, max_jobs: int = 1) -> list[Job] | None:
        """Pop up to `max_jobs` request cells (None: the ring was empty). Cells that need
        no handler (abandoned, malformed) are answered here and left out of the list."""
        if self._broken:
            return None
        try:
            items = self._wire.take_requests(max_jobs)
        except ShmLayoutError as e:
            self.violation(str(e))
            return None
        except Exception as e:  # noqa: BLE001 - any failure here loses the cells taken
            # Their calls can never be answered and which ones is unknown: end the session
            # (the caller fails what is pending) rather than leave them waiting for good.
            self.end_session(f"taking requests failed ({type(e).__name__}: {e})")
            return None
        if not items:
            return None
        for item in items:
            if item[0] != TAKE_OK:
                return [job for job in items if self._screen(job)]
        return items

    def _screen(self, item: tuple) -> bool:
        verdict, slot, gen, method, _, detail = item
        if verdict == TAKE_OK:
            return True
        if verdict == TAKE_CORRUPT:  # detail names the ring, the slot and both checks
            self.violation(detail)
            return False
        if verdict == TAKE_ABANDONED:
            self.stats.skipped_abandoned += 1
            self._push(slot, gen, method, L.CallStatus.ABANDONED, b"")
        elif verdict == TAKE_MALFORMED:
            self.stats.protocol_errors += 1
            self._answer(slot, gen, method, L.CallStatus.HANDLER_ERROR, b"malformed request cell")
        else:  # TAKE_NO_SLOT: cannot be answered, so its call would never end
            self.violation(
                f"request_ring cell.slot={slot} is not below "
                f"header.slot_count={self.seg.geometry.slot_count}"
            )
        return False

    def serve(self, handler, jobs: list[Job], stopping=lambda: False) -> None:
        """Run a sync handler over a batch, answering each job as it finishes; once
        `stopping()` the rest are answered CALLEE_CLOSING without running."""
        answer = self._answer
        for job in jobs:
            _, slot, gen, method, kind, payload = job
            if stopping():
                answer(slot, gen, method, L.CallStatus.CALLEE_CLOSING, b"callee is shutting down")
                continue
            status, reply = run_sync(handler, method, payload)
            if kind == _ONEWAY and status == _OK:
                reply = b""
            answer(slot, gen, method, status, reply)
        self.stats.handled += len(jobs)

    def finish(self, job: Job, status: int, reply: bytes) -> None:
        self.stats.handled += 1
        if job[4] == _ONEWAY and status == _OK:
            reply = b""
        self._answer(job[1], job[2], job[3], status, reply)

    def _answer(self, slot: int, gen: int, method: int, status: int, reply) -> None:
        cap = self._resp_cap
        if len(reply) > cap:
            if status == _OK:
                status, reply = (
                    L.CallStatus.RESPONSE_TOO_LARGE,
                    f"reply of {len(reply)} bytes exceeds the response capacity of {cap}".encode(),
                )
            reply = reply[:cap]  # only ever an error text
        if self._broken:
            return  # the caller failed this call already; the rings are to be reset
        try:
            flags = self._wire.answer(slot, gen, method, status, reply)
        except ShmLayoutError as e:
            self.violation(str(e))
            return
        if not flags:
            return
        if flags & ANSWER_POST:
            self._caller_bell.post()
        if flags & ANSWER_DROPPED:
            self.stats.replies_dropped += 1
            status, reply = L.CallStatus.ABANDONED, b""
        if flags & ANSWER_FULL:  # only a caller that breaks the protocol fills it
            self._push(slot, gen, method, status, reply)

    def _push(self, slot: int, gen: int, method: int, status: int, reply: bytes) -> None:
        ring = self._completions
        # A short reply travels in the cell (answer() left the response area alone); the
        # push computes its check as it copies it in. A long one is in the response area.
        inline = reply if len(reply) <= L.CELL_INLINE_MAX else None
        check = (
            None
            if inline is not None
            else self._wire.check(slot, gen, method, L.CellKind.REPLY, status, reply)
        )
        # capacity >= slot_count (validated) and one completion per slot: never full
        # unless the caller breaks the protocol; wait a little for it, then end the session.
        deadline = 0.0
        try:
            while not ring.try_push(
                slot, gen, method, len(reply), L.CellKind.REPLY, status, check, inline
            ):
                self._caller_bell.ring()
                now = time.monotonic()
                deadline = deadline or now + FULL_PATIENCE
                if now > deadline:
                    raise ShmLayoutError(
                        f"completion_ring stayed full for {FULL_PATIENCE}s although each of "
                        f"header.slot_count={self.seg.geometry.slot_count} slots has at most "
                        "one completion in it"
                    )
        except ShmLayoutError as e:
            self.violation(str(e))
            return
        self._caller_bell.ring()

    def violation(self, why: str) -> None:
        """End the caller's session over a protocol violation (module docstring)."""
        self.stats.protocol_errors += 1
        self.stats.last_violation = why
        self.end_session(f"protocol violation: {why}")

    def end_session(self, why: str) -> None:
        """Mark the caller's session BROKEN (logged with `why`): the caller fails its pending
        calls and detaches, then the segment recycles."""
        log.error("shm segment %s: %s; ending the caller's session", self.seg.name, why)
        if not self._broken:
            self._broken_at = time.monotonic()
        self._broken = True
        self.seg.cas("caller_state", CS.ATTACHED, CS.BROKEN)
        self._caller_bell.ring()

    # -- control -----------------------------------------------------------------------
    def caller_departed(self, probe: bool) -> int | None:
        """Claim a recycle if the caller detached, or (when probing) died, abandoned its
        attach, or ignores BROKEN; the departed caller's pid (0 if none), or None."""
        seg = self.seg
        served = seg.load("segment_state")  # loaded before `closing` is looked at (close())
        if served != L.SegmentState.SERVING and not self.closing:  # only the callee writes it
            self.violation(f"header.segment_state={served} is not SERVING")
            seg.cas("segment_state", served, L.SegmentState.SERVING)
        state = seg.load("caller_state")
        if state == CS.VACANT:
            self._repair_caller_parked()
        if state not in CS._value2member_map_:  # a stray write: no caller state machine left
            self.violation(f"header.caller_state={state} is not a CallerState")
            seg.cas("caller_state", state, CS.BROKEN)  # recycled like any broken session
            return None
        if state == CS.DETACHED or (self._broken and state == CS.VACANT):
            return session.begin_recycle(seg, state)
        if self._broken and state == CS.ATTACHED:
            seg.cas("caller_state", CS.ATTACHED, CS.BROKEN)
            return None
        if state not in (CS.ATTACHED, CS.BROKEN):
            return None
        now = time.monotonic()
        if not probe and now - self._probed_at < PROBE_PERIOD:
            return None  # (an attacher ringing every few ms must not starve the probe)
        self._probed_at = now
        if session.caller_gone(seg) or (
            self._abandoned_attach()
            if state == CS.ATTACHED
            else now - self._broken_at > session.BROKEN_GRACE
        ):
            return session.begin_recycle(seg, state)
        return None

    def park_timeout(self, busy: float) -> float:
        """How long to sleep on the doorbell before probing the caller: `busy` (the
        configured park timeout) while a grace period runs (a broken session, ATTACHED
        with caller_pid 0 being timed) so it ends on time, else at least IDLE_PARK. An
        attacher and a detaching caller ring the doorbell, so neither waits for the probe;
        what is left to it is a caller that died while idle, and each probe wakes a thread."""
        if self._broken or self._unclaimed is not None:
            return busy
        return max(busy, IDLE_PARK)

    def _repair_caller_parked(self) -> None:
        """Only an attached caller writes caller_parked and attachers refuse anything but
        0 or 1, so a stray write while no caller is attached would refuse every caller to
        come; with none attached the flag has no owner, and the callee stores 0."""
        parked = self.seg.load("caller_parked")
        if parked > 1 and self.seg.cas("caller_parked", parked, 0):
            log.warning("shm segment %s: header.caller_parked=%d is not 0 or 1 with no caller "
                        "attached: stored 0", self.seg.name, parked)  # fmt: skip

    def _abandoned_attach(self) -> bool:
        """ATTACHED with caller_pid 0 in one session for ATTACH_GRACE (shm/session.py)."""
        if self.seg.load("caller_pid") != 0:
            self._unclaimed = None
            return False
        now, sess = time.monotonic(), self.seg.load("session")
        if self._unclaimed is None or self._unclaimed[0] != sess:
            self._unclaimed = (sess, now)
            return False
        return now - self._unclaimed[1] > session.ATTACH_GRACE

    def recycle(self, pid: int) -> None:
        session.finish_recycle(self.seg, pid)
        self._broken = False
        self._unclaimed = None
        self.stats.recycles += 1

    def ready(self) -> bool:
        """Doorbell re-check: something for the callee to look at."""
        state = self.seg.load("caller_state")
        if self._broken:  # the ring is not looked at; a detach ends the wait
            return state != CS.BROKEN
        return not self.seg.request_ring.is_empty() or state == CS.DETACHED


def run_sync(handler, method: int, payload: bytes) -> tuple[int, bytes]:
    try:
        reply = handler(method, payload)
        return _OK, reply if type(reply) is bytes else bytes(reply)
    except UnknownMethod as e:
        return L.CallStatus.UNKNOWN_METHOD, str(e).encode()
    except Exception as e:  # the handler's failure is the caller's answer
        return L.CallStatus.HANDLER_ERROR, f"{type(e).__name__}: {e}".encode()
