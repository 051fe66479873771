"""What a struct's view model depends on, as a text: a regeneration reuses the view model
(and the texts rendered from it) of every struct whose key did not change, and likewise
the Go helpers of every type instance (`type_key`; emit/files.py).

A struct's Go and Rust view models read its own IR (names, docs, attributes, tags), the
spelling of its field types, the repr of every enum they name, and through the C layout
and the per-type predicates (`types.go_needs_block`, `rust_needs_buffer`, `go_view`) the
fields of every struct it holds by value, all the way down; a Vec, Option or map
contributes its spelling only (a list Ref is 16 bytes whatever it holds). The Rust `View`
impl is the exception: `types.rust_viewable` looks through lists too, so with Go→Rust
traits the key follows every type reached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Protocol, TypeVar

from rust2go.codegen import ir

# Generic instances are keyed `Vec_T`, `Opt_T`, `HashMap_K_V` (types.Keys), and numbered
# only when a user type's name takes one. With no user name that could, a key is the same
# whatever asked first, so a view model built in an earlier run names the same helpers.
_TAKEN = frozenset({"Vec", "Opt", "HashMap", "BTreeMap", "String", *ir.PRIMITIVES})
T = TypeVar("T")


class Memo(Protocol):
    """Where reusable view models live between runs (emit/chunks.ChunkCache)."""

    def get(self, tool: str, text: str) -> object | None: ...

    def put(self, tool: str, text: str, value: object) -> None: ...


def reusable(program: ir.Program) -> bool:
    found = program.__dict__.get("_r2g_item_reusable")
    if found is None:
        found = program.__dict__["_r2g_item_reusable"] = _no_numbered_keys(program)
    return found


def _no_numbered_keys(program: ir.Program) -> bool:
    names = [s.name for s in program.structs] + [e.name for e in program.enums]
    return not any("_" in n or n in _TAKEN for n in names)


def reused(memo: Memo | None, program: ir.Program, tool: str, s: ir.Struct,
           build: Callable[[], T], through_lists: bool = False) -> T:  # fmt: skip
    """`build()`, or what it returned for a struct of the same key in an earlier run."""
    return _reused(memo, program, tool, lambda: struct_key(program, s, through_lists), build)


def reused_for_type(memo: Memo | None, program: ir.Program, tool: str, ty: ir.Type, extra: str,
                    build: Callable[[], T], through_lists: bool = False) -> T:  # fmt: skip
    """`build()`, or what it returned for a type instance of the same key (`type_key`
    and `extra`, what else the model reads) in an earlier run."""
    return _reused(memo, program, tool, lambda: f"{extra}\0{type_key(program, ty, through_lists)}",
                   build)  # fmt: skip


def _reused(memo: Memo | None, program: ir.Program, tool: str, key_of: Callable[[], str],
            build: Callable[[], T]) -> T:  # fmt: skip
    if memo is None or not reusable(program):
        return build()
    key = key_of()
    found = memo.get(tool, key)
    if found is None:
        found = build()
        memo.put(tool, key, found)
    return found  # type: ignore[return-value]


def struct_key(program: ir.Program, s: ir.Struct, through_lists: bool) -> str:
    """Everything the view models of `s` are built from (module docstring)."""
    memo = program.__dict__.setdefault("_r2g_item_keys", {})
    found = memo.get((s.name, through_lists))
    if found is None:
        found = memo[(s.name, through_lists)] = _struct_key(program, s, through_lists)
    return found


def _struct_key(program: ir.Program, s: ir.Struct, through_lists: bool) -> str:
    if through_lists:
        # Lists may lead back to the struct itself: rather than a digest that has to cut
        # cycles, the shape of every struct (any change anywhere makes the key new).
        return f"lists\0{_own(s)}\0{_all_shapes(program)}"
    memo = program.__dict__.setdefault("_r2g_item_by_value", {})
    return f"values\0{_own(s)}\0{_by_value(program, s.name, memo)}"


# The IR fields a struct's own key is made of: all but the source positions (an edit
# above an item moves it). tests/emit checks these lists against ir.py.
STRUCT_KEYED = ("name", "fields", "vis", "docs", "attrs", "derives", "mem_class", "recursive",
                "go_tags")  # fmt: skip
FIELD_KEYED = ("name", "ty", "docs", "attrs", "vis")
ATTR_KEYED = ("text",)


def type_key(program: ir.Program, ty: ir.Type, through_lists: bool) -> str:
    """What the helpers of a type instance are built from: its spelling, every struct in
    it expanded by value (a helper reads its elements' layouts and predicates), and the
    own IR of a struct it is (whose view model the struct helper holds)."""
    if isinstance(ty, ir.StructT):
        return struct_key(program, program.struct(ty.name), through_lists)
    if through_lists:
        return f"lists\0{_spelling(program, ty, None)}\0{_all_shapes(program)}"
    memo = program.__dict__.setdefault("_r2g_item_by_value", {})
    return f"values\0{_expanded(program, ty, memo)}"


def _expanded(program: ir.Program, ty: ir.Type, memo: dict[str, str]) -> str:
    match ty:
        case ir.StructT(name):
            return _by_value(program, name, memo)
        case ir.Vec(inner) | ir.Opt(inner):
            return f"{type(ty).__name__}<{_expanded(program, inner, memo)}>"
        case ir.Map(kind, key, value):
            return f"{kind}<{_expanded(program, key, memo)},{_expanded(program, value, memo)}>"
    return _spelling(program, ty, memo)


def _own(s: ir.Struct) -> str:
    fields = [(f.name, ir.type_text(f.ty), f.docs, [a.text for a in f.attrs], f.vis)
              for f in s.fields]  # fmt: skip
    return repr((s.name, fields, s.vis, s.docs, [a.text for a in s.attrs], s.derives,
                 s.mem_class, s.recursive, s.go_tags))  # fmt: skip


def _by_value(program: ir.Program, name: str, memo: dict[str, str]) -> str:
    """The struct's fields, the structs it holds by value expanded (a checked program
    holds no struct inside itself by value, so this ends)."""
    found = memo.get(name)
    if found is None:
        fields = ",".join(f"{f.name}:{_spelling(program, f.ty, memo)}"
                          for f in program.struct(name).fields)  # fmt: skip
        found = memo[name] = f"{name}{{{fields}}}"
    return found


def _spelling(program: ir.Program, ty: ir.Type, memo: dict[str, str] | None) -> str:
    """The type as written, with enum reprs; `memo`: expand by-value structs too."""
    match ty:
        case ir.StructT(name):
            return name if memo is None else _by_value(program, name, memo)
        case ir.EnumT(name):
            return f"{name}:{program.enum(name).repr}"
        case ir.Vec(inner) | ir.Opt(inner):
            return f"{type(ty).__name__}<{_spelling(program, inner, None)}>"
        case ir.Map(kind, key, value):
            return f"{kind}<{_spelling(program, key, None)},{_spelling(program, value, None)}>"
    return ir.type_text(ty)


def _all_shapes(program: ir.Program) -> str:
    found = program.__dict__.get("_r2g_item_all_shapes")
    if found is None:
        shapes = ";".join(
            s.name
            + "{"
            + ",".join(f"{f.name}:{_spelling(program, f.ty, None)}" for f in s.fields)
            + "}"
            for s in program.structs
        )
        found = hashlib.sha256(shapes.encode()).hexdigest()
        program.__dict__["_r2g_item_all_shapes"] = found
    return found
