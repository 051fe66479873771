"""Hypothesis strategies that write IDL files: `programs` (plain names, every type shape
of one trait; the front end's round-trip property) and `hostile_programs` (names drawn
from everything the generated Go and Rust could collide with, several traits of every
call kind; the generator's build property)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

from rust2go.codegen import ir

PRIMS = [ir.Prim(p) for p in ir.PRIMITIVES]
KEYS = [ir.Prim(p) for p in sorted(ir.MAP_KEY_TYPES - {"String"})] + [ir.Str()]


def types(named: list[ir.Type], max_leaves: int = 4) -> st.SearchStrategy[ir.Type]:
    """Any field or parameter type over the primitives and the `named` structs/enums."""
    leaves = st.sampled_from(PRIMS + [ir.Str()] + list(named))
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            inner.map(ir.Vec),
            inner.map(ir.Opt),
            st.tuples(st.sampled_from(["HashMap", "BTreeMap"]), st.sampled_from(KEYS), inner).map(
                lambda t: ir.Map(*t)
            ),
        ),
        max_leaves=max_leaves,
    )


# ------------------------------------------------------------------ plain names, one trait


@st.composite
def programs(draw) -> tuple[str, list[tuple[str, list[tuple[str, ir.Type]]]], list[tuple]]:
    structs: list[tuple[str, list[tuple[str, ir.Type]]]] = []
    n = draw(st.integers(1, 6))
    for i in range(n):
        earlier = [ir.StructT(s) for s, _ in structs]
        fields = [(f"f{j}", draw(types(earlier))) for j in range(draw(st.integers(0, 5)))]
        structs.append((f"S{i}", fields))
    named = [ir.StructT(s) for s, _ in structs]
    methods = []
    for k in range(draw(st.integers(1, 5))):
        params = [
            (f"p{j}", draw(types(named)), draw(st.booleans()))
            for j in range(draw(st.integers(0, 3)))
        ]
        kind = draw(st.sampled_from(["oneway", "sync", "async", "future"]))
        ret = None if kind == "oneway" else draw(types(named))
        methods.append((f"m{k}", params, kind, ret))
    return render(structs, methods), structs, methods


def render(structs, methods) -> str:
    out = ["use std::collections::{BTreeMap, HashMap};", ""]
    for name, fields in structs:
        out.append("#[derive(rust2go::R2G, Clone)]")
        out.append(f"pub struct {name} {{")
        out += [f"    pub {f}: {ir.type_text(t)}," for f, t in fields]
        out.append("}")
    out.append("#[rust2go::r2g]\npub trait Gen {")
    for name, params, kind, ret in methods:
        args = ", ".join(f"{p}: {'&' if r else ''}{ir.type_text(t)}" for p, t, r in params)
        if kind == "oneway":
            out.append(f"    fn {name}({args});")
        elif kind == "sync":
            out.append(f"    fn {name}({args}) -> {ir.type_text(ret)};")
        elif kind == "async":
            out.append(f"    async fn {name}({args}) -> {ir.type_text(ret)};")
        else:
            out.append(
                f"    fn {name}({args}) -> impl Future<Output = {ir.type_text(ret)}> + Send;"
            )
    out.append("}")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ hostile names, every call kind
#
# The pools are written out here rather than imported from the checker: the property is
# that whatever the checker lets through builds, so the test must not share its idea of
# which names are dangerous.

GO_KEYWORDS = ("break case chan const continue default defer else fallthrough for func go goto if "
               "import interface map package range return select struct switch type var").split()  # fmt: skip
GO_PREDECLARED = ("any bool byte comparable complex64 complex128 error float32 float64 int int8 int16 "
                  "int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr true false iota nil "
                  "append cap clear close complex copy delete imag len make max min new panic print "
                  "println real recover").split()  # fmt: skip
GO_PACKAGES = ("C unsafe runtime sync atomic fmt strings errors math binary os syscall time reflect "
               "strconv signal flag r2gcall main init").split()  # fmt: skip
RUST_STRICT = ("as break const continue crate else enum extern false fn for if impl in let loop match "
               "mod move mut pub ref return self Self static struct super trait true type unsafe use "
               "where while async await dyn").split()  # fmt: skip
RUST_RESERVED = (
    "abstract become box do final macro override priv typeof unsized virtual yield try gen".split()
)
RUST_WEAK = "union macro_rules raw auto default safe".split()
RUST_RAW = ["r#type", "r#match", "r#fn", "r#len"]
RUST_PRELUDE = ("Option Some None Result Ok Err String Vec Box Copy Clone Send Sync Sized Drop Fn FnMut "
                "FnOnce Default Eq PartialEq Ord PartialOrd Iterator IntoIterator Extend ToString "
                "ToOwned From Into AsRef AsMut Debug drop std core alloc str u8 i32 u64 usize f64 bool "
                "char HashMap BTreeMap Future Pin").split()  # fmt: skip
# Names the generated code uses for itself; with a reserved prefix they are rejected.
RESERVED = "r2g_x r2g_ffi r2g_p_x r2g R2g_x _r2g R2G_SHM R2G_x".split()
GENERATED = ("r2gcall Wire View Writer Reply FastCall SlotRec Ring Header Block Bell Mapping QUEUE "
             "STATUS_OK STATUS_ERR STATUS_PANIC ListRef StringRef G2RReply g2r_result method "
             "req resp buf cap f w s v n p e ok err out ret mem off cell slot writeHeader "
             "resetSession connect in_process in_process_with in_flight free_slots is_dead new next "
             "to_string as_ref into_iter from clone eq at cur ks vs x impl_ r2g_shm R2G_SHM").split()  # fmt: skip
# Method names `go vet` gives a standard signature to; names the Python peer's code uses.
GO_VET = "ReadByte Unwrap Is Seek WriteByte MarshalJSON Format Scan WriteTo String Error".split()
PYTHON = "pass def class lambda not del global with raise except nonlocal timeout caller encode decode CODEC".split()
ORDINARY = ("id name value data items count user users request response ctx key keys total flag "
            "size offset payload status kind level tag tags hint note x y z a b c d").split()  # fmt: skip
# Type names: ordinary ones, and ones the generator derives from other types
# (`{Struct}Ref`, `{Trait}Impl`, `{Trait}Shm`, `{Enum}{Variant}`).
TYPE_WORDS = ("A B S E T X Y EA EB SRef XRef XImpl XShm XShmServe TImpl TShm Back Forth User Item "
              "Demo Request Response Call Callback Result2 Handler Server Client").split()  # fmt: skip

# Names the checker may well reject in any position.
HOSTILE = GO_KEYWORDS + RUST_STRICT + RUST_RESERVED + RUST_WEAK + RUST_RAW + RESERVED
MEMBERS = (
    GO_PREDECLARED
    + GO_PACKAGES
    + RUST_PRELUDE
    + GENERATED
    + ORDINARY
    + TYPE_WORDS
    + GO_VET
    + PYTHON
)


def names(hostile: bool) -> st.SearchStrategy[str]:
    """A member name (field, parameter, method, variant). An IDL of 40 names with one
    rejected among them proves nothing about the other 39, so hostile names are drawn
    rarely and only in some examples."""
    members = st.sampled_from(MEMBERS)
    return st.one_of(*[members] * 9, st.sampled_from(HOSTILE)) if hostile else members


def type_names(hostile: bool) -> st.SearchStrategy[str]:
    """Predeclared Go names and Rust's built-in types cannot name a type: only in
    hostile examples."""
    base = st.sampled_from(TYPE_WORDS + ORDINARY + GENERATED)
    if not hostile:
        return base
    return st.one_of(
        base, base, st.sampled_from(GO_PREDECLARED + GO_PACKAGES + RUST_PRELUDE + HOSTILE)
    )


@dataclass
class Method:
    name: str
    params: list[tuple[str, ir.Type, bool]]  # name, type, by reference
    kind: str  # oneway sync async future
    ret: ir.Type | None
    result: bool = False  # `Result<ret, String>`
    attrs: list[str] = field(default_factory=list)

    def signature(self) -> str:
        args = ", ".join(f"{p}: {'&' if r else ''}{ir.type_text(t)}" for p, t, r in self.params)
        ret = self.ret_text()
        if self.kind == "future":
            return f"fn {self.name}({args}) -> impl Future<Output = {ret}>"
        head = "async fn" if self.kind == "async" else "fn"
        return f"{head} {self.name}({args})" + (f" -> {ret}" if ret else "")

    def ret_text(self) -> str | None:
        if self.ret is None:
            return None
        t = ir.type_text(self.ret)
        return f"Result<{t}, String>" if self.result else t


@dataclass
class Trait:
    name: str
    g2r: bool
    args: str  # the attribute's arguments: "" or "(binding)" or "(shm)"...
    methods: list[Method]


@dataclass
class Program:
    structs: list[tuple[str, list[tuple[str, ir.Type]]]]
    enums: list[tuple[str, list[str]]]
    aliases: list[tuple[str, ir.Type]]
    traits: list[Trait]

    def text(self) -> str:
        out = ["use std::collections::{BTreeMap, HashMap};", ""]
        for name, variants in self.enums:
            out += (
                ["#[derive(Clone, Copy)]", f"pub enum {name} {{"]
                + [f"    {v}," for v in variants]
                + ["}"]
            )
        for name, ty in self.aliases:
            out.append(f"pub type {name} = {ir.type_text(ty)};")
        for name, fields in self.structs:
            out += ["#[derive(rust2go::R2G, Clone)]", f"pub struct {name} {{"]
            out += [f"    pub {f}: {ir.type_text(t)}," for f, t in fields] + ["}"]
        for t in self.traits:
            out += [f"#[rust2go::{'g2r' if t.g2r else 'r2g'}{t.args}]", f"pub trait {t.name} {{"]
            for m in t.methods:
                out += [f"    #[{a}]" for a in m.attrs] + [f"    {m.signature()};"]
            out.append("}")
        return "\n".join(out) + "\n"


def _unique(draw, strategy, n_min: int, n_max: int, taken: set[str]) -> list[str]:
    got = draw(st.lists(strategy.filter(lambda n: n not in taken), min_size=n_min, max_size=n_max,
                        unique=True))  # fmt: skip
    taken.update(got)
    return got


R2G_KINDS = ["oneway", "sync", "sync", "async", "future", "mem", "mem_async"]


@st.composite
def hostile_programs(draw) -> Program:
    """Several structs, enums, an alias, `#[r2g]` traits with every call kind (cgo sync,
    async, shared memory) and `#[g2r]` traits (fast and `#[cgo_call]`)."""
    hostile = draw(st.integers(0, 3)) == 0  # a hostile example is nearly always rejected
    taken: set[str] = set()
    enum_names = _unique(draw, type_names(hostile), 0, 2, taken)
    enums = [
        (e, draw(st.lists(names(hostile), min_size=1, max_size=3, unique=True))) for e in enum_names
    ]
    named: list[ir.Type] = [ir.EnumT(e) for e in enum_names]
    structs = []
    for s in _unique(draw, type_names(hostile), 1, 4, taken):
        fields = draw(st.lists(names(hostile), max_size=4, unique=True))
        structs.append((s, [(f, draw(types(named))) for f in fields]))
        named.append(ir.StructT(s))  # later structs may contain earlier ones
    aliases = [(a, draw(types(named, 2))) for a in _unique(draw, type_names(hostile), 0, 1, taken)]
    traits = []
    for g2r in [False, True, False, True][: draw(st.integers(1, 4))]:
        (name,) = _unique(draw, type_names(hostile), 1, 1, taken)
        methods = []
        for m in draw(st.lists(names(hostile), min_size=1, max_size=4, unique=True)):
            params = [(p, draw(types(named)), draw(st.booleans()))
                      for p in draw(st.lists(names(hostile), max_size=3, unique=True))]  # fmt: skip
            kind = draw(st.sampled_from(["oneway", "sync", "sync"] if g2r else R2G_KINDS))
            attrs = []
            if kind.startswith("mem"):
                attrs.append("mem")
                kind = "async" if kind == "mem_async" else draw(st.sampled_from(["oneway", "sync"]))
            if g2r and draw(st.booleans()):
                attrs.append("cgo_call")
            if not g2r and kind == "sync" and "mem" not in attrs and draw(st.booleans()):
                attrs.append("cgo_callback")
            if kind in ("async", "future") and "mem" not in attrs:
                if not any(r for _, _, r in params) and draw(st.booleans()):
                    attrs.append(draw(st.sampled_from(["drop_safe", "drop_safe_ret"])))
                if draw(st.booleans()):
                    attrs.append("send")
            if not g2r and draw(st.integers(0, 4)) == 0:
                attrs.append("go_pass_struct")
            ret = None if kind == "oneway" else draw(types(named))
            result = ret is not None and draw(st.integers(0, 3)) == 0
            methods.append(Method(m, params, kind, ret, result, attrs))
        args = (
            ""
            if g2r
            else draw(st.sampled_from(["", "", "(binding)", "(queue_size = 64)", "(shm)"]))
        )
        traits.append(Trait(name, g2r, args, methods))
    return Program(structs, enums, aliases, traits)
