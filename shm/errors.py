"""Exceptions of the shm substrate and the call runtime built on it."""

from __future__ import annotations


class ShmError(Exception):
    """Base of every shm failure."""


class ShmLayoutError(ShmError):
    """A segment (or a message in it) breaks the layout; the message names the field."""


class SegmentBusy(ShmError):
    """The segment already has a live caller attached."""


class ContractMismatch(ShmError):
    """The callee serves payloads of another IDL (or declares none): refused on attach,
    before any call. The message names both contract hashes and both IDL files."""


class PeerGone(ShmError):
    """The other side died or closed; pending calls cannot complete."""


class ProtocolError(PeerGone, ShmLayoutError):
    """The peer broke the protocol (a cell or field out of range); the session is over:
    every pending call fails with it, and the message names the field and its value."""


class PayloadTooLarge(ShmError, ValueError):
    """A request or reply does not fit its slot area; nothing was truncated or sent."""


class RemoteError(ShmError):
    """The callee reported a failure for this call (handler raised, unknown method, ...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
