"""rust2go.runtime: the Python peer of the shm transport (asyncio caller and callee)."""

from rust2go.runtime.callee import ShmCallee
from rust2go.runtime.callee_core import UnknownMethod
from rust2go.runtime.caller import ShmCaller
from rust2go.shm.contract import Contract
from rust2go.shm.errors import (
    ContractMismatch,
    PayloadTooLarge,
    PeerGone,
    ProtocolError,
    RemoteError,
    SegmentBusy,
    ShmError,
)

__all__ = [
    "Contract",
    "ContractMismatch",
    "PayloadTooLarge",
    "PeerGone",
    "ProtocolError",
    "RemoteError",
    "SegmentBusy",
    "ShmCallee",
    "ShmCaller",
    "ShmError",
    "UnknownMethod",
]
