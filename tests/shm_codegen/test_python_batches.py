"""The generated Python client's pipelined batches (`<method>_many`): against the Go
server (exactly once: every reply checked against its own arguments, Go's count of
`check` calls equal to the calls made), failures in place, backpressure beyond the slot
count, cancellation and timeouts giving every slot back; the batch codec against the
per-call one; batch method names."""

from __future__ import annotations

import asyncio
import os
import re
import time

import pytest

from rust2go.runtime import RemoteError, ShmCallee, ShmCaller
from rust2go.runtime.payload import PayloadError, decode, decode_many, encode, encode_many
from rust2go.shm import layout as L
from tests.shm_codegen.interop import (
    CHECK_DATA,
    GoServer,
    build_go_server,
    checksum,
    load_module,
    python_to_go_batches,
)
from tests.shm_codegen.py_peer import _generate, sample_all, svc


@pytest.fixture(scope="module")
def server():
    work = build_go_server()
    return work, load_module(work / "svc_shm.py")


def against_go(server, what: str, body, flags: tuple[str, ...] = ()) -> None:
    """Run `await body(client, caller)` against a fresh Go server."""
    work, mod = server
    name = f"/r2g-test_batches_{what}_{os.getpid()}"

    async def run():
        async with await ShmCaller.connect(name, contract=mod.Svc_CONTRACT) as caller:
            await body(mod.SvcClient(caller), caller)

    with GoServer(work, name, flags=flags):
        asyncio.run(run())


def all_free(caller: ShmCaller) -> bool:
    g = caller.seg.geometry
    return caller.in_flight == 0 and caller.seg.slots.states() == {L.SlotState.FREE: g.slot_count}


def test_check_many_against_go_exactly_once(server, clean_shm):
    work, mod = server
    name = f"/r2g-test_batches_once_{os.getpid()}"
    with GoServer(work, name):
        for batch in (256, 100, 1):
            r = asyncio.run(python_to_go_batches(mod, name, 1500, batch=batch))
            assert r["callee_ran"] == 1500


def test_results_in_order_failures_in_place(server, clean_shm):
    async def body(c, caller):
        assert await c.add_many([(i, 10 * i) for i in range(300)]) == [11 * i for i in range(300)]
        data = CHECK_DATA[7]  # Vec<u8> as bytes, bytearray or a list of ints
        assert (
            await c.check_many([(1, data), (1, bytearray(data)), (1, list(data))])
            == [checksum(1, data)] * 3
        )
        refused = await c.fail_many([("a",), ("b",)])
        assert [type(r) for r in refused] == [RemoteError, RemoteError]
        assert "refused: a" in str(refused[0]) and "refused: b" in str(refused[1])
        boom = await c.boom_many([(1,)])
        assert isinstance(boom[0], RemoteError) and "boom" in str(boom[0])
        alls = [sample_all(server[1], n) for n in range(6)]  # the general codec walk
        assert await c.echo_all_many([(a,) for a in alls]) == alls
        assert await c.add_many([]) == []
        assert not hasattr(c, "note_many")  # oneway: nothing to return

    against_go(server, "fail", body)


def test_a_batch_larger_than_the_slot_count_waits_for_slots(server, clean_shm):
    async def body(c, caller):
        before = await c.checks()
        args = [(i, CHECK_DATA[i % 48]) for i in range(1000)]
        assert await c.check_many(args) == [checksum(i, d) for i, d in args]
        assert caller.stats.slot_waits > 0
        assert await c.checks() - before == 1000
        await caller.settle()
        assert all_free(caller)

    against_go(server, "slots", body, flags=("-slots", "8"))


def test_a_cancelled_batch_gives_every_slot_back(server, clean_shm):
    async def body(c, caller):
        task = asyncio.create_task(c.nap_many([(300,)] * 20))
        await asyncio.sleep(0.05)
        assert caller.in_flight == 20
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert caller.stats.abandoned == 20
        await caller.settle()
        assert all_free(caller)
        assert await c.add_many([(1, 2)]) == [3]

    against_go(server, "cancel", body)


def test_a_batch_times_out_as_a_whole(server, clean_shm):
    async def body(c, caller):
        t0 = time.monotonic()
        with pytest.raises(TimeoutError):
            await c.nap_many([(0,)] * 3 + [(1500,)] * 3, timeout=0.1)
        assert time.monotonic() - t0 < 1.0  # not the naps' 1.5 s
        assert 3 <= caller.stats.abandoned <= 6  # the naps, and quick ones not yet answered
        await caller.settle()
        assert all_free(caller)

    against_go(server, "timeout", body)


def test_arguments_that_do_not_encode_refuse_the_batch_before_sending(server, clean_shm):
    async def body(c, caller):
        with pytest.raises(PayloadError, match=r"calls\[1\]: payload of \d+ bytes exceeds"):
            await c.check_many([(1, b""), (2, b"x" * 5000)])
        with pytest.raises(TypeError, match=r"calls\[1\]=\(2,\) is not a tuple \(id, data\)"):
            await c.check_many([(1, b""), (2,)])
        with pytest.raises(TypeError, match=r"calls\[0\]"):
            await c.add_many([("x", 1)])
        assert caller.stats.calls == 0

    against_go(server, "refuse", body)


class Halves:
    """add fails for odd `a`: a batch mixes answers and failures."""

    def add(self, a, b):
        if a % 2:
            raise ValueError(f"odd a={a}")
        return a + b


async def test_python_callee_failures_stand_in_place_of_their_calls():
    m = svc()
    callee = ShmCallee.create("pt_batches_typed", slots=16, contract=m.Svc_CONTRACT)
    handler = m.Svc_handler(Halves(), callee.seg.geometry.response_capacity)
    serving = asyncio.create_task(callee.serve(handler, workers=2))
    caller = await ShmCaller.connect(callee.name)
    try:
        out = await m.SvcClient(caller).add_many([(i, 100) for i in range(200)])
        for i, r in enumerate(out):
            if i % 2:
                assert isinstance(r, RemoteError) and f"odd a={i}" in str(r)
            else:
                assert r == i + 100
        await caller.settle()
        assert all_free(caller)
    finally:
        await caller.close()
        await callee.close()
        await serving


def test_the_batch_codec_gives_the_per_call_bytes_and_values():
    m = svc()
    for block, calls in (
        (m.Svc_add_PARAMS, [(i, i * 7 + 3) for i in range(50)]),  # flat
        (m.Svc_echo_all_PARAMS, [(sample_all(m, n),) for n in range(6)]),  # general walk
    ):
        names = [n for n, _, _ in block.members]
        want = [encode(m.CODEC, block, dict(zip(names, a, strict=True)), 4096) for a in calls]
        assert encode_many(m.CODEC, block, iter(calls), 4096) == want
        assert decode_many(m.CODEC, block, want, names[0]) == [a[0] for a in calls]
    reply = m.Svc_add_REPLY
    good = encode(m.CODEC, reply, {"r2g_ret": 5}, 64)
    failed = RemoteError(L.CallStatus.HANDLER_ERROR, "no")
    out = decode_many(m.CODEC, reply, [good, failed, good[:3]], "r2g_ret")
    assert out[:2] == [5, failed]
    assert isinstance(out[2], PayloadError) and "shorter than its 8-byte head" in str(out[2])
    with pytest.raises(PayloadError):
        decode(m.CODEC, reply, good[:3])


def test_batch_names_never_hide_another_method(tmp_path):
    idl = tmp_path / "names.rs"
    idl.write_text(
        "#[r2g(shm)]\npub trait Kv {\n    fn get(k: u64) -> u64;\n"
        "    fn get_many(k: u64) -> u64;\n    fn log(msg: String);\n}\n"
    )
    mod = _generate(idl, "names_shm")
    client = mod.KvClient
    for method in ("get", "get_many", "get_many_", "get_many_many"):
        assert callable(getattr(client, method)), method
    assert not hasattr(client, "log_many")
    assert "Pipelined `get`" in client.get_many_.__doc__
    assert "Pipelined `get_many`" in client.get_many_many.__doc__


def test_the_go_server_collects_at_its_gogc_target(server, clean_shm, tmp_path, monkeypatch):
    """`-gogc` (default 400) sets the server's collector target unless GOGC does: the
    first cycle's heap goal (gctrace) is Go's 4 MB minimum scaled by it."""
    work, mod = server
    data = bytes(range(256)) * 8  # 2 KiB a call: 12,000 calls allocate ~24 MB of copies
    want = checksum(7, data)

    async def calls(name: str) -> None:
        async with await ShmCaller.connect(name, contract=mod.Svc_CONTRACT) as caller:
            client = mod.SvcClient(caller)
            for _ in range(12_000 // 250):
                assert await client.check_many([(7, data)] * 250) == [want] * 250

    monkeypatch.setenv("GODEBUG", "gctrace=1")
    goals = {}
    for label, gogc_env, flags in (("default", None, ()), ("flag", None, ("-gogc", "200")),
                                   ("env wins", "100", ("-gogc", "200"))):  # fmt: skip
        if gogc_env is None:
            monkeypatch.delenv("GOGC", raising=False)
        else:
            monkeypatch.setenv("GOGC", gogc_env)
        name = f"/r2g-test_batches_gogc_{os.getpid()}"
        log = tmp_path / "gctrace.log"
        with open(log, "w") as err, GoServer(work, name, stderr=err, flags=flags):
            asyncio.run(calls(name))
        found = re.search(r" (\d+) MB goal", log.read_text())
        assert found, log.read_text()[-2000:]
        goals[label] = int(found[1])
    assert goals == {"default": 16, "flag": 8, "env wins": 4}
