"""Struct view models and their texts reused across regenerations (lower/item_keys.py): a
regeneration writes exactly the bytes of a full run, and lowers again only the structs
whose key changed."""

from __future__ import annotations

import pytest

from rust2go.codegen.api import GenerateOptions, check_source
from rust2go.codegen.emit import emit_all
from rust2go.codegen.emit.chunks import ChunkCache
from rust2go.codegen.lower import go as lower_go_module
from rust2go.codegen.lower import rust as lower_rust_module
from rust2go.codegen.source import SourceFile

# Structs held by value (layouts and predicates reach through them), in lists, and an
# enum whose repr sets the size of every Ref that holds it.
IDL = """
use std::collections::HashMap;
#[repr({repr})]
pub enum Mood {{ Calm, Loud }}
pub struct Inner {{ pub a: u8, {inner} }}
pub struct Mid {{ pub i: Inner, pub m: Mood }}
pub struct Outer {{ pub mid: Mid, pub list: Vec<Inner>, pub o: Option<Mid> }}
pub struct Apart {{ pub x: u64, pub s: String }}
#[r2g]
pub trait Api {{
    fn take(o: &Outer) -> Mid;
    fn other(a: Apart) -> Vec<Inner>;
}}
{g2r}
"""
G2R = """
#[g2r]
pub trait Back { fn echo(o: &Outer) -> Outer; }
"""

EDITS = [
    {"repr": "u8", "inner": "pub b: u32,", "g2r": ""},
    {"repr": "u8", "inner": "pub b: u64,", "g2r": ""},  # Inner's layout: Mid and Outer move
    {"repr": "i64", "inner": "pub b: u64,", "g2r": ""},  # the enum's size: Mid and Outer
    {"repr": "i64", "inner": "pub b: u64, pub c: Vec<String>,", "g2r": ""},  # now deep
    {"repr": "i64", "inner": "pub b: u64,", "g2r": G2R},  # View impls appear
    # a map behind a list: Outer is no longer a view
    {"repr": "i64", "inner": "pub b: u64, pub c: HashMap<String, u8>,", "g2r": G2R},
    {"repr": "u8", "inner": "pub b: u32,", "g2r": ""},  # back to the first: all reused
]


def outputs(text: str, cache: ChunkCache | None, fmt: bool) -> tuple[str, str]:
    program, diags = check_source(SourceFile("user.rs", text))
    assert program is not None, [d.render(False) for d in diags]
    out = emit_all(program, GenerateOptions(fmt=fmt), cache)
    return out.go, out.rust


@pytest.mark.parametrize("fmt", [False, True])
def test_reused_structs_write_the_bytes_of_a_full_run(fmt):
    cache = ChunkCache()
    for edit in EDITS:
        text = IDL.format(**edit)
        assert outputs(text, cache, fmt) == outputs(text, None, fmt), edit


def lowered_names(monkeypatch) -> list[str]:
    """Names of the structs lowered from now on (Go and Rust)."""
    names: list[str] = []
    for module in (lower_go_module, lower_rust_module):
        real = module._struct

        def spy(*args, real=real):
            names.append(args[-1].name)
            return real(*args)

        monkeypatch.setattr(module, "_struct", spy)
    return names


def test_only_the_edited_struct_and_those_holding_it_are_lowered_again(monkeypatch):
    from rust2go.codegen import ir

    cache = ChunkCache()
    outputs(IDL.format(**EDITS[0]), cache, False)
    lowered = lowered_names(monkeypatch)
    helpers: list[ir.Type] = []
    real_helper = lower_go_module._helper
    monkeypatch.setattr(lower_go_module, "_helper",
                        lambda sp, ty, *a, **k: helpers.append(ty) or real_helper(sp, ty, *a, **k))  # fmt: skip
    outputs(IDL.format(**EDITS[1]), cache, False)
    # Inner changed; Mid and Outer hold it by value. Apart is untouched.
    assert sorted(set(lowered)) == ["Inner", "Mid", "Outer"], lowered
    # The helpers of the types that reach Inner's layout, and only those.
    assert ir.StructT("Inner") in helpers and ir.Vec(ir.StructT("Inner")) in helpers
    assert ir.StructT("Mid") in helpers and ir.StructT("Apart") not in helpers, helpers
    lowered.clear()
    helpers.clear()
    outputs(IDL.format(**EDITS[1]), cache, False)
    assert lowered == [] and all(isinstance(t, ir.Prim | ir.Str | ir.EnumT) for t in helpers), (
        helpers
    )


def test_a_list_of_an_edited_struct_is_not_a_dependency(monkeypatch):
    text = "pub struct A { pub x: u8 }\npub struct B { pub l: Vec<A> }\n"
    cache = ChunkCache()
    outputs(text, cache, False)
    lowered = lowered_names(monkeypatch)
    edited = text.replace("x: u8", "x: u8, pub y: String")
    again = outputs(edited, cache, False)
    assert "B" not in lowered and "A" in lowered, lowered
    assert again == outputs(edited, None, False)


def test_names_that_could_take_a_numbered_helper_key_turn_reuse_off(monkeypatch):
    # `Vec_u8` is the key of Vec<u8> too: which gets `Vec_u8_2` depends on the order of
    # the whole run, so nothing is reused.
    text = "pub struct Vec_u8 { pub a: u8 }\npub struct S { pub v: Vec<u8>, pub w: Vec_u8 }\n"
    cache = ChunkCache()
    outputs(text, cache, False)
    lowered = lowered_names(monkeypatch)
    again = outputs(text, cache, False)
    assert sorted(set(lowered)) == ["S", "Vec_u8"], lowered
    assert again == outputs(text, None, False)


def test_a_struct_key_covers_every_field_of_the_ir_but_positions():
    """A field added to the IR must reach the key (or a reused model could be stale)."""
    import copy
    import dataclasses

    from rust2go.codegen import ir
    from rust2go.codegen.lower import item_keys

    for cls, keyed in ((ir.Struct, item_keys.STRUCT_KEYED), (ir.Field, item_keys.FIELD_KEYED),
                       (ir.Attr, item_keys.ATTR_KEYED)):  # fmt: skip
        assert {f.name for f in dataclasses.fields(cls)} - {"span"} == set(keyed), cls
    text = "#[derive(Clone)]\npub struct S { #[serde(skip)]\npub a: u8 }\n"
    program, diags = check_source(SourceFile("user.rs", text))
    assert program is not None, [d.render(False) for d in diags]
    s = program.structs[0]
    key = item_keys._own(s)  # the struct itself (what it holds: the other tests)
    changes = {str: "x", bool: True, list: ["#[x]"]}
    for name in item_keys.STRUCT_KEYED:
        t = copy.deepcopy(s)
        value = getattr(t, name)
        if name == "fields":
            t.fields[0].name = "b"
        elif name == "attrs":
            t.attrs = [dataclasses.replace(a, text=a.text + " ") for a in t.attrs] or [
                ir.Attr("#[x]", s.span)
            ]
        elif name == "mem_class":
            t.mem_class = (
                ir.MemClass.COMPLEX if s.mem_class != ir.MemClass.COMPLEX else ir.MemClass.WRAPPER
            )
        elif name == "go_tags":
            t.go_tags = [*t.go_tags, ("xml", "snake")]
        else:
            setattr(t, name, changes[type(value)] if not isinstance(value, bool) else not value)
        assert item_keys._own(t) != key, name
    for name in item_keys.FIELD_KEYED:
        t = copy.deepcopy(s)
        f = t.fields[0]
        match name:
            case "ty":
                f.ty = ir.Prim("u16")
            case "attrs":
                f.attrs = []
            case "docs":
                f.docs = ["doc"]
            case _:
                setattr(f, name, getattr(f, name) + "x")
        assert item_keys._own(t) != key, name
