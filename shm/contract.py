"""The contract of a segment: which IDL its payloads follow (layout.py says what the hash
covers). The callee writes it into the header; a caller that has one checks it on attach,
before any call, and refuses a segment whose callee serves another IDL."""

from __future__ import annotations

from dataclasses import dataclass

from rust2go.shm import layout as L
from rust2go.shm.errors import ContractMismatch

ADVICE = "regenerate both sides from the same IDL"


def idl_name_bytes(name: str) -> bytes:
    """`name` as header.idl_name holds it: UTF-8 cut to IDL_NAME_SIZE bytes, never inside
    a character. Lowering embeds the cut name, so every peer writes the same bytes."""
    raw = name.encode()[: L.IDL_NAME_SIZE]
    return raw.decode(errors="ignore").encode()


@dataclass(frozen=True)
class Contract:
    hash: int  # u64, never 0 (0 in the header means "none declared")
    idl: str  # the IDL's file name, as cut by idl_name_bytes

    def __post_init__(self) -> None:
        if not 0 < self.hash < 1 << 64:
            raise ValueError(f"a contract hash is a non-zero u64, not {self.hash}")
        if idl_name_bytes(self.idl).decode() != self.idl:
            raise ValueError(f"IDL name {self.idl!r} is longer than {L.IDL_NAME_SIZE} bytes")

    def header_fields(self) -> dict[str, int | bytes]:
        return {"contract": self.hash, "idl_name": idl_name_bytes(self.idl)}


def header_idl_name(raw: bytes) -> str:
    return raw.rstrip(b"\0").decode(errors="replace")


def mismatch(segment: str, callee_hash: int, callee_idl: str, mine: Contract) -> str | None:
    """The refusal message when the callee's contract is not `mine` (the Rust caller
    words it the same way), else None."""
    if callee_hash == mine.hash:
        return None
    expects = f"this caller expects {mine.hash:016x} ({mine.idl})"
    if callee_hash == 0:
        return (f"shm contract mismatch on {segment}: the callee declares no contract "
                f"(header.contract=0), {expects}; serve it from code generated from "
                f"{mine.idl} (a Python callee: ShmCallee.create(contract=...)), or {ADVICE}")  # fmt: skip
    return (f"shm contract mismatch on {segment}: the callee serves {callee_hash:016x} "
            f"({callee_idl}), {expects}: the two sides were generated from different IDLs "
            f"(or layout versions); {ADVICE}")  # fmt: skip


def check(segment: str, header: dict, mine: Contract | None) -> None:
    """Raise ContractMismatch unless the unpacked `header` carries `mine` (None: a raw
    caller, which checks nothing)."""
    if mine is None:
        return
    why = mismatch(segment, header["contract"], header_idl_name(header["idl_name"]), mine)
    if why:
        raise ContractMismatch(why)
