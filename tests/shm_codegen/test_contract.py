"""The shm contract across the generated peers: what the hash covers (a harmless IDL
edit keeps it, a change of what is on the wire alters it), and live refusals between
processes: a Python caller and a Go callee, a Rust caller and a Python callee, generated
from IDLs that differ in one parameter type."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from rust2go.codegen.api import load_program
from rust2go.codegen.emit.files import banner
from rust2go.codegen.emit.shm_files import python_module
from rust2go.codegen.lower import shm_contract
from rust2go.shm import layout as L
from tests.shm_codegen.interop import GoServer, PythonSvc, load_module, peer_contract, serve_python
from tests.shm_codegen.py_peer import PEER_IDL

BASE = """\
use std::collections::HashMap;
#[repr(u8)]
pub enum Color { Red = 1, Blue = 7 }
pub struct Point { pub x: i32, pub y: i32, pub c: Color }
pub struct Bag { pub items: Vec<Point>, pub by_name: HashMap<String, Point> }
#[r2g(shm)]
pub trait Svc {
    fn add(a: u64, b: u64) -> u64;
    fn put(bag: Bag) -> Option<Point>;
    fn log(line: String);
}
"""


def _hash(tmp_path: Path, idl: str, name: str = "api.rs") -> int:
    """The contract hash of the IDL's shm trait (the one named Svc*)."""
    path = tmp_path / name
    path.write_text(idl)
    program = load_program(path)
    (trait,) = [t for t in program.r2g_traits() if t.name.startswith("Svc")]
    return shm_contract.contract(program, trait).hash


HARMLESS = {
    "a doc comment": ("pub struct Point", "/// A point.\npub struct Point"),
    "comments and blank lines": ("fn log(line: String);", "// note\n\n    fn log(line: String); /* x */"),
    "an unrelated struct": ("#[r2g(shm)]", "pub struct Unused { pub z: f64 }\n#[r2g(shm)]"),
    "an unrelated enum": ("#[r2g(shm)]", "pub enum Other { A = 3 }\n#[r2g(shm)]"),
    "a parameter's name": ("fn add(a: u64, b: u64)", "fn add(first: u64, second: u64)"),
    "sync to async": ("fn put(bag: Bag)", "async fn put(bag: Bag)"),
    "an alias for the same type": ("fn add(a: u64,", "fn add(a: Count,"),
    "another trait": ("#[r2g(shm)]", "#[r2g]\npub trait Other { fn f(p: Point) -> u8; }\n#[r2g(shm)]"),
}  # fmt: skip
ON_THE_WIRE = {
    "a field type": ("pub x: i32", "pub x: i64"),
    "a field name": ("pub x: i32", "pub x2: i32"),
    "field order": ("pub x: i32, pub y: i32", "pub y: i32, pub x: i32"),
    "a field of a struct reached through a map": ("pub struct Point {", "pub struct Point { pub w: u8,"),
    "an enum value": ("Blue = 7", "Blue = 8"),
    "an enum repr": ("#[repr(u8)]", "#[repr(u16)]"),
    "a parameter type": ("fn add(a: u64,", "fn add(a: u32,"),
    "a result type": ("-> u64;", "-> i64;"),
    "a method name": ("fn add(", "fn plus("),
    "method order (ids)": ("fn add(a: u64, b: u64) -> u64;\n    fn put(bag: Bag) -> Option<Point>;",
                           "fn put(bag: Bag) -> Option<Point>;\n    fn add(a: u64, b: u64) -> u64;"),
    "a call made oneway": ("fn add(a: u64, b: u64) -> u64;", "fn add(a: u64, b: u64);"),
    "the trait name": ("pub trait Svc", "pub trait Svc2"),
}  # fmt: skip


@pytest.mark.parametrize("edit", HARMLESS, ids=list(HARMLESS))
def test_a_harmless_idl_edit_keeps_the_contract(tmp_path, edit):
    old, new = HARMLESS[edit]
    idl = BASE.replace(old, new, 1)
    if "Count" in idl:
        idl = "pub type Count = u64;\n" + idl
    assert idl != BASE
    assert _hash(tmp_path, idl, "edited.rs") == _hash(tmp_path, BASE)


@pytest.mark.parametrize("edit", ON_THE_WIRE, ids=list(ON_THE_WIRE))
def test_a_change_on_the_wire_alters_the_contract(tmp_path, edit):
    old, new = ON_THE_WIRE[edit]
    idl = BASE.replace(old, new, 1)
    assert idl != BASE
    assert _hash(tmp_path, idl) != _hash(tmp_path, BASE)


def test_the_layout_version_is_in_the_contract(tmp_path, monkeypatch):
    before = _hash(tmp_path, BASE)
    monkeypatch.setattr(L, "LAYOUT_VERSION", L.LAYOUT_VERSION + 1)
    assert _hash(tmp_path, BASE) != before


# ---- live: peers generated from two IDLs that differ in one parameter type ------------


@pytest.fixture(scope="module")
def other_idl(tmp_path_factory) -> Path:
    """The peer IDL with `add` taking a u32: its payloads no longer match the peers'."""
    text = PEER_IDL.read_text()
    assert "fn add(a: u64, b: u64)" in text
    path = tmp_path_factory.mktemp("other") / "api_v2.rs"
    path.write_text(text.replace("fn add(a: u64, b: u64)", "fn add(a: u32, b: u64)"))
    return path


def _python_module(idl: Path, out: Path):
    program = load_program(idl)
    out.write_text(python_module(program, banner(program)))
    return load_module(out)


def _refusal(msg: str, callee, caller) -> None:
    """The message names both hashes, both IDL files, and what to do."""
    assert f"the callee serves {callee.hash:016x} ({callee.idl})" in msg, msg
    assert f"this caller expects {caller.hash:016x} ({caller.idl})" in msg, msg
    assert "regenerate both sides from the same IDL" in msg, msg


def test_python_caller_refuses_a_go_callee_of_another_idl(go_server, other_idl, clean_shm):
    from rust2go.runtime import ContractMismatch, ShmCaller

    other = _python_module(other_idl, other_idl.with_suffix(".py"))
    same = load_module(go_server / "svc_shm.py")
    assert other.Svc_CONTRACT != same.Svc_CONTRACT
    name = "/r2g-test_contract_py2go"

    async def calls():
        with pytest.raises(ContractMismatch) as refused:
            await ShmCaller.connect(name, contract=other.Svc_CONTRACT)
        _refusal(str(refused.value), same.Svc_CONTRACT, other.Svc_CONTRACT)
        async with await ShmCaller.connect(name) as raw:  # no contract: the client checks
            with pytest.raises(ContractMismatch):
                other.SvcClient(raw)
        async with await ShmCaller.connect(name, contract=same.Svc_CONTRACT) as caller:
            assert await same.SvcClient(caller).add(40, 2) == 42

    with GoServer(go_server, name):
        asyncio.run(calls())


def test_rust_caller_refuses_a_python_callee_of_another_idl(peer_crate, other_idl, clean_shm):
    mine, theirs = peer_contract(), peer_contract(other_idl)

    async def attempt(contract):
        handler = _python_module(PEER_IDL, other_idl.with_name("peer_shm.py")).Svc_handler(
            PythonSvc(), 4096
        )
        return await serve_python(handler, [str(peer_crate.binary), "add", "{name}", "40", "2"],
                                  contract=contract)  # fmt: skip

    code, out = asyncio.run(attempt(theirs))
    assert code != 0 and "ok add" not in out, out
    _refusal(out, theirs, mine)
    code, out = asyncio.run(attempt(mine))
    assert code == 0 and "ok add 42" in out, out


def test_rust_caller_refuses_a_callee_that_declares_no_contract(peer_crate, clean_shm):
    from rust2go.shm.segment import Segment

    seg = Segment.create("nocontract")  # a raw callee: header.contract = 0
    try:
        proc = subprocess.run([str(peer_crate.binary), "add", seg.name, "1", "2"],
                              capture_output=True, text=True, timeout=60)  # fmt: skip
    finally:
        seg.unlink()
        seg.close()
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "the callee declares no contract (header.contract=0)" in out, out
    assert f"this caller expects {peer_contract().hash:016x} (api.rs)" in out, out
