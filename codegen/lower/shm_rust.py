"""Lowering for the generated Rust shm caller: `Wire` impls of the IDL structs/enums (the
payload codec) and one `{Trait}Shm` client per trait with shm methods. The fixed part
(mapping, rings, slots, doorbells, futures) is codegen/support/rust/shm/, which the
template includes."""

from __future__ import annotations

from dataclasses import dataclass

from rust2go.codegen import ir
from rust2go.codegen.lower.layout import Layouts, round8
from rust2go.codegen.lower.rust import rust_type
from rust2go.codegen.lower.rust_mem import client_slots
from rust2go.codegen.lower.shm_blocks import method_id, params_block, reply_block
from rust2go.codegen.lower.shm_contract import literals
from rust2go.codegen.lower.shm_symbols import client_name, purpose, serve_symbol, stop_symbol


@dataclass
class WireField:
    name: str
    offset: int


@dataclass
class WireStruct:
    name: str
    size: int
    fields: list[WireField]


@dataclass
class WireEnum:
    name: str
    repr: str
    variants: list[tuple[str, int]]


@dataclass
class ShmParam:
    name: str
    sig_type: str
    arg: str  # expression of type &T
    offset: int
    async_sig_type: str = ""  # an async method's: a borrow names the future's lifetime


@dataclass
class ShmMethod:
    name: str
    docs: list[str]
    id: int
    kind: str  # "sync" | "async" | "oneway"
    params: list[ShmParam]
    head: int  # the params block rounded to 8: where children start
    ret_type: str  # T of Result<T, ShmError>; "()" for oneway
    borrows: bool = False  # some parameter is a `&T`
    lend_twin: bool = False  # also `r2g_lent_<name>` taking every argument by reference


@dataclass
class ShmClient:
    name: str
    trait: str
    vis: str
    purpose: str
    serve_symbol: str
    stop_symbol: str
    methods: list[ShmMethod]
    geometry: tuple[int, int, int] = (0, 0, 0)  # in_process(): slots, request, response bytes
    contract: tuple[str, str] = ("0x0", '""')  # literals: hash, IDL file name


@dataclass
class RustShm:
    structs: list[WireStruct]
    enums: list[WireEnum]
    clients: list[ShmClient]


def _method(layouts: Layouts, m: ir.Method) -> ShmMethod:
    block = params_block(layouts, m)
    offsets = {mem.name: mem.offset for mem in block.members}
    # An async method's future holds its borrowed arguments until the first poll: its
    # lifetime is named (`'r2g`), which every edition accepts (2021 does not capture an
    # elided one in a return-position `impl Trait`).
    params = [
        ShmParam(p.name, ("&" if p.by_ref else "") + rust_type(p.ty),
                 p.name if p.by_ref else f"&{p.name}", offsets[p.name],
                 ("&'r2g " if p.by_ref else "") + rust_type(p.ty))
        for p in m.params
    ]  # fmt: skip
    kind = {ir.CallKind.SYNC: "sync", ir.CallKind.ASYNC: "async", ir.CallKind.ONEWAY: "oneway"}
    assert m.ret is None or reply_block(layouts, m).members[0].offset == 0
    return ShmMethod(
        name=m.name,
        docs=m.docs,
        id=method_id(m),
        kind=kind[m.kind],
        params=params,
        head=round8(block.size),
        ret_type="()" if m.ret is None else rust_type(m.ret.ty),
        borrows=any(p.by_ref for p in m.params),
        lend_twin=m.drop_safe_ret,
    )


def lower_rust_shm(program: ir.Program) -> RustShm:
    layouts = Layouts(program)
    structs = [
        WireStruct(s.name, layouts.struct(s.name).layout.size,
                   [WireField(f.name, fl.offset)
                    for f, fl in zip(s.fields, layouts.struct(s.name).fields, strict=False)])
        for s in program.structs
    ]  # fmt: skip
    enums = [
        WireEnum(e.name, e.repr, [(v.name, v.value) for v in e.variants]) for e in program.enums
    ]
    clients = [
        ShmClient(
            name=client_name(t),
            trait=t.name,
            vis=f"{t.vis} " if t.vis else "",
            purpose=purpose(t),
            serve_symbol=serve_symbol(program, t),
            stop_symbol=stop_symbol(program, t),
            methods=[_method(layouts, m) for m in t.methods if m.shm],
            geometry=client_slots(t),
            contract=literals(program, t),
        )
        for t in program.r2g_traits()
        if any(m.shm for m in t.methods)
    ]
    return RustShm(structs, enums, clients)
