"""Name rules shared by every check: keywords of both target languages, the reserved
prefix of generated identifiers, and built-in type names an IDL may not redefine."""

from __future__ import annotations

import difflib

from rust2go.codegen.diagnostics import Diagnostics
from rust2go.codegen.source import Span

GO_KEYWORDS = frozenset(
    "break case chan const continue default defer else fallthrough for func go goto if import "
    "interface map package range return select struct switch type var".split()
)

# Predeclared Go identifiers and the packages generated code imports: a parameter with
# one of these names would shadow what a generated function body relies on, so the Go
# lowering renames it there (lower/go.py `go_param`).
GO_SHADOWING = frozenset(
    ["bool", "byte", "complex64", "complex128", "error", "float32", "float64", "int", "int8", "int16", "int32", "int64", "rune", "string", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "true", "false", "iota", "nil", "any", "comparable", "append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make", "max", "min", "new", "panic", "print", "println", "real", "recover", "C", "unsafe", "runtime", "errors", "fmt", "sync", "atomic", "reflect", "strings", "math",
     # the fast-call package written beside a Go output (lower/go.py FASTCALL_PACKAGE)
     "r2gcall"]
)  # fmt: skip

# Names a package-level Go type of the generated file must not take: the predeclared
# identifiers and packages above, the packages any generated file imports, and the two
# functions Go gives a meaning to.
GO_PACKAGE_SCOPE = GO_SHADOWING | frozenset(
    ["main", "init", "binary", "os", "signal", "syscall", "time", "flag"]
)

RUST_KEYWORDS = frozenset(
    "as break const continue crate else enum extern false fn for if impl in let loop match mod "
    "move mut pub ref return self Self static struct super trait true type unsafe use where "
    "while async await dyn abstract become box do final macro override priv typeof unsized "
    "virtual yield try gen".split()
)

RESERVED_PREFIXES = ("r2g_", "_r2g", "R2g_")

# Variants the Rust prelude brings into every scope: a parameter pattern with one of these
# names is that variant, not a new binding, so no generated function could take it.
RUST_PRELUDE_VARIANTS = frozenset(["Some", "None", "Ok", "Err"])

# Method names `go vet` (stdmethods) expects the signature of a standard interface for,
# on the Go interface of an `#[r2g]` trait and on the `{Trait}Impl` of a `#[g2r]` one.
# Left out: Format, ReadFrom, Scan and WriteTo, checked only when the first parameter is a
# fmt or io type, which no IDL type becomes.
GO_VET_METHODS = frozenset(
    [
        "As",
        "GobDecode",
        "GobEncode",
        "Is",
        "MarshalJSON",
        "MarshalXML",
        "ReadByte",
        "ReadRune",
        "Seek",
        "UnmarshalJSON",
        "UnmarshalXML",
        "UnreadByte",
        "UnreadRune",
        "Unwrap",
        "WriteByte",
    ]
)

# The generated shared-memory client `{Trait}Shm` (templates/rust/shm/caller.rs.j2) has
# these methods of its own beside one per shm method of the trait; rust2go users call
# them by these names, so a shm method may not take one.
SHM_CLIENT_METHODS = frozenset(
    ["connect", "in_process", "in_process_with", "name", "in_flight", "free_slots", "is_dead"]
)

BUILTIN_TYPES = frozenset(
    ["String", "Vec", "Option", "HashMap", "BTreeMap", "Result", "Box", "str"]
)


def check_ident(name: str, span: Span, diags: Diagnostics, *, role: str) -> None:
    """`role` ("field", "parameter", "method", "type") only shapes the hint."""
    if name in RUST_KEYWORDS:
        diags.error("keyword-clash", span, name=name, lang="Rust",
                    hint=f"rename the {role}; raw identifiers are not supported by the IDL")  # fmt: skip
    elif name in GO_KEYWORDS:
        diags.error("keyword-clash", span, name=name, lang="Go",
                    hint=f"rename the {role}: the generated Go code cannot use it")  # fmt: skip
    if role == "method" and name in GO_VET_METHODS:
        diags.error("vet-method-name", span, name=name,
                    hint="rename the method: the Go interface cannot give it that signature")  # fmt: skip
    if role == "parameter" and name in RUST_PRELUDE_VARIANTS:
        diags.error("variant-param", span, name=name,
                    hint=f"rename the parameter (for example `{name.lower()}_`)")  # fmt: skip
    for prefix in RESERVED_PREFIXES:
        if name.startswith(prefix):
            diags.error("reserved-prefix", span, name=name, prefix=prefix,
                        hint="identifiers with this prefix are reserved for generated code")  # fmt: skip


SIMILAR = 0.7  # difflib ratio a suggestion needs


def did_you_mean(name: str, candidates) -> str | None:
    """A "did you mean" hint from a small fixed set (attribute names and the like)."""
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=SIMILAR)
    return f"did you mean `{match[0]}`?" if match else None


class Suggester:
    """ "did you mean" over every name of a file, at a bounded cost: a file with thousands
    of names and thousands of unknown ones must still be answered at once, and comparing
    each unknown name with every name is quadratic. So only names whose length allows the
    similarity are compared (the bound is exact: difflib's ratio is at most
    2·min(a, b)/(a + b)); when that still leaves more than POOL names, those sharing the
    first letter; and a file gets at most BUDGET hints."""

    POOL, BUDGET = 150, 100

    def __init__(self, names) -> None:
        self.by_len: dict[int, list[str]] = {}
        self.by_len_first: dict[tuple[int, str], list[str]] = {}
        for n in dict.fromkeys(names):
            self.by_len.setdefault(len(n), []).append(n)
            self.by_len_first.setdefault((len(n), n[:1].lower()), []).append(n)
        self.left = self.BUDGET

    def hint(self, name: str) -> str | None:
        if self.left <= 0:
            return None
        self.left -= 1
        a = len(name)
        sizes = [b for b in self.by_len if 2 * min(a, b) >= SIMILAR * (a + b)]
        if sum(len(self.by_len[b]) for b in sizes) <= self.POOL:
            pool = [n for b in sizes for n in self.by_len[b]]
        else:
            first = name[:1].lower()
            pool = [n for b in sizes for n in self.by_len_first.get((b, first), ())][: self.POOL]
        return did_you_mean(name, pool)
