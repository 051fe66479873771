"""The segment contract at the runtime level: a caller that has one refuses, before it
attaches, a callee that serves another (or none), with both hashes and IDL names in the
message; a caller without one (raw bytes API) checks nothing."""

from __future__ import annotations

import asyncio

import pytest

from rust2go.runtime import Contract, ContractMismatch, ShmCallee, ShmCaller
from rust2go.shm import layout as L
from rust2go.shm.contract import idl_name_bytes

MINE = Contract(0x0123_4567_89AB_CDEF, "kv.rs")
OTHER = Contract(0xFEDC_BA98_7654_3210, "kv_old.rs")


def echo(method: int, payload: bytes) -> bytes:
    return payload


async def _serve(contract: Contract | None):
    callee = ShmCallee.create("pt_contract", slots=4, contract=contract)
    return callee, asyncio.create_task(callee.serve(echo))


async def _stop(callee, serving) -> None:
    await callee.close()
    await serving


async def test_a_caller_refuses_a_callee_of_another_idl_before_attaching():
    callee, serving = await _serve(OTHER)
    try:
        with pytest.raises(ContractMismatch) as err:
            await ShmCaller.connect(callee.name, contract=MINE)
        msg = str(err.value)
        assert "the callee serves fedcba9876543210 (kv_old.rs)" in msg, msg
        assert "this caller expects 0123456789abcdef (kv.rs)" in msg, msg
        assert callee.name in msg and "regenerate both sides from the same IDL" in msg, msg
        # nothing was claimed: the right caller attaches at once and calls
        assert callee.seg.load("caller_pid") == 0
        assert callee.seg.load("caller_state") == L.CallerState.VACANT
        async with await ShmCaller.connect(callee.name, contract=OTHER) as caller:
            assert await caller.call(1, b"same idl") == b"same idl"
    finally:
        await _stop(callee, serving)


async def test_a_callee_without_a_contract_is_refused_by_a_caller_with_one():
    callee, serving = await _serve(None)
    try:
        with pytest.raises(ContractMismatch, match=r"declares no contract \(header.contract=0\)"):
            await ShmCaller.connect(callee.name, contract=MINE)
        async with await ShmCaller.connect(callee.name) as raw:  # the raw API checks nothing
            assert await raw.call(1, b"raw") == b"raw"
    finally:
        await _stop(callee, serving)


def test_contract_values_are_checked():
    with pytest.raises(ValueError, match="non-zero u64"):
        Contract(0, "kv.rs")
    with pytest.raises(ValueError, match="longer than 24 bytes"):
        Contract(1, "x" * 25)


def test_an_idl_name_is_cut_at_a_character_boundary():
    cut = idl_name_bytes("é" * 13)  # 26 bytes of UTF-8
    assert cut == "é".encode() * 12 and len(cut) <= L.IDL_NAME_SIZE
