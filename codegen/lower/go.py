"""Lowering for the Go file: Go type spellings, per-type helper models and the
expressions the templates paste in (reads of borrowed Refs, reply sizes and writes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rust2go.codegen import ir
from rust2go.codegen.check.names import GO_SHADOWING
from rust2go.codegen.check.struct_tags import convert
from rust2go.codegen.lower.async_abi import AsyncArgs, async_args_by_method, async_entry
from rust2go.codegen.lower.ctypes import c_field, c_ref_name, c_type
from rust2go.codegen.lower.item_keys import Memo, reused, reused_for_type
from rust2go.codegen.lower.layout import EMPTY_FIELD, Layouts
from rust2go.codegen.lower.shm_split import cgo_part, shm_methods
from rust2go.codegen.lower.symbols import export_symbol, g2r_finish_symbol
from rust2go.codegen.lower.types import (
    Keys,
    Pass,
    g2r_fast,
    g2r_frameless,
    g2r_usage,
    go_by_pointer,
    go_needs_block,
    go_reply_views_vec,
    go_view,
    is_pod,
    param_pass,
    rust_needs_buffer,
    usage,
    walk,
)

# The package of Go assembly (templates/go/fastcall/) that switches to the system stack
# for a fast Go→Rust call: a directory of this name beside the Go output.
FASTCALL_PACKAGE = "r2gcall"

GO_PRIMITIVE: dict[str, str] = {
    "u8": "uint8", "u16": "uint16", "u32": "uint32", "u64": "uint64", "usize": "uint",
    "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64", "isize": "int",
    "f32": "float32", "f64": "float64", "bool": "bool", "char": "rune",
}  # fmt: skip


def go_param(name: str, program: ir.Program) -> str:
    """A parameter's name inside a generated Go function: one that would hide a Go
    built-in, a package the body uses (`len`, `string`, `C`, ...) or a type of the IDL
    (`fn f(S: &S)`) is renamed there. The interface keeps the IDL's name (it has no body),
    so the user's methods read the same."""
    return f"r2g_p_{name}" if name in GO_SHADOWING or name in _type_names(program) else name


def _type_names(program: ir.Program) -> set[str]:
    names = program.__dict__.get("_r2g_go_type_names")
    if names is None:
        names = {s.name for s in program.structs} | {e.name for e in program.enums}
        names |= {a.name for a in program.aliases} | {t.name for t in program.traits}
        names |= {f"{t.name}Impl" for t in program.traits}
        program.__dict__["_r2g_go_type_names"] = names
    return names


class GoSpeller:
    """Go spellings and expressions for the type instances of one program."""

    def __init__(self, program: ir.Program):
        self.program = program
        self.layouts = Layouts.of_program(program)
        self.key = Keys()

    def go_type(self, ty: ir.Type) -> str:
        match ty:
            case ir.Prim(name):
                return GO_PRIMITIVE[name]
            case ir.Str():
                return "string"
            case ir.Vec(elem):
                return f"[]{self.go_type(elem)}"
            case ir.Opt(inner):
                return f"*{self.go_type(inner)}"
            case ir.Map(_, key, value):
                return f"map[{self.go_type(key)}]{self.go_type(value)}"
            case ir.StructT(name) | ir.EnumT(name):
                return name
        raise TypeError(ty)

    def iface_ret(self, ret: ir.Returns | None) -> str:
        """A Go method's results: "", " T", or " (T, error)" for a `Result` method."""
        if ret is None:
            return ""
        t = self.go_type(ret.ty)
        return f" ({t}, error)" if ret.is_result else f" {t}"

    def cref(self, ty: ir.Type) -> str:
        return "C." + c_type(self.program, ty)

    def ref_size(self, ty: ir.Type) -> int:
        return self.layouts.of(ty).size

    def read(self, ty: ir.Type, x: str, own: bool = False) -> str:
        """Go value of type `ty` viewing the C Ref `x` (borrowed, zero-copy for bytes).
        `own`: a Go→Rust reply, whose bytes are in a Go buffer the value keeps alive; only
        slices of pointer-holding values are copied (`types.go_reply_views_vec`)."""
        if is_pod(ty):
            return f"{self.go_type(ty)}({x})"
        if isinstance(ty, ir.Str):
            return f"r2g_read_string({x})"
        return f"{self.read_fn(ty, own)}({x})"

    def read_fn(self, ty: ir.Type, own: bool) -> str:
        if own and go_reply_views_vec(self.program, ty):
            return f"r2g_own_{self.key(ty)}"
        return f"r2g_read_{self.key(ty)}"

    def lsize(self, ty: ir.Type, v: str) -> str | None:
        """Bytes of the Go block a Go→Rust argument needs: only arrays of Refs (strings and
        primitive slices are lent in place, as Rust does the other way); None for none."""
        if not rust_needs_buffer(self.program, ty):
            return None
        return f"r2g_lsize_{self.key(ty)}({self._arg(ty, v)})"

    def size(self, ty: ir.Type, v: str) -> str | None:
        """Bytes the reply block needs below the Ref of `v`; None when it needs none."""
        if not go_needs_block(self.program, ty):
            return None
        if isinstance(ty, ir.Str):
            return f"r2g_round(uintptr(len({v})))"
        return f"r2g_size_{self.key(ty)}({self._arg(ty, v)})"

    def write(self, ty: ir.Type, v: str, w: str) -> str:
        """The C Ref of `v`, its children copied into the reply block through writer `w`."""
        if is_pod(ty):
            return f"{self.cref(ty)}({v})"
        if isinstance(ty, ir.Str):
            return f"r2g_write_string({v}, {w})"
        return f"r2g_write_{self.key(ty)}({self._arg(ty, v)}, {w})"

    def field(self, ty: ir.Type, x: str, v: str) -> tuple[str, str | None, str, str | None]:
        """`read(ty, x)`, `size(ty, v)`, `write(ty, v, "w")` and `lsize(ty, v)` at once:
        a struct field needs all four, and they share every decision."""
        if is_pod(ty):
            return f"{self.go_type(ty)}({x})", None, f"{self.cref(ty)}({v})", None
        if isinstance(ty, ir.Str):
            return (
                f"r2g_read_string({x})",
                f"r2g_round(uintptr(len({v})))",
                f"r2g_write_string({v}, w)",
                None,
            )
        key, arg = self.key(ty), self._arg(ty, v)
        size = f"r2g_size_{key}({arg})" if go_needs_block(self.program, ty) else None
        lsize = f"r2g_lsize_{key}({arg})" if rust_needs_buffer(self.program, ty) else None
        return f"r2g_read_{key}({x})", size, f"r2g_write_{key}({arg}, w)", lsize

    @staticmethod
    def _arg(ty: ir.Type, v: str) -> str:
        return f"&{v}" if isinstance(ty, ir.StructT) else v


# ------------------------------------------------------------------ view models


@dataclass
class GoField:
    name: str
    cname: str
    go_type: str
    docs: tuple[str, ...]  # a tuple: an empty one is no object for the collector to scan
    read: str
    size: str | None
    write: str
    lsize: str | None = None
    tag: str = ""  # the Go struct tag, with its backquotes, or ""


@dataclass
class GoLayoutGuard:
    var: str  # names the IDL type (and field) so the compile error points at it
    expr: str  # unsafe.Sizeof / Offsetof of the C type
    expected: int


@dataclass
class GoStruct:
    name: str
    cref: str
    docs: list[str]
    fields: list[GoField]
    guards: list[GoLayoutGuard]
    c_fields: list[tuple[str, str]]  # (C type, C name) for the typedef


@dataclass
class GoHelper:
    """Per-instance helpers for a generic type (Vec/Option/map) or a struct. `kind` picks
    the template; `emit_read`/`emit_write` say which directions the program uses."""

    kind: str  # "vec_pod" | "vec" | "opt" | "map" | "struct"
    key: str
    go_type: str
    cref: str
    emit_read: bool
    emit_write: bool
    elem: dict[str, object] = field(default_factory=dict)  # element (or key) expressions
    value: dict[str, object] = field(default_factory=dict)  # map value expressions
    struct: GoStruct | None = None
    range_vars: str = ""  # map loops: which of key/value the size loop uses
    view: bool = False  # vec: the elements are Go values already (`go_view`), lent in place
    read_fn: str = ""  # r2g_read_<key>, or r2g_own_<key> for the copying reader
    emit_size: bool = False  # the copying size (replies to Rust)
    emit_lsize: bool = False  # the lending size (Go→Rust arguments)
    lrange_vars: str = ""  # map loops of the lending size
    field_reads: list[tuple[str, str]] = field(default_factory=list)  # struct: (field, read)


@dataclass
class GoEnum:
    name: str
    base: str
    docs: list[str]
    variants: list[tuple[str, int, list[str]]]  # (constant name, value, docs)


@dataclass
class GoParam:
    name: str
    cparam: str  # name of the export's C parameter
    local: str  # name of the converted Go value
    cref: str
    read: str  # the Go value, from the export's parameter or the async args struct
    go_type: str  # as seen by the interface method
    call_arg: str


@dataclass
class GoMethod:
    name: str
    docs: list[str]
    symbol: str
    params: list[GoParam]
    iface_ret: str  # "" | " T" | " (T, error)"
    out_cref: str  # "" when nothing is returned
    is_result: bool
    ret_size: str | None
    ret_write: str
    # A reply struct of scalars is assigned field by field into `*r2g_out` ((C name,
    # value) pairs): a whole composite literal would zero the Ref first and take the
    # returned value's address, which keeps it out of registers (`field_by_field`).
    ret_fields: list[tuple[str, str]] = field(default_factory=list)
    # Async: no export. The dispatcher calls `run_fn` (entry `args.index` of its table)
    # with the job Rust queued; it runs `reply_fn` (the arguments read from the job's
    # args struct, the call and the reply block, as in a sync export) and hands back the
    # completion for the Rust callback.
    is_async: bool = False
    reply_fn: str = ""
    run_fn: str = ""
    args: AsyncArgs | None = None


@dataclass
class GoTrait:
    name: str
    docs: list[str]
    methods: list[GoMethod]


@dataclass
class GoG2RParam:
    name: str
    go_type: str  # as the method takes it (by pointer unless an Option or go_pass_struct)
    local: str  # the Ref handed to Rust
    write: str  # builds the Ref, lending Go bytes (`r2g_writer.lend`)
    keep: bool  # the Ref reaches Go values only through the block: keep them alive
    ctype: str  # the Ref's C type, for the entry point's prototype
    cfield: str  # its field in the fast call's frame


@dataclass
class GoG2RMethod:
    name: str
    docs: list[str]
    symbol: str  # the Rust entry point
    what: str  # "Trait::method", in panic messages
    params: list[GoG2RParam]
    ret_ctype: str  # C typedef of what the entry point returns
    out_ctype: str  # the C type of its `out` field (the reply's Ref)
    iface_ret: str  # "" | " T" | " (T, error)"
    is_result: bool
    has_ret: bool
    lsize: str  # "" or the argument block's size expression
    writer: bool  # the arguments need a writer (strings, slices, structs, ...)
    reply_block: bool  # the reply has children: Go lends a buffer for them
    hint: str  # the package variable that remembers how big that buffer should be
    ret_read: str  # the Go value, read from the Ref returned by value (`r2g_r.out`)
    ret_read_pending: str  # the same, read from the buffer a pending reply was written to
    ret_go_type: str
    fast: bool  # called on Go's system stack (`types.g2r_fast`) through `{symbol}_fast`
    frame_ctype: str  # the fast call's frame: the Refs, the reply buffer, the reply
    # A fast call whose reply comes back whole or not at all (no reply buffer, no error):
    # the fast-call package checks for the failure, so the method has one call to inline.
    checked: bool = False
    frameless: bool = False  # fast, no parameters, no result (`types.g2r_frameless`)


@dataclass
class GoG2RTrait:
    name: str
    docs: list[str]
    methods: list[GoG2RMethod]

    @property
    def checked(self) -> bool:
        return any(m.checked for m in self.methods)


@dataclass
class GoFile:
    package: str
    with_main: bool
    go118: bool
    banner: str
    structs: list[GoStruct]
    enums: list[GoEnum]
    aliases: list[tuple[str, str]]
    helpers: list[GoHelper]
    traits: list[GoTrait]
    has_async: bool = False  # emit the callback trampoline and the async runtime part
    async_entry: str = ""  # prefix of the runtime's _init and _kick exports
    async_methods: list[GoMethod] = field(default_factory=list)  # in job index order
    g2r_traits: list[GoG2RTrait] = field(default_factory=list)
    g2r_finish: str = ""  # the Rust entry point that writes a reply too large to lend for
    # Import path of the fast-call package written beside this file (emit/fastcall.py);
    # empty: fast methods go through runtime.asmcgocall, linknamed in this file.
    fastcall_import: str = ""
    # The IDL has shm methods: their sections follow this file's (emit/shm_files.py) and
    # need these imports and C declarations here.
    shm: bool = False
    c_preamble_tail: str = ""  # after the generated C declarations in the cgo preamble

    @property
    def any_fast(self) -> bool:
        return any(m.fast for t in self.g2r_traits for m in t.methods)

    @property
    def fastcall_package(self) -> str:
        """The import of the fast-call package, when this file's fast methods use it."""
        return self.fastcall_import if self.any_fast else ""

    @property
    def g0call(self) -> str:
        """The Go function that runs a fast method's `_fast` entry on the system stack."""
        return f"{FASTCALL_PACKAGE}.Call" if self.fastcall_package else "r2g_asmcgocall"

    @property
    def g0call_checked(self) -> str:
        return f"{FASTCALL_PACKAGE}.CallChecked"

    @property
    def imports_runtime(self) -> bool:
        keeps = any(p.keep for t in self.g2r_traits for m in t.methods for p in m.params)
        return self.has_async or keeps

    @property
    def std_imports(self) -> list[str]:
        """The standard-library packages the file imports, sorted (as gofmt leaves them)."""
        from rust2go.codegen.lower.shm_go import IMPORTS as SHM_IMPORTS

        wanted = {"fmt", "unsafe"}
        wanted |= {"reflect"} if self.go118 else set()
        wanted |= {"runtime"} if self.imports_runtime else set()
        wanted |= {"sync/atomic"} if self.has_async or self.g2r_finish else set()
        wanted |= {"time"} if self.has_async else set()
        wanted |= set(SHM_IMPORTS) if self.shm else set()
        return sorted(wanted)


# ------------------------------------------------------------------ lowering


def lower_go(program: ir.Program, *, package: str, with_main: bool, go118: bool,
             banner: str, go_import_path: str | None = None, memo: Memo | None = None,
             cgo: ir.Program | None = None) -> GoFile:  # fmt: skip
    """The cgo part of the Go file: every method but the shm ones (emit/shm_files.py).
    `memo`: struct view models of earlier runs to reuse (lower/item_keys.py); `cgo`: the
    program's `cgo_part`, if the caller has it (what is worked out about it once, such as
    layouts and item keys, then serves the Rust lowering too)."""
    from rust2go.codegen.lower.shm_go import PREAMBLE as SHM_PREAMBLE

    shm = bool(shm_methods(program))
    program = cgo if cgo is not None else cgo_part(program)
    sp = GoSpeller(program)
    structs = {
        s.name: reused(memo, program, "go-struct", s, lambda s=s: _struct(sp, s))
        for s in program.structs
    }
    args = async_args_by_method(program, sp.layouts)
    traits = [_trait(sp, t, args) for t in program.r2g_traits()]
    return GoFile(
        package=package,
        with_main=with_main,
        go118=go118,
        banner=banner,
        structs=list(structs.values()),
        enums=[_enum(e) for e in program.enums],
        aliases=[(a.name, sp.go_type(a.target)) for a in program.aliases],
        helpers=_helpers(sp, structs, memo),
        traits=traits,
        has_async=bool(args),
        async_entry=async_entry(program) if args else "",
        # Traits and methods in order is how async_abi numbers them: this is index order.
        async_methods=[m for t in traits for m in t.methods if m.args],
        g2r_traits=[_g2r_trait(sp, t, checked=bool(go_import_path)) for t in program.g2r_traits()],
        g2r_finish=g2r_finish_symbol(program) if program.g2r_traits() else "",
        fastcall_import=f"{go_import_path}/{FASTCALL_PACKAGE}" if go_import_path else "",
        shm=shm,
        c_preamble_tail=SHM_PREAMBLE if shm else "",
    )


def _struct(sp: GoSpeller, s: ir.Struct) -> GoStruct:
    cref = "C." + c_ref_name(s.name)
    fields = []
    for f in s.fields:
        cname = c_field(f.name)
        read, size, write, lsize = sp.field(f.ty, f"x.{cname}", f"v.{f.name}")
        fields.append(GoField(f.name, cname, sp.go_type(f.ty), tuple(f.docs), read, size, write, lsize,
                              _tag(s, f.name)))  # fmt: skip
    lay = sp.layouts.struct(s.name)
    guards = [GoLayoutGuard(f"r2g_layout_of_{s.name}", f"unsafe.Sizeof({cref}{{}})",
                            lay.layout.size)]  # fmt: skip
    for fl in lay.fields:
        guards.append(GoLayoutGuard(f"r2g_layout_of_{s.name}_{fl.name}",
                                    f"unsafe.Offsetof({cref}{{}}.{c_field(fl.name)})",
                                    fl.offset))  # fmt: skip
    if go_view(sp.program, ir.StructT(s.name)):
        # Go reads this struct in place from its Ref: its own layout must be the same.
        guards.append(GoLayoutGuard(f"r2g_go_layout_of_{s.name}", f"unsafe.Sizeof({s.name}{{}})",
                                    lay.layout.size))  # fmt: skip
        for fl in lay.fields:
            guards.append(GoLayoutGuard(f"r2g_go_layout_of_{s.name}_{fl.name}",
                                        f"unsafe.Offsetof({s.name}{{}}.{fl.name})",
                                        fl.offset))  # fmt: skip
    c_fields = [(c_type(sp.program, f.ty), c_field(f.name)) for f in s.fields]
    return GoStruct(s.name, cref, s.docs, fields, guards, c_fields or [("uint8_t", EMPTY_FIELD)])


def _tag(s: ir.Struct, field_name: str) -> str:
    if not s.go_tags:
        return ""
    return "`" + " ".join(f'{key}:"{convert(field_name, conv)}"' for key, conv in s.go_tags) + "`"


def _enum(e: ir.EnumDef) -> GoEnum:
    variants = [(f"{e.name}{v.name}", v.value, v.docs) for v in e.variants]
    return GoEnum(e.name, GO_PRIMITIVE[e.repr], e.docs, variants)


def field_by_field(program: ir.Program, ty: ir.Type) -> bool:
    """A reply of this type is written field by field, without its struct writer: a
    non-empty struct of scalars (no reply block, so no size pass either)."""
    return (isinstance(ty, ir.StructT) and bool(program.struct(ty.name).fields)
            and not go_needs_block(program, ty))  # fmt: skip


def _written(program: ir.Program) -> set[ir.Type]:
    """The types whose writers Go needs: everything a reply reaches, except a reply
    struct written field by field (unless it is reached inside another reply too)."""
    seen: set[ir.Type] = set()
    out: set[ir.Type] = set()
    for trait in program.r2g_traits():
        for m in trait.methods:
            if m.ret is None:
                continue
            ty = m.ret.ty
            tops = (
                [f.ty for f in program.struct(ty.name).fields]
                if field_by_field(program, ty)
                else [ty]
            )
            for top in tops:
                out.update(walk(program, top, seen))
    return out


def _helpers(sp: GoSpeller, structs: dict[str, GoStruct], memo: Memo | None) -> list[GoHelper]:
    use, g2r = usage(sp.program), g2r_usage(sp.program)
    owned = {t for t in g2r.to_go if go_reply_views_vec(sp.program, t)}
    reads = set(use.to_go) | (set(g2r.to_go) - owned)
    sizes = _written(sp.program)
    lends = set(g2r.to_rust)
    ordered = list(dict.fromkeys(use.to_go + use.to_rust + g2r.to_rust + g2r.to_go))
    out = []
    for ty in ordered:
        flags = (ty in reads, ty in sizes, ty in sizes or ty in lends,
                 ty in lends and rust_needs_buffer(sp.program, ty))  # fmt: skip
        helper = reused_for_type(memo, sp.program, "go-helper", ty, repr(flags),
                                 lambda ty=ty, flags=flags: _flagged(sp, ty, structs, *flags))  # fmt: skip
        if helper is None:
            continue
        out.append(helper)
        if ty in owned:
            # The copying reader reads through lists (`go_reply_views_vec`).
            copier = reused_for_type(memo, sp.program, "go-helper", ty, "own",
                                     lambda ty=ty: _flagged(sp, ty, structs, True, own=True),
                                     through_lists=True)  # fmt: skip
            assert copier is not None
            out.append(copier)
    return out


def _flagged(sp: GoSpeller, ty: ir.Type, structs: dict[str, GoStruct], read: bool,
             size: bool = False, write: bool = False, lsize: bool = False,
             own: bool = False) -> GoHelper | None:  # fmt: skip
    """The helper of `ty`, with the directions the program uses (None: it needs none)."""
    h = _helper(sp, ty, structs, own)
    if h is not None:
        h.emit_read, h.emit_size, h.emit_write, h.emit_lsize = read, size, write, lsize
    return h


def _elem(sp: GoSpeller, ty: ir.Type, x: str, v: str, own: bool = False) -> dict[str, object]:
    return {
        "go_type": sp.go_type(ty),
        "cref": sp.cref(ty),
        "ref_size": sp.ref_size(ty),
        "read": sp.read(ty, x, own),
        "size": sp.size(ty, v),
        "write": sp.write(ty, v, "w"),
        "lsize": sp.lsize(ty, v),
        "pod": is_pod(ty),
    }


def _range_vars(k: str | None, v: str | None) -> str:
    return {(True, True): "k, e", (True, False): "k", (False, True): "_, e",
            (False, False): ""}[(k is not None, v is not None)]  # fmt: skip


def _helper(sp: GoSpeller, ty: ir.Type, structs: dict[str, GoStruct],
            own: bool = False) -> GoHelper | None:  # fmt: skip
    key, go_type, cref = sp.key(ty), sp.go_type(ty), sp.cref(ty)
    h: GoHelper | None = None
    match ty:
        case ir.Vec(elem) if is_pod(elem):
            h = GoHelper("vec_pod", key, go_type, cref, False, False, _elem(sp, elem, "", ""))
        case ir.Vec(elem):
            h = GoHelper("vec", key, go_type, cref, False, False,
                         _elem(sp, elem, "refs[i]", "v[i]", own),
                         view=go_view(sp.program, elem) and not own)  # fmt: skip
        case ir.Opt(inner):
            elem = _elem(sp, inner, f"*(*{sp.cref(inner)})(x.ptr)", "(*v)", own)
            h = GoHelper("opt", key, go_type, cref, False, False, elem)
        case ir.Map(_, k, val):
            kx, vx = _elem(sp, k, "keys[i]", "k", own), _elem(sp, val, "vals[i]", "e", own)
            h = GoHelper("map", key, go_type, cref, False, False, kx, vx,
                         range_vars=_range_vars(kx["size"], vx["size"]),
                         lrange_vars=_range_vars(kx["lsize"], vx["lsize"]))  # fmt: skip
        case ir.StructT(name):
            s = structs[name]
            h = GoHelper("struct", key, go_type, cref, False, False, struct=s)
            h.field_reads = [
                (f.name, sp.read(f.ty, f"x.{c_field(f.name)}", own))
                for f in sp.program.struct(name).fields
            ]
    if h is not None:
        h.read_fn = sp.read_fn(ty, own) if own else f"r2g_read_{key}"
    return h


def _trait(sp: GoSpeller, t: ir.Trait, args: dict[tuple[str, str], AsyncArgs]) -> GoTrait:
    return GoTrait(
        t.name, t.docs, [_method(sp, t, m, args.get((t.name, m.name))) for m in t.methods]
    )


def _method(sp: GoSpeller, t: ir.Trait, m: ir.Method, args: AsyncArgs | None) -> GoMethod:
    params = []
    for i, p in enumerate(m.params):
        local = f"r2g_arg_{p.name}"
        by_pointer = go_by_pointer(m, p)
        go_type = ("*" if by_pointer else "") + sp.go_type(p.ty)
        # Sync: the export's parameter (a pointer for POINTER/SLICE); async: a field of the
        # args struct, whose address Go takes for POINTER/SLICE.
        cparam = go_param(p.name, sp.program)
        src = cparam if args is None else f"r2g_args.{args.fields[i].cname}"
        addr = cparam if args is None else f"&{src}"
        cref, read, call_arg = sp.cref(p.ty), sp.read(p.ty, src), local
        cast = f"({go_type})(unsafe.Pointer({addr}))"  # a view of Rust memory (Pass)
        match param_pass(sp.program, m, p):
            case Pass.POINTER:
                cref, read = "*" + cref, cast
            case Pass.SLICE:
                cref, read = "*C.r2g_SliceRef", cast
            case _ if by_pointer:
                call_arg = "&" + local
        params.append(GoParam(
            name=p.name,
            cparam=cparam,
            local=local,
            cref=cref,
            read=read,
            go_type=go_type,
            call_arg=call_arg,
        ))  # fmt: skip
    iface_ret, out_cref, size, write, ret_fields = sp.iface_ret(m.ret), "", None, "", []
    if m.ret is not None:
        ty = m.ret.ty
        out_cref = sp.cref(ty)
        if field_by_field(sp.program, ty):
            ret_fields = [(c_field(f.name), sp.write(f.ty, f"r2g_ret.{f.name}", "nil"))
                          for f in sp.program.struct(ty.name).fields]  # fmt: skip
        else:
            size = sp.size(ty, "r2g_ret")
            write = sp.write(ty, "r2g_ret", "&r2g_w" if size else "nil")
    symbol = export_symbol(sp.program, t, m)
    is_async = args is not None
    return GoMethod(
        name=m.name,
        docs=m.docs,
        symbol=symbol,
        params=params,
        iface_ret=iface_ret,
        out_cref=out_cref,
        is_result=bool(m.ret and m.ret.is_result),
        ret_size=size,
        ret_write=write,
        ret_fields=ret_fields,
        is_async=is_async,
        reply_fn=f"r2g_reply_{symbol.removeprefix('r2g_')}" if is_async else "",
        run_fn=f"r2g_run_{symbol.removeprefix('r2g_')}" if is_async else "",
        args=args,
    )


def _g2r_trait(sp: GoSpeller, t: ir.Trait, checked: bool) -> GoG2RTrait:
    """`checked`: the fast-call package is there to check failures (CallChecked)."""
    return GoG2RTrait(t.name, t.docs, [_g2r_method(sp, t, m, checked) for m in t.methods])


def _g2r_method(sp: GoSpeller, t: ir.Trait, m: ir.Method, checked: bool) -> GoG2RMethod:
    params, lsizes = [], []
    for p in m.params:
        by_pointer = go_by_pointer(m, p)
        name = go_param(p.name, sp.program)
        value = f"(*{name})" if by_pointer else name
        lsize = sp.lsize(p.ty, value)
        if lsize:
            lsizes.append(lsize)
        params.append(GoG2RParam(
            name=name,
            go_type=("*" if by_pointer else "") + sp.go_type(p.ty),
            local=f"r2g_arg_{p.name}",
            write=sp.write(p.ty, value, "&r2g_w"),
            keep=lsize is not None,
            ctype=c_type(sp.program, p.ty),
            cfield=c_field(p.name),
        ))  # fmt: skip
    symbol = export_symbol(sp.program, t, m)
    ret = m.ret
    out_ctype = sp.cref(ret.ty) if ret else "C.uint8_t"
    return GoG2RMethod(
        name=m.name,
        docs=m.docs,
        symbol=symbol,
        what=f"{t.name}::{m.name}",
        params=params,
        ret_ctype="C.r2g_ret_" + symbol.removeprefix("r2g_"),
        out_ctype=out_ctype,
        iface_ret=sp.iface_ret(ret),
        is_result=bool(ret and ret.is_result),
        has_ret=ret is not None,
        lsize=" + ".join(lsizes),
        writer=any(not is_pod(p.ty) for p in m.params),
        reply_block=bool(ret and go_needs_block(sp.program, ret.ty)),
        hint="r2g_hint_" + symbol.removeprefix("r2g_"),
        ret_read=_g2r_read(sp, ret.ty, "r2g_r.out") if ret else "",
        ret_read_pending=_g2r_read(sp, ret.ty, f"(*(*{out_ctype})(r2g_p))") if ret else "",
        ret_go_type=sp.go_type(ret.ty) if ret else "",
        fast=g2r_fast(m),
        frame_ctype="C.r2g_frame_" + symbol.removeprefix("r2g_"),
        checked=checked
        and g2r_fast(m)
        and not (ret and (ret.is_result or go_needs_block(sp.program, ret.ty))),
        frameless=g2r_frameless(m),
    )


def _g2r_read(sp: GoSpeller, ty: ir.Type, x: str) -> str:
    """A Go→Rust reply from its Ref `x`. A struct of scalars is read field by field: a
    whole-struct read copies the Ref twice with overlapping 16-byte moves, and each stalls
    on the store of the copy before it (measured: 15 ns on a 45 ns call)."""
    if field_by_field(sp.program, ty):
        fields = sp.program.struct(ty.name).fields
        inits = ", ".join(f"{f.name}: {sp.read(f.ty, f'{x}.{c_field(f.name)}')}" for f in fields)
        return f"{sp.go_type(ty)}{{{inits}}}"
    return sp.read(ty, x, own=True)
