"""The generated Python peer: payload codec (golden bytes, hostile input, capacity) and
typed calls over the real runtime (generated client -> generated handler)."""

from __future__ import annotations

import asyncio

import pytest

from rust2go.runtime import ShmCallee, ShmCaller
from rust2go.runtime.payload import PayloadError, decode, encode
from tests.shm_codegen import vectors
from tests.shm_codegen.py_peer import peer, sample_all, svc


def test_payload_round_trips_every_type_kind():
    m = svc()
    for n in range(6):
        a = sample_all(m, n)
        buf = encode(m.CODEC, m.Svc_echo_all_PARAMS, {"a": a}, 4096)
        assert len(buf) % 8 == 0
        assert decode(m.CODEC, m.Svc_echo_all_PARAMS, buf) == {"a": a}


def test_vec_u8_is_bytes_in_python():
    """What users pass is `bytes`: the peer is typed so and decodes to it; a bytearray or a
    list of ints encodes to the same payload."""
    import inspect

    m = svc()
    assert inspect.get_annotations(m.All)["v"] == "bytes"
    a = sample_all(m, 3)
    want = encode(m.CODEC, m.Svc_echo_all_PARAMS, {"a": a}, 4096)
    for same in (bytearray(a.v), list(a.v)):
        a.v = same
        assert encode(m.CODEC, m.Svc_echo_all_PARAMS, {"a": a}, 4096) == want
    assert type(decode(m.CODEC, m.Svc_echo_all_PARAMS, want)["a"].v) is bytes


def test_payload_matches_the_golden_image():
    m = svc()
    buf = encode(m.CODEC, m.Svc_echo_all_PARAMS, {"a": sample_all(m)}, 4096)
    assert (vectors.DIR / "payload_echo_all.bin").read_bytes() == buf


@pytest.mark.parametrize("name", sorted(vectors.payloads()))
def test_golden_payloads_encode_and_decode(name):
    block, values = vectors.payloads()[name]
    codec = peer().CODEC
    golden = (vectors.DIR / f"{name}.bin").read_bytes()
    assert encode(codec, block, values, 4096) == golden, f"{name} drifted: regenerate"
    assert decode(codec, block, golden) == values
    assert decode(codec, block, vectors.corrupt(golden)) != values  # the check can fail


def test_payload_that_does_not_fit_is_refused():
    m = svc()
    big = sample_all(m)
    big.s = "x" * 5000
    with pytest.raises(
        PayloadError, match=r"payload of \d+ bytes exceeds the slot capacity of 4096"
    ):
        encode(m.CODEC, m.Svc_echo_all_PARAMS, {"a": big}, 4096)


def test_hostile_payloads_are_rejected_with_the_path():
    m = svc()
    buf = bytearray(encode(m.CODEC, m.Svc_echo_all_PARAMS, {"a": sample_all(m)}, 4096))
    with pytest.raises(PayloadError, match="shorter than"):
        decode(m.CODEC, m.Svc_echo_all_PARAMS, buf[:8])
    s_off = m.CODEC.structs["All"].fields[3][1]  # All.s
    buf[s_off : s_off + 8] = (1 << 40).to_bytes(8, "little")
    with pytest.raises(PayloadError, match=r"a\.s: .* overrun"):
        decode(m.CODEC, m.Svc_echo_all_PARAMS, buf)


class Impl:
    def __init__(self):
        self.notes = []

    def echo_all(self, a):
        return a

    def add(self, a, b):
        return a + b

    def note(self, p, name):
        self.notes.append((p, name))


async def test_generated_client_calls_generated_handler():
    m = svc()
    impl = Impl()
    callee = ShmCallee.create("pt_codegen", slots=16, request_capacity=4096,
                              contract=m.Svc_CONTRACT)  # fmt: skip
    handler = m.Svc_handler(impl, callee.seg.geometry.response_capacity)
    serving = asyncio.create_task(callee.serve(handler, workers=2))
    caller = await ShmCaller.connect(callee.name)
    try:
        c = m.SvcClient(caller)
        a = sample_all(m, 5)
        assert await c.echo_all(a) == a
        await c.note(m.Point(3, 4, m.Color.Blue), "n")
        assert impl.notes == [(m.Point(3, 4, m.Color.Blue), "n")]  # oneway runs the handler
        sums = await asyncio.gather(*(c.add(i, 1_000_000) for i in range(3000)))
        assert sums == [i + 1_000_000 for i in range(3000)]  # exactly once, in order
        await caller.settle()
        assert callee.seg.slots.states()[0] == 16  # all FREE (SlotState.FREE == 0)
    finally:
        await caller.close()
        await callee.close()
        await serving


def test_the_python_peer_does_not_depend_on_what_is_on_path(tmp_path):
    """`--python-out` writes the same bytes with or without a formatter on PATH (it used
    to run ruff when it found one)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).parents[2]
    outs = []
    for path in (f"{Path(sys.executable).parent}:{os.environ['PATH']}", "/usr/bin:/bin"):
        out = tmp_path / f"peer{len(outs)}.py"
        subprocess.run([sys.executable, "-m", "rust2go", "generate", "examples/sidecar/idl/kv.rs",
                        "--python-out", str(out)], cwd=root, check=True, capture_output=True,
                       env={**os.environ, "PATH": path})  # fmt: skip
        outs.append(out.read_bytes())
    assert (Path(sys.executable).parent / "ruff").exists()  # the first run had ruff on PATH
    assert outs[0] == outs[1]
