"""The load contract, checked against the IR before anything is generated or built.

A load method is shaped `fn NAME(req: Req) -> Resp` (sync, async or `#[mem]`), where Req
has `seq: u64` and `payload: Vec<u8>` and Resp has `seq: u64` and `checksum: u64`;
other fields are allowed and filled with defaults. Errors name the file, line, method
and the missing field, with a hint, like the front end's diagnostics."""

from __future__ import annotations

from dataclasses import dataclass

from rust2go.codegen import ir

REQUEST_FIELDS = {"seq": ir.Prim("u64"), "payload": ir.Vec(ir.Prim("u8"))}
REPLY_FIELDS = {"seq": ir.Prim("u64"), "checksum": ir.Prim("u64")}

# The call kind each transport drives; python-shm speaks the runtime's raw byte calls and
# uses the IDL only for the contract and the method id.
KIND_OF_TRANSPORT = {
    "cgo-sync": "sync",
    "cgo-async": "async",
    "shm-inproc": "shm",
    "shm-xproc": "shm",
    "python-shm": None,
}


class ContractError(Exception):
    """The IDL or method cannot be load-tested; str() is the rendered message."""


@dataclass(frozen=True)
class LoadMethod:
    program: ir.Program
    trait: ir.Trait
    method: ir.Method
    request: ir.Struct
    reply: ir.Struct

    @property
    def qualified(self) -> str:
        return f"{self.trait.name}::{self.method.name}"

    @property
    def kind(self) -> str:
        if self.method.shm or self.trait.shm:
            return "shm"
        return "async" if self.method.kind is ir.CallKind.ASYNC else "sync"


def _error(path: str, span, headline: str, hint: str) -> ContractError:
    where = f"{path}:{span.line}:{span.col}" if span is not None else path
    return ContractError(f"error: {where}: {headline}\n  hint: {hint}")


def find_method(program: ir.Program, name: str) -> tuple[ir.Trait, ir.Method]:
    """`name` is `method` or `Trait::method`."""
    trait_name, _, method_name = name.rpartition("::")
    found = [(t, m) for t in program.r2g_traits() for m in t.methods
             if m.name == method_name and trait_name in ("", t.name)]  # fmt: skip
    if len(found) == 1:
        return found[0]
    known = ", ".join(f"{t.name}::{m.name}" for t in program.r2g_traits() for m in t.methods)
    if not found:
        raise _error(program.path, None, f"no #[r2g] method named `{name}`",
                     f"methods in this file: {known or 'none'}")  # fmt: skip
    raise _error(program.path, None, f"method name `{name}` is ambiguous",
                 f"qualify it as Trait::method; candidates: {known}")  # fmt: skip


def _check_fields(program: ir.Program, method: str, role: str, ty: ir.Type, span,
                  wanted: dict[str, ir.Type]) -> ir.Struct:  # fmt: skip
    shape = ", ".join(f"{n}: {ir.type_text(t)}" for n, t in wanted.items())
    if not isinstance(ty, ir.StructT):
        raise _error(program.path, span,
                     f"method `{method}`: the {role} is `{ir.type_text(ty)}`, not a struct",
                     f"the {role} must be a struct with fields {shape}")  # fmt: skip
    struct = program.struct(ty.name)
    have = {f.name: f.ty for f in struct.fields}
    for name, want in wanted.items():
        if name not in have:
            raise _error(program.path, struct.span,
                         f"method `{method}`: {role} struct `{struct.name}` has no field `{name}`",
                         f"add `pub {name}: {ir.type_text(want)},` to `{struct.name}`")  # fmt: skip
        if have[name] != want:
            raise _error(program.path, struct.span,
                         f"method `{method}`: field `{struct.name}.{name}` is "
                         f"`{ir.type_text(have[name])}`, the load contract needs "
                         f"`{ir.type_text(want)}`",
                         f"change it to `pub {name}: {ir.type_text(want)},`")  # fmt: skip
    return struct


def check_contract(program: ir.Program, name: str, transport: str) -> LoadMethod:
    trait, m = find_method(program, name)
    q = f"{trait.name}::{m.name}"
    if len(m.params) != 1:
        raise _error(program.path, m.span, f"method `{q}` takes {len(m.params)} parameters",
                     "a load method takes exactly one request struct: fn NAME(req: Req) -> Resp")  # fmt: skip
    if m.ret is None:
        raise _error(program.path, m.span, f"method `{q}` returns nothing",
                     "a load method returns a reply struct: fn NAME(req: Req) -> Resp")  # fmt: skip
    request = _check_fields(program, q, "request", m.params[0].ty, m.span, REQUEST_FIELDS)
    reply = _check_fields(program, q, "reply", m.ret.ty, m.span, REPLY_FIELDS)
    lm = LoadMethod(program, trait, m, request, reply)
    want = KIND_OF_TRANSPORT[transport]
    if want is not None and lm.kind != want:
        raise _error(program.path, m.span,
                     f"method `{q}` is a {lm.kind} method; transport {transport} drives {want} methods",
                     _kind_hint(want))  # fmt: skip
    return lm


def _kind_hint(kind: str) -> str:
    return {
        "sync": "use a method written `fn NAME(req: Req) -> Resp` (no #[mem], not async)",
        "async": "use a method written `async fn NAME(req: Req) -> Resp` without #[mem]",
        "shm": "use a method marked #[mem] / #[shm] (or a #[r2g(shm)] trait)",
    }[kind]
