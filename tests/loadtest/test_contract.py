"""The load contract is checked against the IR, with errors naming file, method, field."""

from __future__ import annotations

import pytest

GOOD_REQ = "pub struct Req { pub seq: u64, pub payload: Vec<u8> }\n"
GOOD_RESP = "pub struct Resp { pub seq: u64, pub checksum: u64 }\n"
TRAIT = "#[r2g]\npub trait Svc {\n    fn call(req: Req) -> Resp;\n}\n"


@pytest.fixture
def idl(tmp_path):
    def write(text: str):
        p = tmp_path / "user.rs"
        p.write_text(text)
        return p

    return write


def test_missing_reply_field_names_file_method_and_field(loadtest, idl):
    path = idl(GOOD_REQ + "pub struct Resp { pub seq: u64 }\n" + TRAIT)
    r = loadtest("--idl", str(path), "--method", "call", "--transport", "cgo-sync", "--calls", "1")
    assert r.code == 1
    assert str(path) in r.err
    assert "`Svc::call`" in r.err and "`Resp` has no field `checksum`" in r.err
    assert "hint: add `pub checksum: u64,`" in r.err


def test_wrong_field_type_is_named(loadtest, idl):
    path = idl("pub struct Req { pub seq: u32, pub payload: Vec<u8> }\n" + GOOD_RESP + TRAIT)
    r = loadtest("--idl", str(path), "--method", "Svc::call", "--transport", "python-shm",
                 "--calls", "1", "--json")  # fmt: skip
    assert r.code == 1
    assert r.report["status"] == "contract-error"
    assert "field `Req.seq` is `u32`" in r.err and "`u64`" in r.err


def test_unknown_method_lists_the_known_ones(loadtest, idl):
    path = idl(GOOD_REQ + GOOD_RESP + TRAIT)
    r = loadtest("--idl", str(path), "--method", "nope", "--transport", "cgo-sync", "--calls", "1")
    assert r.code == 1 and "no #[r2g] method named `nope`" in r.err and "Svc::call" in r.err


def test_call_kind_must_match_the_transport(loadtest, idl):
    path = idl(GOOD_REQ + GOOD_RESP + TRAIT)
    r = loadtest("--idl", str(path), "--method", "call", "--transport", "cgo-async", "--calls", "1")
    assert r.code == 1 and "is a sync method; transport cgo-async drives async methods" in r.err


def test_idl_errors_are_rendered_as_diagnostics(loadtest, idl):
    path = idl("pub struct Req { pub seq: u64, pub payload: Vec<u8>, }\n#[r2g]\npub trait T {\n")
    r = loadtest("--idl", str(path), "--method", "call", "--transport", "cgo-sync", "--calls", "1")
    assert r.code == 1 and "user.rs" in r.err


def test_extra_fields_are_filled_with_defaults(loadtest, idl, cgo_sync_harness):
    """A second harness crate: the request has fields beyond the contract of every kind."""
    path = idl(
        "#[repr(u8)]\npub enum Mode { Fast = 1, Slow = 2 }\n"
        "pub struct Tag { pub name: String, pub weight: f64 }\n"
        "pub struct Req { pub seq: u64, pub payload: Vec<u8>, pub label: String,\n"
        "    pub maybe: Option<u32>, pub mode: Mode, pub tag: Tag, pub tags: Vec<Tag>,\n"
        "    pub flag: bool, pub letter: char }\n"
        "pub struct Resp { pub seq: u64, pub checksum: u64, pub note: String }\n"
        "#[r2g]\npub trait Svc {\n    fn call(req: &Req) -> Resp;\n"
        "    async fn not_for_this_harness(x: u8) -> u8;\n}\n"
    )
    r = loadtest("--idl", str(path), "--method", "call", "--transport", "cgo-sync",
                 "--calls", "2000", "--concurrency", "2", "--json")  # fmt: skip
    assert r.code == 0, r.err
    assert r.report["counts"]["completed"] == 2000
