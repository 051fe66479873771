"""The resolved IR: the one model every back end (Go, Rust, C, Python shm API) reads.

Produced only by `rust2go.codegen.check` from a diagnostic-free AST. Everything here is
already valid: type names are resolved (aliases expanded), structs/enums exist, attributes
are interpreted. Back ends never validate; they lower these values to their language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from rust2go.codegen.source import Span

# ---------------------------------------------------------------------------- types

PRIMITIVES: tuple[str, ...] = (
    "u8", "u16", "u32", "u64", "usize",
    "i8", "i16", "i32", "i64", "isize",
    "f32", "f64", "bool", "char",
)  # fmt: skip

# Byte size and alignment on every 64-bit target we build for (the C ABI of the refs).
PRIMITIVE_SIZE: dict[str, int] = {
    "u8": 1, "i8": 1, "bool": 1,
    "u16": 2, "i16": 2,
    "u32": 4, "i32": 4, "f32": 4, "char": 4,
    "u64": 8, "i64": 8, "f64": 8, "usize": 8, "isize": 8,
}  # fmt: skip

MAP_KEY_TYPES: frozenset[str] = frozenset(PRIMITIVES) - {"f32", "f64"} | {"String"}


@dataclass(frozen=True)
class Prim:
    name: str  # one of PRIMITIVES


@dataclass(frozen=True)
class Str:
    pass


@dataclass(frozen=True)
class Vec:
    elem: Type


@dataclass(frozen=True)
class Opt:
    inner: Type


@dataclass(frozen=True)
class Map:
    kind: str  # "HashMap" | "BTreeMap"
    key: Type  # Prim (not float) or Str
    value: Type


@dataclass(frozen=True)
class StructT:
    name: str


@dataclass(frozen=True)
class EnumT:
    name: str


Type = Prim | Str | Vec | Opt | Map | StructT | EnumT


class MemClass(Enum):
    """How a value crosses the FFI boundary (the original's "level").

    PRIMITIVE: the Ref is the value itself (no pointers).
    WRAPPER:   the Ref points straight at the caller's memory (String, Vec<primitive>):
               zero copy, no intermediate buffer.
    COMPLEX:   needs an intermediate buffer of child Refs (Vec<String>, Vec<Struct>, ...),
               sized first and allocated once.
    """

    PRIMITIVE = 0
    WRAPPER = 1
    COMPLEX = 2


# ---------------------------------------------------------------------------- items


@dataclass(frozen=True)
class Attr:
    """An attribute kept verbatim so the Rust output can reproduce it (`#[serde(...)]`)."""

    text: str  # e.g. "#[serde(rename = \"x\")]"
    span: Span


@dataclass
class Field:
    name: str  # as written in the IDL (escaping is a lowering concern)
    ty: Type
    span: Span
    docs: list[str] = field(default_factory=list)
    attrs: list[Attr] = field(default_factory=list)
    vis: str = "pub"  # as written: "" (private), "pub", "pub(crate)", ...


@dataclass
class Struct:
    name: str
    fields: list[Field]
    span: Span
    vis: str = "pub"  # "" | "pub" | "pub(crate)" ...
    docs: list[str] = field(default_factory=list)
    attrs: list[Attr] = field(default_factory=list)  # derive(rust2go::R2G) already removed
    derives: list[str] = field(default_factory=list)  # remaining derive paths, e.g. ["Clone"]
    mem_class: MemClass = MemClass.PRIMITIVE
    recursive: bool = False  # reaches itself through Vec or a map value
    go_tags: list[tuple[str, str]] = field(default_factory=list)  # (tag key, naming convention)


@dataclass
class Variant:
    name: str
    value: int
    span: Span
    docs: list[str] = field(default_factory=list)
    attrs: list[Attr] = field(default_factory=list)  # e.g. #[default], kept verbatim


@dataclass
class EnumDef:
    """A C-like enum. `repr` is the integer primitive it travels as (from #[repr(..)],
    default i32)."""

    name: str
    variants: list[Variant]
    span: Span
    repr: str = "i32"
    vis: str = "pub"
    docs: list[str] = field(default_factory=list)
    attrs: list[Attr] = field(default_factory=list)
    derives: list[str] = field(default_factory=list)


@dataclass
class Alias:
    name: str
    target: Type
    span: Span
    vis: str = "pub"


@dataclass
class Param:
    name: str
    ty: Type
    by_ref: bool  # written `&T`
    span: Span


class CallKind(Enum):
    ONEWAY = "oneway"  # fn f(..) with no return
    SYNC = "sync"  # fn f(..) -> T
    ASYNC = "async"  # async fn f(..) -> T, or fn f(..) -> impl Future<Output = T>


@dataclass(frozen=True)
class Returns:
    ty: Type
    is_result: bool = False  # Result<T, String>: Go returns (T, error)


@dataclass
class Method:
    name: str
    index: int  # position in the trait, stable ids for shm call_id
    params: list[Param]
    ret: Returns | None
    kind: CallKind
    span: Span
    docs: list[str] = field(default_factory=list)
    # Interpreted attributes. `future_send`: the returned future is Send + Sync.
    future_send: bool = False
    drop_safe: bool = False
    drop_safe_ret: bool = False
    shm: bool = False  # #[mem] / #[shm] (or trait-level shm)
    cgo_callback: bool = False  # #[cgo_callback] / #[cgo]
    go_pass_struct: bool = False  # Go receives structs by value instead of by pointer
    written_as_async_fn: bool = False  # `async fn` (vs `-> impl Future`)

    @property
    def unsafe(self) -> bool:
        """An async method is unsafe to drop early unless it owns what Go reads."""
        return self.kind is CallKind.ASYNC and not (self.drop_safe or self.drop_safe_ret)


class Direction(Enum):
    R2G = "r2g"  # Rust calls Go
    G2R = "g2r"  # Go calls Rust


@dataclass
class Trait:
    name: str
    direction: Direction
    methods: list[Method]
    span: Span
    binding_mod: str = "binding"
    queue_size: int = 4096  # #[mem] calls of the static API: slots of the in-process segment
    queue_size_written: bool = False  # else the segment's default geometry is used
    shm: bool = False  # #[r2g(shm)]: every method goes over shared memory
    vis: str = "pub"
    docs: list[str] = field(default_factory=list)


@dataclass
class Program:
    """A checked IDL file. Structs are in dependency order (a struct's non-recursive
    field types come before it), which is the order C typedefs must be emitted in."""

    path: str
    source_sha256: str
    structs: list[Struct]
    enums: list[EnumDef]
    aliases: list[Alias]
    traits: list[Trait]

    def struct(self, name: str) -> Struct:
        return self._by_name("structs")[name]

    def enum(self, name: str) -> EnumDef:
        return self._by_name("enums")[name]

    def _by_name(self, kind: str) -> dict:
        # Lowering looks types up tens of thousands of times on a large IDL: an index per
        # list, rebuilt if the list is not the one it was built from.
        items = getattr(self, kind)
        cached = self.__dict__.get(f"_{kind}_index")
        if cached is None or cached[0] is not items or len(cached[1]) != len(items):
            cached = (items, {x.name: x for x in items})
            self.__dict__[f"_{kind}_index"] = cached
        return cached[1]

    def r2g_traits(self) -> list[Trait]:
        return [t for t in self.traits if t.direction is Direction.R2G]

    def g2r_traits(self) -> list[Trait]:
        return [t for t in self.traits if t.direction is Direction.G2R]


def type_text(ty: Type) -> str:
    """The Rust spelling of a resolved type (used by dumps and diagnostics)."""
    match ty:
        case Prim(name):
            return name
        case Str():
            return "String"
        case Vec(elem):
            return f"Vec<{type_text(elem)}>"
        case Opt(inner):
            return f"Option<{type_text(inner)}>"
        case Map(kind, key, value):
            return f"{kind}<{type_text(key)}, {type_text(value)}>"
        case StructT(name) | EnumT(name):
            return name
    raise TypeError(ty)


def mem_class_of(ty: Type, structs: dict[str, Struct]) -> MemClass:
    """Vec<struct> is always COMPLEX, even for a struct of primitives: the Go side must
    read C-layout Refs, never Rust-layout elements (the original's bug B3)."""
    match ty:
        case Prim() | EnumT():
            return MemClass.PRIMITIVE
        case Str():
            return MemClass.WRAPPER
        case Vec(Prim()) | Opt(Prim()):
            return MemClass.WRAPPER
        case Vec() | Opt() | Map():
            return MemClass.COMPLEX
        case StructT(name):
            return structs[name].mem_class
    raise TypeError(ty)
