"""Lowering for the std-only Rust file: user-facing spellings (structs, enums, the trait),
the `r2g_ffi` glue module (Refs, Wire impls, extern declarations, layout assertions)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rust2go.codegen import ir
from rust2go.codegen.lower.async_abi import AsyncArgs, async_args_by_method, async_entry
from rust2go.codegen.lower.ctypes import c_field
from rust2go.codegen.lower.item_keys import Memo, reused
from rust2go.codegen.lower.layout import EMPTY_FIELD, Layouts
from rust2go.codegen.lower.rust_async import (
    RustFuture,
    lower_future,
    returned_type,
    safety_docs,
)
from rust2go.codegen.lower.rust_mem import client_fn, mem_body, mem_signature
from rust2go.codegen.lower.shm_split import cgo_part
from rust2go.codegen.lower.symbols import export_symbol, g2r_finish_symbol
from rust2go.codegen.lower.types import (
    Pass,
    g2r_fast,
    g2r_frameless,
    go_needs_block,
    is_pod,
    param_pass,
    rust_needs_buffer,
    rust_viewable,
)

MAP_PATH = {"HashMap": "::std::collections::HashMap", "BTreeMap": "::std::collections::BTreeMap"}
FFI = "r2g_ffi"  # the glue module inside the generated file


def rust_type(ty: ir.Type, qual: str = "") -> str:
    """Rust spelling; `qual` prefixes user types (`super::` from inside the glue module)."""
    match ty:
        case ir.Prim(name):
            return name
        case ir.Str():
            return "String"
        case ir.Vec(elem):
            return f"Vec<{rust_type(elem, qual)}>"
        case ir.Opt(inner):
            return f"Option<{rust_type(inner, qual)}>"
        case ir.Map(kind, key, value):
            return f"{MAP_PATH[kind]}<{rust_type(key, qual)}, {rust_type(value, qual)}>"
        case ir.StructT(name) | ir.EnumT(name):
            return qual + name
    raise TypeError(ty)


def ref_type(program: ir.Program, ty: ir.Type) -> str:
    """The Rust spelling of a Ref, inside the glue module."""
    match ty:
        case ir.Prim("char"):
            return "u32"
        case ir.Prim(name):
            return name
        case ir.EnumT(name):
            return program.enum(name).repr
        case ir.Str():
            return "StringRef"
        case ir.Vec() | ir.Opt():
            return "ListRef"
        case ir.Map():
            return "MapRef"
        case ir.StructT(name):
            return f"{name}Ref"
    raise TypeError(ty)


# ------------------------------------------------------------------ view models


@dataclass
class RustField:
    name: str
    rust_type: str
    docs: tuple[str, ...]
    attrs: tuple[str, ...]
    ref_name: str  # field name in the Ref (C-safe, same as cgo sees)
    ref_type: str
    offset: int
    vis: str = "pub "  # as written in the IDL, with its trailing space


@dataclass
class RustStruct:
    name: str
    vis: str
    docs: list[str]
    attrs: list[str]
    derives: list[str]
    fields: list[RustField]
    ref_name: str
    size: int
    deep: bool  # converting needs space in the intermediate buffer
    sized_fields: list[str]  # fields whose conversion needs buffer space
    empty: bool
    owned_fields: list[str]  # fields a copying writer (a reply to Go) writes bytes for
    view: bool  # implements View (a `&T` Go→Rust parameter is lent as a view)
    # The naming lints the IDL's names may trip, less those the IDL's own attributes
    # already allow (clippy rejects an attribute given twice).
    allows: list[str] = field(default_factory=list)


@dataclass
class RustEnum:
    name: str
    vis: str
    docs: list[str]
    attrs: list[str]
    derives: list[str]
    repr: str
    variants: list[tuple[str, int, list[str]]]


@dataclass
class RustParam:
    name: str
    sig_type: str  # as written in the trait
    arg: str  # expression of type &T handed to Wire
    ref_type: str
    needs_buffer: bool
    # Sync calls (`types.Pass`): the Ref built before the call, the argument handed to the
    # export and its type in the extern block.
    make_ref: str = ""
    call_arg: str = ""
    ffi_type: str = ""


@dataclass
class RustMethod:
    name: str
    docs: list[str]
    symbol: str
    what: str  # "Trait::method", used in panic messages
    params: list[RustParam]
    ret_sig: str  # "" | " -> T" | " -> Result<T, String>"
    out_ref: str  # "" when nothing is returned
    finish: str  # "value" | "result"
    any_buffer: bool
    qualifier: str = ""  # "unsafe " for async methods that may not be dropped early
    future: RustFuture | None = None  # async methods only
    mem_body: str = ""  # a #[mem] method of the static API: the expression it returns


@dataclass
class RustTrait:
    name: str
    vis: str
    docs: list[str]
    methods: list[RustMethod]
    mem_client: str = ""  # the process-wide {Trait}Shm the #[mem] methods use, if any


@dataclass
class RustG2RParam:
    name: str  # the IDL's, in the trait
    # Its name in the glue, which sees the runtime's items: a parameter named like one of
    # its constants (`STATUS_ERR`) would be a pattern matching that constant.
    local: str
    sig_type: str  # as written in the trait
    ref_type: str  # what the entry point receives
    convert: str  # the statement that makes the value (or view) handed to the method
    arg: str  # the method's argument
    view: bool  # a `&T` lent as a view of Go memory (its arrays live in the call's Keep)


@dataclass
class RustG2RMethod:
    name: str
    docs: list[str]
    symbol: str
    what: str
    params: list[RustG2RParam]
    ret_sig: str  # "" | " -> T" | " -> Result<T, String>"
    out_ref: str  # the reply's Ref ("u8" without a reply)
    run: str  # "g2r_value" | "g2r_result" | "g2r_unit"
    keep: bool  # some parameter is a view: the call needs a Keep
    reply_block: bool  # the reply has children: Go lends a buffer for them
    fast: bool  # also called on Go's system stack through `{symbol}_fast` (not #[cgo_call])
    frame_type: str  # the fast call's frame
    frameless: bool  # fast, no parameters, no result: no frame (`types.g2r_frameless`)


@dataclass
class RustG2RTrait:
    name: str
    vis: str
    docs: list[str]
    methods: list[RustG2RMethod]


@dataclass
class RustFile:
    banner: str
    structs: list[RustStruct]
    enums: list[RustEnum]
    aliases: list[tuple[str, str, str]]  # (vis, name, target)
    traits: list[RustTrait]
    ffi: str
    async_support: bool  # some method is async: the slot module (support/async_slot.rs) is in
    async_entry: str  # prefix of the Go runtime's _init and _kick exports, or ""
    g2r_traits: list[RustG2RTrait]
    has_g2r: bool
    g2r_finish: str  # the entry point that writes a pending reply, or ""
    fast_guard: bool  # some Go→Rust method is fast: calls into Go check they are not in one


# ------------------------------------------------------------------ lowering


def lower_rust(program: ir.Program, *, banner: str, memo: Memo | None = None,
               cgo: ir.Program | None = None) -> RustFile:  # fmt: skip
    """The cgo part of the Rust file (every method but the shm ones, whose caller follows
    it: emit/shm_files.py). The shm methods of a trait still become its static `#[mem]`
    API on `{Trait}Impl`. `memo`, `cgo`: as for `go.lower_go`."""
    full, program = program, cgo if cgo is not None else cgo_part(program)
    layouts = Layouts.of_program(program)
    args = async_args_by_method(program, layouts)
    return RustFile(
        banner=banner,
        structs=[
            reused(
                memo,
                program,
                "rust-struct",
                s,
                lambda s=s: _struct(program, layouts, s),
                through_lists=bool(program.g2r_traits()),
            )  # fmt: skip
            for s in program.structs
        ],
        enums=[_enum(e) for e in program.enums],
        aliases=[(_vis(a.vis), a.name, rust_type(a.target)) for a in program.aliases],
        traits=[_with_mem(_trait(program, args, t), full) for t in program.r2g_traits()],
        ffi=FFI,
        async_support=bool(args),
        async_entry=async_entry(program) if args else "",
        g2r_traits=[_g2r_trait(program, t) for t in program.g2r_traits()],
        has_g2r=bool(program.g2r_traits()),
        g2r_finish=g2r_finish_symbol(program) if program.g2r_traits() else "",
        fast_guard=any(g2r_fast(m) for t in program.g2r_traits() for m in t.methods),
    )


def _vis(vis: str) -> str:
    return f"{vis} " if vis else ""


def _struct(program: ir.Program, layouts: Layouts, s: ir.Struct) -> RustStruct:
    lay = layouts.struct(s.name)
    offsets = {fl.name: fl.offset for fl in lay.fields}
    fields = [
        RustField(
            f.name,
            rust_type(f.ty),
            tuple(f.docs),  # tuples: an empty one is no object for the collector to scan
            tuple([a.text for a in f.attrs]),
            c_field(f.name),
            ref_type(program, f.ty),
            offsets[f.name],
            _vis(f.vis),
        )  # fmt: skip
        for f in s.fields
    ]
    return RustStruct(
        name=s.name,
        vis=_vis(s.vis),
        docs=s.docs,
        attrs=[a.text for a in s.attrs],
        allows=naming_allows(s.attrs),
        derives=s.derives,
        fields=fields,
        ref_name=f"{s.name}Ref",
        size=lay.layout.size,
        deep=rust_needs_buffer(program, ir.StructT(s.name)),
        sized_fields=[f.name for f in s.fields if rust_needs_buffer(program, f.ty)],
        empty=not s.fields,
        owned_fields=[f.name for f in s.fields if go_needs_block(program, f.ty)],
        view=bool(program.g2r_traits()) and rust_viewable(program, ir.StructT(s.name)),
    )


def _enum(e: ir.EnumDef) -> RustEnum:
    variants = [(v.name, v.value, v.docs, [a.text for a in v.attrs]) for v in e.variants]
    return RustEnum(e.name, _vis(e.vis), e.docs, [a.text for a in e.attrs], e.derives, e.repr,
                    variants)  # fmt: skip


def _param(program: ir.Program, m: ir.Method, p: ir.Param) -> RustParam:
    arg = p.name if p.by_ref else f"&{p.name}"
    ref = ref_type(program, p.ty)
    local = f"r2g_arg_{p.name}"
    make, call_arg, ffi_type = f"{FFI}::Wire::to_ref({arg}, &mut r2g_w)", local, ref
    match param_pass(program, m, p):
        case Pass.POINTER:
            call_arg, ffi_type = f"&{local}", f"*const {ref}"
        case Pass.SLICE:
            make, call_arg = f"{FFI}::SliceRef::of({make})", f"&{local}"
            ffi_type = "*const SliceRef"
    return RustParam(
        name=p.name,
        sig_type=("&" if p.by_ref else "") + rust_type(p.ty),
        arg=arg,
        ref_type=ref,
        needs_buffer=rust_needs_buffer(program, p.ty),
        make_ref=make,
        call_arg=call_arg,
        ffi_type=ffi_type,
    )


def _trait(program: ir.Program, args: dict[tuple[str, str], AsyncArgs], t: ir.Trait) -> RustTrait:
    return RustTrait(t.name, _vis(t.vis), t.docs,
                     [_method(program, t, m, args.get((t.name, m.name))) for m in t.methods])  # fmt: skip


def _method(program: ir.Program, t: ir.Trait, m: ir.Method, args: AsyncArgs | None) -> RustMethod:
    params = [_param(program, m, p) for p in m.params]
    ret_sig, out_ref, finish = "", "", "value"
    if m.ret is not None:
        ret_sig = f" -> {returned_type(m.ret, rust_type)}"
        out_ref = ref_type(program, m.ret.ty)
        finish = "result" if m.ret.is_result else "value"
    method = RustMethod(
        name=m.name,
        docs=m.docs,
        symbol=export_symbol(program, t, m),
        what=f"{t.name}::{m.name}",
        params=params,
        ret_sig=ret_sig,
        out_ref=out_ref,
        finish=finish,
        any_buffer=any(p.needs_buffer for p in params),
    )
    if args is not None:
        method.future = lower_future(program, t, m, params, args, rust_type=rust_type,
                                     ref_type=lambda ty: ref_type(program, ty))  # fmt: skip
        method.ret_sig, method.qualifier = method.future.ret_sig, method.future.qualifier
        method.docs = m.docs + safety_docs(m)
    return method


def _with_mem(view: RustTrait, full: ir.Program | None) -> RustTrait:
    """Adds the trait's `#[mem]` methods, in IDL order, to its cgo view."""
    trait = next((t for t in (full.r2g_traits() if full else []) if t.name == view.name), None)
    if trait is None or not any(m.shm for m in trait.methods):
        return view
    cgo = {m.name: m for m in view.methods}
    methods = []
    for m in trait.methods:
        if not m.shm:
            methods.append(cgo[m.name])
            continue
        qualifier, ret_sig, safety = mem_signature(m, rust_type)
        params = [RustParam(p.name, ("&" if p.by_ref else "") + rust_type(p.ty), p.name, "", False)
                  for p in m.params]  # fmt: skip
        methods.append(RustMethod(
            name=m.name, docs=m.docs + safety, symbol="", what=f"{trait.name}::{m.name}",
            params=params, ret_sig=ret_sig, out_ref="", finish="", any_buffer=False,
            qualifier=qualifier, mem_body=mem_body(trait, m),
        ))  # fmt: skip
    view.methods = methods
    view.mem_client = client_fn(trait)
    return view


def _g2r_trait(program: ir.Program, t: ir.Trait) -> RustG2RTrait:
    return RustG2RTrait(
        t.name, _vis(t.vis), t.docs, [_g2r_method(program, t, m) for m in t.methods]
    )


NAMING_LINTS = ("non_camel_case_types", "clippy::upper_case_acronyms", "non_snake_case")


def naming_allows(attrs: list) -> list[str]:
    """NAMING_LINTS less those an `#[allow(..)]` among the item's own attributes names."""
    written = {lint.strip() for a in attrs for lint in _allowed(a.text)}
    return [lint for lint in NAMING_LINTS if lint not in written]


def _allowed(attr: str) -> list[str]:
    m = re.fullmatch(r"#\[\s*allow\s*\((.*)\)\s*\]", attr.strip(), re.S)
    return m.group(1).split(",") if m else []


def _g2r_param(program: ir.Program, p: ir.Param) -> RustG2RParam:
    ty = rust_type(p.ty, "super::")
    local = f"r2g_p_{p.name}"
    by_view = p.by_ref and not is_pod(p.ty) and rust_viewable(program, p.ty)
    if by_view:
        convert = f"let {local} = unsafe {{ view::<{ty}>(&{local}, &mut r2g_keep) }};"
    else:
        convert = f"let {local}: {ty} = unsafe {{ Wire::from_ref(&{local}) }};"
    return RustG2RParam(
        name=p.name,
        local=local,
        sig_type=("&" if p.by_ref else "") + rust_type(p.ty),
        ref_type=ref_type(program, p.ty),
        convert=convert,
        arg=("&" if p.by_ref else "") + local,
        view=by_view,
    )


def _g2r_method(program: ir.Program, t: ir.Trait, m: ir.Method) -> RustG2RMethod:
    params = [_g2r_param(program, p) for p in m.params]
    ret_sig, out_ref, run = "", "u8", "g2r_unit"
    if m.ret is not None:
        ret_sig = f" -> {returned_type(m.ret, rust_type)}"
        out_ref = ref_type(program, m.ret.ty)
        run = "g2r_result" if m.ret.is_result else "g2r_value"
    return RustG2RMethod(
        name=m.name,
        docs=m.docs,
        symbol=export_symbol(program, t, m),
        what=f"{t.name}::{m.name}",
        params=params,
        ret_sig=ret_sig,
        out_ref=out_ref,
        run=run,
        keep=any(p.view for p in params),
        reply_block=m.ret is not None and go_needs_block(program, m.ret.ty),
        fast=g2r_fast(m),
        frame_type="r2g_frame_" + export_symbol(program, t, m).removeprefix("r2g_"),
        frameless=g2r_frameless(m),
    )


__all__ = ["EMPTY_FIELD", "RustFile", "lower_rust", "rust_type"]
