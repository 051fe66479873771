"""What a callee does with one request cell, independent of how it is scheduled:
check the cell, read the request, run the handler, write the reply, answer exactly once."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from rust2go.shm import layout as L
from rust2go.shm import session
from rust2go.shm.segment import Segment
from rust2go.shm.wire import (
    ANSWER_DROPPED,
    ANSWER_FULL,
    ANSWER_POST,
    TAKE_ABANDONED,
    TAKE_MALFORMED,
    TAKE_OK,
)

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


# A job is the tuple Wire.take_requests returns for a good cell:
# (TAKE_OK, slot, generation, method, kind, payload).
Job = tuple[int, int, int, int, int, bytes]
_OK, _ONEWAY = L.CallStatus.OK, L.CellKind.ONEWAY


class CalleeCore:
    def __init__(self, seg: Segment) -> None:
        self.seg = seg
        self.stats = CalleeStats()
        g = seg.geometry
        self._wire = seg.wire
        self._resp_cap = g.response_capacity
        self._completions = seg.completion_ring
        self._caller_bell = seg.caller_bell

    def take(self, max_jobs: int = 1) -> list[Job] | None:
        """Pop up to `max_jobs` request cells (None: the ring was empty). Cells that need
        no handler (abandoned, malformed) are answered here and left out of the list."""
        items = self._wire.take_requests(max_jobs)
        if not items:
            return None
        for item in items:
            if item[0] != TAKE_OK:
                return [job for job in items if self._screen(job)]
        return items

    def _screen(self, item: tuple) -> bool:
        verdict, slot, gen, method, _, _ = item
        if verdict == TAKE_OK:
            return True
        if verdict == TAKE_ABANDONED:
            self.stats.skipped_abandoned += 1
            self._push(slot, gen, method, 0, L.CallStatus.ABANDONED)
        elif verdict == TAKE_MALFORMED:
            self.stats.protocol_errors += 1
            self._answer(slot, gen, method, L.CallStatus.HANDLER_ERROR, b"malformed request cell")
        else:  # TAKE_NO_SLOT: cannot answer, there is no such slot
            self.stats.protocol_errors += 1
            log.warning("request cell.slot=%d >= header.slot_count dropped", slot)
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
        flags = self._wire.answer(slot, gen, method, status, reply)
        if not flags:
            return
        if flags & ANSWER_POST:
            self._caller_bell.post()
        if flags & ANSWER_DROPPED:
            self.stats.replies_dropped += 1
            status, reply = L.CallStatus.ABANDONED, b""
        if flags & ANSWER_FULL:  # only a caller that breaks the protocol fills it
            self._push(slot, gen, method, len(reply), status)

    def _push(self, slot: int, gen: int, method: int, length: int, status: int) -> None:
        ring = self._completions
        # capacity >= slot_count (validated) and one completion per slot: never full
        # unless the caller breaks the protocol; then wait rather than drop.
        while not ring.try_push(slot, gen, method, length, L.CellKind.REPLY, status):
            self._caller_bell.ring()
        self._caller_bell.ring()

    # -- control -----------------------------------------------------------------------
    def caller_departed(self, probe: bool) -> int | None:
        """Claim a recycle if the caller detached (or, when probing, died)."""
        state = self.seg.load("caller_state")
        if state == L.CallerState.DETACHED or (probe and state == L.CallerState.ATTACHED):
            return session.begin_recycle(self.seg)
        return None

    def recycle(self, pid: int) -> None:
        session.finish_recycle(self.seg, pid)
        self.stats.recycles += 1

    def ready(self) -> bool:
        """Doorbell re-check: something for the callee to look at."""
        return (
            not self.seg.request_ring.is_empty()
            or self.seg.load("caller_state") == L.CallerState.DETACHED
        )


def run_sync(handler, method: int, payload: bytes) -> tuple[int, bytes]:
    try:
        reply = handler(method, payload)
        return _OK, reply if type(reply) is bytes else bytes(reply)
    except UnknownMethod as e:
        return L.CallStatus.UNKNOWN_METHOD, str(e).encode()
    except Exception as e:  # the handler's failure is the caller's answer
        return L.CallStatus.HANDLER_ERROR, f"{type(e).__name__}: {e}".encode()
