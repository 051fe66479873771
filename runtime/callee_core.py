"""What a callee does with one request cell, independent of how it is scheduled:
check the cell, read the request, run the handler, write the reply, answer exactly once."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from rust2go.shm import layout as L
from rust2go.shm import session
from rust2go.shm.segment import Segment

log = logging.getLogger("rust2go.runtime.callee")

_REQUEST_KINDS = (L.CellKind.CALL, L.CellKind.ONEWAY)


class UnknownMethod(Exception):
    """Raise from a handler for a method id it does not serve."""


@dataclass
class CalleeStats:
    handled: int = 0
    skipped_abandoned: int = 0  # popped after the caller gave up: handler not run
    replies_dropped: int = 0  # caller gave up while the handler ran
    protocol_errors: int = 0
    recycles: int = 0


@dataclass(slots=True)
class Job:
    slot: int
    generation: int
    method: int
    kind: int
    payload: bytes


class CalleeCore:
    def __init__(self, seg: Segment) -> None:
        self.seg = seg
        self.stats = CalleeStats()
        g = seg.geometry
        self._mem = seg.mem
        self._slots = seg.slots
        self._req_areas = [g.request_area(i) for i in range(g.slot_count)]
        self._resp_areas = [g.response_area(i) for i in range(g.slot_count)]
        self._req_cap = g.request_capacity
        self._resp_cap = g.response_capacity
        self._completions = seg.completion_ring
        self._caller_bell = seg.caller_bell

    def take(self, cell: tuple[int, int, int, int, int, int]) -> Job | None:
        """Turn a request cell into a Job, or answer it at once (abandoned / malformed)."""
        slot, gen, method, length, kind, _ = cell
        if slot >= len(self._req_areas):
            self.stats.protocol_errors += 1  # cannot answer: there is no such slot
            log.warning("request cell.slot=%d >= header.slot_count dropped", slot)
            return None
        if length > self._req_cap or kind not in _REQUEST_KINDS:
            self.stats.protocol_errors += 1
            self._answer(slot, gen, method, L.CallStatus.HANDLER_ERROR, b"malformed request cell")
            return None
        state, cur_gen = self._slots.load(slot)
        if state != L.SlotState.PENDING or cur_gen != gen:
            self.stats.skipped_abandoned += 1
            self._push(slot, gen, method, 0, L.CallStatus.ABANDONED)
            return None
        start = self._req_areas[slot]
        return Job(slot, gen, method, kind, bytes(self._mem[start : start + length]))

    def finish(self, job: Job, status: int, reply: bytes) -> None:
        self.stats.handled += 1
        if job.kind == L.CellKind.ONEWAY and status == L.CallStatus.OK:
            reply = b""
        self._answer(job.slot, job.generation, job.method, status, reply)

    def _answer(self, slot: int, gen: int, method: int, status: int, reply: bytes) -> None:
        cap = self._resp_cap
        if len(reply) > cap:
            if status == L.CallStatus.OK:
                status, reply = (
                    L.CallStatus.RESPONSE_TOO_LARGE,
                    f"reply of {len(reply)} bytes exceeds the response capacity of {cap}".encode(),
                )
            reply = reply[:cap]  # only ever an error text
        start = self._resp_areas[slot]
        self._mem[start : start + len(reply)] = reply
        if not self._slots.transition(slot, gen, L.SlotState.PENDING, L.SlotState.DONE):
            self.stats.replies_dropped += 1
            status, reply = L.CallStatus.ABANDONED, b""
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


def run_sync(handler, job: Job) -> tuple[int, bytes]:
    try:
        return L.CallStatus.OK, bytes(handler(job.method, job.payload))
    except UnknownMethod as e:
        return L.CallStatus.UNKNOWN_METHOD, str(e).encode()
    except Exception as e:  # the handler's failure is the caller's answer
        return L.CallStatus.HANDLER_ERROR, f"{type(e).__name__}: {e}".encode()
