"""The harness IDL: the user's types plus ONE trait holding only the load method.

Re-spelling the IR (rather than copying the user's file) means other methods in the
file that a back end cannot emit yet do not block the harness, and the cache key only
changes when something the harness depends on changes."""

from __future__ import annotations

from rust2go.codegen import ir
from rust2go.loadtest.contract import LoadMethod

RUST_KEYWORDS = frozenset(
    "as break const continue crate else enum extern false fn for if impl in let loop match mod "
    "move mut pub ref return self static struct super trait true type unsafe use where while "
    "async await dyn abstract become box do final macro override priv typeof unsized virtual "
    "yield try gen".split()
)


def rust_ident(name: str) -> str:
    return f"r#{name}" if name in RUST_KEYWORDS else name


def _struct(s: ir.Struct) -> str:
    fields = "".join(f"    pub {rust_ident(f.name)}: {ir.type_text(f.ty)},\n" for f in s.fields)
    return f"pub struct {s.name} {{\n{fields}}}\n"


def _enum(e: ir.EnumDef) -> str:
    variants = "".join(f"    {v.name} = {v.value},\n" for v in e.variants)
    return f"#[repr({e.repr})]\npub enum {e.name} {{\n{variants}}}\n"


def _method(lm: LoadMethod) -> str:
    m = lm.method
    attrs = []
    if m.shm or lm.trait.shm:
        attrs.append("#[mem]")
    if m.drop_safe:
        attrs.append("#[drop_safe]")
    if m.drop_safe_ret:
        attrs.append("#[drop_safe_ret]")
    if m.future_send:
        attrs.append("#[send]")
    if m.go_pass_struct:
        attrs.append("#[go_pass_struct]")
    p = m.params[0]
    arg = f"{rust_ident(p.name)}: {'&' if p.by_ref else ''}{ir.type_text(p.ty)}"
    ret = ir.type_text(m.ret.ty)
    if m.ret.is_result:
        ret = f"Result<{ret}, String>"
    fn = "async fn" if m.kind is ir.CallKind.ASYNC else "fn"
    lines = [f"    {a}\n" for a in attrs] + [f"    {fn} {rust_ident(m.name)}({arg}) -> {ret};\n"]
    return "".join(lines)


def harness_idl(lm: LoadMethod) -> str:
    """The IDL text (no header: it is also the cache key, which must not depend on where
    the user's file lives)."""
    p = lm.program
    parts = [_enum(e) for e in p.enums]
    parts += [_struct(s) for s in p.structs]
    parts.append(f"#[r2g]\npub trait {lm.trait.name} {{\n{_method(lm)}}}\n")
    return "\n".join(parts)
