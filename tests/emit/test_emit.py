"""Emission tests: key substrings of the generated Go and Rust, no whole-file snapshots.
(Whether the output compiles and runs is tests/e2e's job.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rust2go.codegen import ir
from rust2go.codegen.api import GenerateOptions
from rust2go.codegen.emit import emit_all
from rust2go.codegen.lower.layout import Layouts
from rust2go.codegen.lower.symbols import export_symbol
from rust2go.codegen.source import SourceFile


def _pair(out):
    """The Go and Rust texts of emit_all's outputs."""
    return out.go, out.rust


SPAN = SourceFile("x.rs", "").span(0, 0)
RAW = GenerateOptions(fmt=False)


def struct(struct_name: str, /, **fields: ir.Type) -> ir.Struct:
    return ir.Struct(struct_name, [ir.Field(n, t, SPAN) for n, t in fields.items()], SPAN,
                     derives=["Clone"])  # fmt: skip


def method(method_name: str, /, *params: tuple[str, ir.Type], ret: ir.Type | None = None,
           result: bool = False, **flags) -> ir.Method:  # fmt: skip
    kind = ir.CallKind.ONEWAY if ret is None else ir.CallKind.SYNC
    ps = [ir.Param(n, t, by_ref=isinstance(t, ir.StructT), span=SPAN) for n, t in params]
    returns = ir.Returns(ret, result) if ret is not None else None
    return ir.Method(method_name, 0, ps, returns, kind, SPAN, **flags)


def program(*traits: ir.Trait, structs=(), enums=()) -> ir.Program:
    return ir.Program("idl/user.rs", "ab" * 32, list(structs), list(enums), [], list(traits))


USER = struct("User", name=ir.Str(), age=ir.Prim("u8"), tags=ir.Vec(ir.Str()))
MOOD = ir.EnumDef("Mood", [ir.Variant("Happy", 0, SPAN), ir.Variant("Sad", 5, SPAN)], SPAN,
                  repr="u8")  # fmt: skip
DEMO = ir.Trait("DemoCall", ir.Direction.R2G, [
    method("demo_oneway", ("req", ir.StructT("User"))),
    method("demo_check", ("req", ir.StructT("User")), ret=ir.StructT("User")),
    method("demo_get_n", ret=ir.Prim("i32")),
    method("demo_pass", ("u", ir.StructT("User")), ret=ir.Opt(ir.Str()), go_pass_struct=True),
    method("demo_try", ("m", ir.EnumT("Mood")), ret=ir.Prim("char"), result=True),
], SPAN)  # fmt: skip


@pytest.fixture(scope="module")
def out() -> tuple[str, str]:
    return _pair(emit_all(program(DEMO, structs=[USER], enums=[MOOD]), RAW))


def test_go_banner_is_the_standard_generated_marker(out):
    first = out[0].splitlines()[0]
    assert re.fullmatch(r"// Code generated .* DO NOT EDIT\.", first)
    assert "ab" * 32 in out[0] and "ab" * 32 in out[1]


def test_go_interface_uses_idl_names_and_pointer_rule(out):
    go = out[0]
    assert "type DemoCall interface {" in go
    assert "\tdemo_oneway(req *User)\n" in go
    assert "\tdemo_pass(u User) *string\n" in go  # #[go_pass_struct]: by value
    assert "\tdemo_try(m *Mood) (rune, error)\n" in go
    assert "var DemoCallImpl DemoCall" in go
    assert "\tname string\n\tage  uint8\n" in go.replace("age uint8", "age  uint8")


def test_go_enum_is_a_named_integer_with_constants(out):
    assert "type Mood uint8" in out[0]
    assert re.search(r"MoodSad\s+Mood = 5", out[0])


def test_c_preamble_has_refs_in_dependency_order(out):
    go = out[0]
    assert "typedef struct r2g_StringRef { const void *ptr; uintptr_t len; } r2g_StringRef;" in go
    assert go.index("r2g_ListRef;") < go.index("r2g_UserRef;")


def test_exports_are_trait_qualified_versioned_and_recover(out):
    sym = export_symbol(program(DEMO, structs=[USER]), DEMO, DEMO.methods[1])
    assert re.fullmatch(r"r2g_v4_8DemoCall_10demo_check_h[0-9a-f]{8}", sym)
    assert f"//export {sym}" in out[0]
    # A method with a reply finds the block pointer right after its Ref (Rust's Reply);
    # one without gets it as its only out-parameter. Either way the guard opens the body.
    assert re.search(r"r2g_out \*C\.\w+\) \{\n\tr2g_block := r2g_block_after\(unsafe\.Pointer\(r2g_out\), "
                     r"unsafe\.Sizeof\(\*r2g_out\)\)\n\tr2g_ok := false\n\tdefer func\(\) \{", out[0])  # fmt: skip
    assert "r2g_block *unsafe.Pointer) {\n\tr2g_ok := false\n\tdefer func() {" in out[0]
    # No export has a result: cgo checks an export's result on every call (pointer or not).
    assert not re.search(r"^func r2g_v4_\w+\(.*\) \S+ \{$", out[0], re.M)
    assert f"pub fn {sym}(" in out[1]
    assert "r2g_reply: *mut Reply<" in out[1]


def test_symbols_differ_when_a_signature_changes():
    p = program(DEMO, structs=[USER])
    other = program(DEMO, structs=[struct("User", name=ir.Str(), age=ir.Prim("u16"),
                                          tags=ir.Vec(ir.Str()))])  # fmt: skip
    assert export_symbol(p, DEMO, DEMO.methods[1]) != export_symbol(other, DEMO, DEMO.methods[1])


def test_layout_guards_on_both_sides_name_the_type(out):
    lay = Layouts(program(DEMO, structs=[USER])).struct("User")
    assert lay.layout.size == 40 and [f.offset for f in lay.fields] == [0, 16, 24]
    assert "r2g_layout_of_User = [1]struct{}{}[unsafe.Sizeof(C.r2g_UserRef{})-40]" in out[0]
    assert (
        "r2g_layout_of_User_age = [1]struct{}{}[unsafe.Offsetof(C.r2g_UserRef{}.age)-16]" in out[0]
    )
    rust = out[1]
    checks = rust[rust.index('r2g_layout!(UserRef, "User", 40;') :].split(");", 1)[0]
    assert "\n        age => 16,\n" in checks and "\n        name => 0,\n" in checks


def test_rust_is_std_only_and_drops_nothing_it_needs(out):
    rust = out[1]
    assert "rust2go::" not in rust and "extern crate" not in rust
    kept = "#[allow(non_camel_case_types, clippy::upper_case_acronyms, non_snake_case)] // the IDL's names, kept\n"
    assert "#[derive(Clone)]\n" + kept + "pub struct User {" in rust
    assert "#[repr(u8)]\npub enum Mood {" in rust
    assert (
        "#[allow(non_camel_case_types, clippy::upper_case_acronyms)]\npub struct DemoCallImpl;"
        in rust
    )
    assert "fn demo_try(m: Mood) -> Result<char, String>" in rust
    assert "fn free(p: *mut c_void);" in rust
    assert "Buffer::new(r2g_size)" in rust  # Vec<String> field: one intermediate buffer


def test_without_main_and_package_name():
    p = program(DEMO, structs=[USER], enums=[MOOD])
    go, _ = _pair(emit_all(p, GenerateOptions(fmt=False, go_package="bridge")))
    assert "package bridge" in go and "func main()" not in go
    go, _ = _pair(emit_all(p, GenerateOptions(fmt=False, without_main=True)))
    assert "package main" in go and "func main()" not in go
    go, _ = _pair(emit_all(p, RAW))
    assert "func main() {}" in go


def test_go118_avoids_go_1_20_string_helpers():
    go, _ = _pair(
        emit_all(
            program(DEMO, structs=[USER], enums=[MOOD]), GenerateOptions(fmt=False, go118=True)
        )
    )
    assert "unsafe.String(" not in go and "reflect.StringHeader" in go


def test_c_reserved_field_names_are_escaped_in_refs_only():
    s = struct("Odd", int=ir.Prim("i32"), char=ir.Prim("char"))
    t = ir.Trait("T", ir.Direction.R2G, [method("f", ("o", ir.StructT("Odd")))], SPAN)
    go, rust = _pair(emit_all(program(t, structs=[s]), RAW))
    assert "int32_t r2g_int;" in go and "\tint  int32" in go.replace("int int32", "int  int32")
    assert "pub r2g_int: i32," in rust and "pub int: i32," in rust


def test_examples_idl_generates_formatted_output():
    from rust2go.codegen.api import generate

    out = generate(Path(__file__).parents[2] / "examples" / "basic" / "idl" / "user.rs")
    assert "func (" not in out.go.split('import "C"')[0]
    assert "DemoCallImpl DemoCall" in out.go and "impl DemoCall for DemoCallImpl" in out.rust
