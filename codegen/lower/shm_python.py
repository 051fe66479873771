"""Lowering for the generated Python shm module: dataclasses and IntEnums of the IDL
types, codec tables, and one client method / handler case per shm method."""

from __future__ import annotations

import builtins
import keyword
from dataclasses import dataclass

from rust2go.codegen import ir
from rust2go.codegen.lower.layout import Layouts
from rust2go.codegen.lower.shm_blocks import Block, method_id, params_block, reply_block
from rust2go.codegen.lower.shm_contract import literals

PY_PRIM = {"f32": "float", "f64": "float", "bool": "bool", "char": "str"}


def py_desc(ty: ir.Type) -> str:
    """The codec's type tuple, as Python source."""
    match ty:
        case ir.Prim(name):
            return f"('prim', '{name}')"
        case ir.Str():
            return "('str',)"
        case ir.Vec(elem):
            return f"('vec', {py_desc(elem)})"
        case ir.Opt(inner):
            return f"('opt', {py_desc(inner)})"
        case ir.Map(_, key, value):
            return f"('map', {py_desc(key)}, {py_desc(value)})"
        case ir.StructT(name):
            return f"('struct', '{name}')"
        case ir.EnumT(name):
            return f"('enum', '{name}')"
    raise TypeError(ty)


def py_type(ty: ir.Type) -> str:
    match ty:
        case ir.Prim(name):
            return PY_PRIM.get(name, "int")
        case ir.Str():
            return "str"
        case ir.Vec(ir.Prim("u8")):
            return "bytes"
        case ir.Vec(elem):
            return f"list[{py_type(elem)}]"
        case ir.Opt(inner):
            return f"{py_type(inner)} | None"
        case ir.Map(_, key, value):
            return f"dict[{py_type(key)}, {py_type(value)}]"
        case ir.StructT(name) | ir.EnumT(name):
            return py_name(name, PY_MODULE_NAMES)
    raise TypeError(ty)


@dataclass
class PyStruct:
    key: str  # the IDL's name, which the codec tables use
    name: str  # the class's name in the module (`py_type`)
    size: int
    fields: list[tuple[str, str, int, str]]  # (name, annotation, offset, desc)


@dataclass
class PyMethod:
    name: str
    id: int
    kind: str  # "call" | "oneway"
    params: list[tuple[str, str]]  # (name, annotation)
    ret: str  # annotation, "None" for oneway
    params_block: str  # Python source of a Block
    reply_block: str
    many: str  # the pipelined batch method's name ("" for oneway: nothing to return)
    many_ret: str  # its return annotation


@dataclass
class PyTrait:
    name: str
    methods: list[PyMethod]
    contract: str  # Python source of the trait's shm Contract


@dataclass
class PyModule:
    banner: str
    enums: list[tuple[str, str, str, list[tuple[str, int]]]]  # (IDL name, class, repr, variants)
    structs: list[PyStruct]
    traits: list[PyTrait]


# What the module binds or relies on: a class of the IDL named like one would hide it.
PY_MODULE_NAMES = frozenset(
    ["enum", "dataclass", "annotations", "r2g_contract", "Block", "Codec", "StructInfo", "decode",
     "encode", "decode_many", "encode_many", "ShmCaller", "CODEC"]
) | frozenset(dir(builtins))  # fmt: skip
# A client method's own names: a parameter named like one would hide it in the body.
PY_CLIENT_NAMES = frozenset(["self", "timeout", "payload", "reply", "encode", "decode", "CODEC"])
# Attributes a client instance sets: a method of the same name would be hidden by them.
PY_CLIENT_ATTRS = frozenset(["caller"])


def py_name(name: str, taken: frozenset[str] = frozenset()) -> str:
    """The IDL's name in the Python peer; Python keywords (and `taken`) get a trailing
    underscore, as PEP 8 suggests (`class_`)."""
    return f"{name}_" if keyword.iskeyword(name) or name in taken else name


def _param(name: str) -> str:
    if name.endswith(("_PARAMS", "_REPLY")):  # the module's block constants
        return f"{name}_"
    return py_name(name, PY_CLIENT_NAMES)


def _block_src(b: Block) -> str:
    members = "".join(f"({_param(m.name)!r}, {m.offset}, {py_desc(m.ty)}), " for m in b.members)
    return f"Block({b.size}, ({members}))"


def _batch_name(name: str, taken: set[str]) -> str:
    """`<method>_many`, with trailing underscores while another method or attribute of the
    client already has that name."""
    many = f"{name}_many"
    while many in taken or many in PY_CLIENT_ATTRS:
        many += "_"
    taken.add(many)
    return many


def _method(layouts: Layouts, m: ir.Method, taken: set[str]) -> PyMethod:
    oneway = m.kind is ir.CallKind.ONEWAY
    name = py_name(m.name, PY_CLIENT_ATTRS)
    ret = "None" if m.ret is None else py_type(m.ret.ty)
    return PyMethod(
        name=name,
        id=method_id(m),
        kind="oneway" if oneway else "call",
        params=[(_param(p.name), py_type(p.ty)) for p in m.params],
        ret=ret,
        params_block=_block_src(params_block(layouts, m)),
        reply_block=_block_src(reply_block(layouts, m)),
        many="" if oneway else _batch_name(name, taken),
        many_ret=f"list[{ret} | Exception]",
    )


def _trait(program: ir.Program, layouts: Layouts, t: ir.Trait) -> PyTrait:
    shm = [m for m in t.methods if m.shm]
    taken = {py_name(m.name, PY_CLIENT_ATTRS) for m in shm}
    return PyTrait(t.name, [_method(layouts, m, taken) for m in shm], _contract_src(program, t))


def _contract_src(program: ir.Program, t: ir.Trait) -> str:
    return "r2g_contract.Contract({}, {})".format(*literals(program, t))


def lower_python(program: ir.Program, *, banner: str) -> PyModule:
    layouts = Layouts(program)
    structs = []
    for s in program.structs:
        lay = {f.name: f.offset for f in layouts.struct(s.name).fields}
        structs.append(PyStruct(s.name, py_type(ir.StructT(s.name)), layouts.struct(s.name).layout.size,
                                [(py_name(f.name), py_type(f.ty), lay[f.name], py_desc(f.ty))
                                 for f in s.fields]))  # fmt: skip
    traits = [
        _trait(program, layouts, t) for t in program.r2g_traits() if any(m.shm for m in t.methods)
    ]
    enums = [
        (
            e.name,
            py_type(ir.EnumT(e.name)),
            e.repr,
            [(py_name(v.name), v.value) for v in e.variants],
        )
        for e in program.enums
    ]
    return PyModule(banner.replace("// ", "# ").replace("//", "#"), enums, structs, traits)
