"""Language-neutral facts about type instances: helper-function keys, which instances a
program uses in each direction, and which need intermediate buffers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from rust2go.codegen import ir


def is_pod(ty: ir.Type) -> bool:
    """A value whose memory is its own Ref, so a slice of it can be lent in place."""
    return isinstance(ty, ir.Prim | ir.EnumT)


def _base_key(ty: ir.Type) -> str:
    match ty:
        case ir.Prim(name):
            return name
        case ir.Str():
            return "String"
        case ir.Vec(elem):
            return f"Vec_{_base_key(elem)}"
        case ir.Opt(inner):
            return f"Opt_{_base_key(inner)}"
        case ir.Map(kind, key, value):
            return f"{kind}_{_base_key(key)}_{_base_key(value)}"
        case ir.StructT(name) | ir.EnumT(name):
            return name
    raise TypeError(ty)


@dataclass
class Keys:
    """Readable, unique suffixes for per-type helpers (`r2g_read_Vec_Person`). A user type
    named like a spelled-out generic (`Vec_u8`) gets a numbered suffix instead of a clash."""

    _by_type: dict[ir.Type, str] = field(default_factory=dict)
    _taken: set[str] = field(default_factory=set)
    _seen: dict[int, tuple[ir.Type, str]] = field(default_factory=dict)

    def __call__(self, ty: ir.Type) -> str:
        # The same type object is asked about again and again (a field's type, by each of
        # its reads, sizes and writes): by identity first, which needs no hash of the type.
        hit = self._seen.get(id(ty))
        if hit is not None and hit[0] is ty:
            return hit[1]
        if ty not in self._by_type:
            key, n = _base_key(ty), 1
            while key in self._taken:
                n += 1
                key = f"{_base_key(ty)}_{n}"
            self._taken.add(key)
            self._by_type[ty] = key
        found = self._by_type[ty]
        self._seen[id(ty)] = (ty, found)  # the entry keeps `ty` alive: its id is not reused
        return found


def walk(program: ir.Program, ty: ir.Type, seen: set[ir.Type] | None = None) -> Iterator[ir.Type]:
    """`ty` and every type instance inside it, children first, each once."""
    seen = set() if seen is None else seen
    if ty in seen:
        return
    seen.add(ty)
    match ty:
        case ir.Vec(inner) | ir.Opt(inner):
            yield from walk(program, inner, seen)
        case ir.Map(_, key, value):
            yield from walk(program, key, seen)
            yield from walk(program, value, seen)
        case ir.StructT(name):
            for f in program.struct(name).fields:
                yield from walk(program, f.ty, seen)
    yield ty


@dataclass(frozen=True)
class Usage:
    """Type instances that travel Rust→Go (parameters) and Go→Rust (returns)."""

    to_go: tuple[ir.Type, ...]
    to_rust: tuple[ir.Type, ...]


def usage(program: ir.Program) -> Usage:
    seen_in: set[ir.Type] = set()
    seen_out: set[ir.Type] = set()
    to_go: list[ir.Type] = []
    to_rust: list[ir.Type] = []
    for trait in program.r2g_traits():
        for m in trait.methods:
            for p in m.params:
                to_go.extend(walk(program, p.ty, seen_in))
            if m.ret is not None:
                to_rust.extend(walk(program, m.ret.ty, seen_out))
    return Usage(tuple(to_go), tuple(to_rust))


def g2r_usage(program: ir.Program) -> Usage:
    """The same for Go→Rust methods: parameters travel to Rust, returns to Go."""
    seen_in: set[ir.Type] = set()
    seen_out: set[ir.Type] = set()
    to_go: list[ir.Type] = []
    to_rust: list[ir.Type] = []
    for trait in program.g2r_traits():
        for m in trait.methods:
            for p in m.params:
                to_rust.extend(walk(program, p.ty, seen_in))
            if m.ret is not None:
                to_go.extend(walk(program, m.ret.ty, seen_out))
    return Usage(tuple(to_go), tuple(to_rust))


def g2r_fast(method: ir.Method) -> bool:
    """A Go→Rust method is called on Go's system stack (runtime.asmcgocall: no cgo
    transition, about 5 ns instead of 35) unless it is marked `#[cgo_call]` / `#[cgo]`:
    what the original's asmcall default and its attribute do. docs/idl.md has the rules."""
    return not method.cgo_callback


def g2r_frameless(method: ir.Method) -> bool:
    """A fast Go→Rust method with no parameters and no result has no frame: its entry
    point takes the word to store a failure in and returns the failure too, which the fast
    switch tests in a register (a frame would cost two stores and a load per call)."""
    return g2r_fast(method) and not method.params and method.ret is None


def rust_viewable(program: ir.Program, ty: ir.Type) -> bool:
    """A `&T` Go→Rust parameter of this type is lent to Rust as a view of Go memory (the
    value's strings and primitive slices alias Go's bytes; only arrays of Rust values are
    allocated). A map cannot be a view (its table is its own allocation): a type that
    reaches one is converted to an owned value and lent by reference instead."""
    return not any(isinstance(t, ir.Map) for t in walk(program, ty))


def go_reply_views_vec(program: ir.Program, ty: ir.Type) -> bool:
    """Reading a Ref of `ty` in place would make a Go slice of pointer-holding values
    (`[]string`, `[]Struct`) over the reply buffer. The GC does not scan that buffer, so a
    value the user later stores into such a slice could be freed: a Go→Rust reply reaching
    one is read with copying readers (`r2g_own_*`) instead."""
    return any(isinstance(t, ir.Vec) and go_view(program, t.elem) for t in walk(program, ty))


def _asked(program: ir.Program, ty: ir.StructT,
           predicate: Callable[[ir.Program, ir.Type, frozenset[str]], bool]) -> bool:  # fmt: skip
    """`predicate(program, ty, frozenset())` for a struct, answered once per program:
    lowering asks about the same structs for every field, method and helper, and each
    answer walks their fields, all the way down (other types answer at once)."""
    memos = program.__dict__.get("_r2g_memo")
    if memos is None:
        memos = program.__dict__["_r2g_memo"] = {}
    memo = memos.get(predicate)
    if memo is None:
        memo = memos[predicate] = {}
    found = memo.get(ty.name)
    if found is None:
        found = memo[ty.name] = predicate(program, ty, frozenset())
    return found


def rust_needs_buffer(program: ir.Program, ty: ir.Type, seen: frozenset[str] = frozenset()) -> bool:
    """Rust lends strings and POD slices in place; only arrays of Refs need buffer space."""
    if seen or not isinstance(ty, ir.StructT):
        return _rust_needs_buffer(program, ty, seen)
    return _asked(program, ty, _rust_needs_buffer)


def _rust_needs_buffer(program: ir.Program, ty: ir.Type, seen: frozenset[str]) -> bool:
    match ty:
        case ir.Vec(inner) | ir.Opt(inner):
            return not is_pod(inner)
        case ir.Map():
            return True
        case ir.StructT(name) if name not in seen:
            return any(_rust_needs_buffer(program, f.ty, seen | {name})
                       for f in program.struct(name).fields)  # fmt: skip
    return False


def go_needs_block(program: ir.Program, ty: ir.Type, seen: frozenset[str] = frozenset()) -> bool:
    """Go copies every byte a reply points at into the C block; only scalars need none."""
    if seen or not isinstance(ty, ir.StructT):
        return _go_needs_block(program, ty, seen)
    return _asked(program, ty, _go_needs_block)


def _go_needs_block(program: ir.Program, ty: ir.Type, seen: frozenset[str]) -> bool:
    match ty:
        case ir.Prim() | ir.EnumT():
            return False
        case ir.StructT(name):
            if name in seen:
                return True
            return any(_go_needs_block(program, f.ty, seen | {name})
                       for f in program.struct(name).fields)  # fmt: skip
    return True


def go_view(program: ir.Program, ty: ir.Type) -> bool:
    """Go's in-memory form of `ty` is its C Ref byte for byte (64-bit targets), so Go can
    read a Ref in place through a cast: primitives and enums (the same integers; `char` is
    a rune), strings (a Go string header is {ptr, len}, the StringRef), and non-empty
    structs of those (Go keeps declaration order and aligns every such field as C does;
    both files assert the offsets). Lists, options and maps differ (a Go slice has a cap, an
    option is a pointer) and an empty struct is 0 bytes in Go but 1 in C."""
    match ty:
        case ir.Prim() | ir.EnumT() | ir.Str():
            return True
        case ir.StructT():
            return _asked(program, ty, _go_view_struct)
    return False


def _go_view_struct(program: ir.Program, ty: ir.Type, seen: frozenset[str]) -> bool:
    fields = program.struct(ty.name).fields  # type: ignore[union-attr]
    return bool(fields) and all(go_view(program, f.ty) for f in fields)


def go_by_pointer(method: ir.Method, param: ir.Param) -> bool:
    """As in rust2go: Go receives every parameter by pointer unless `#[go_pass_struct]`,
    so impl.go files written for it compile unchanged. An Option is a pointer already."""
    return not method.go_pass_struct and not isinstance(param.ty, ir.Opt)


class Pass:
    """How a call hands one parameter to Go (both sides agree through `param_pass`).
    VALUE: the Ref by value; Go converts it and passes `&local`, which escapes (one Go
    allocation). POINTER: the Ref stays in Rust memory and Go casts its address to `*T`
    (`go_view`). SLICE: Rust builds a Go slice header {ptr, len, cap=len} around the Ref
    array, and Go casts its address to `*[]E`. POINTER and SLICE cost Go no allocation and
    no copy; the value is borrowed for the call, like every string. A sync call passes
    the address as an argument of the export; an async call's Refs sit in its args struct
    (`async_args`), inside the call slot, so Go takes the field's address."""

    VALUE = "value"
    POINTER = "pointer"
    SLICE = "slice"


def param_pass(program: ir.Program, method: ir.Method, param: ir.Param) -> str:
    if not go_by_pointer(method, param):
        return Pass.VALUE
    if go_view(program, param.ty):
        return Pass.POINTER
    if isinstance(param.ty, ir.Vec) and go_view(program, param.ty.elem):
        return Pass.SLICE
    return Pass.VALUE
