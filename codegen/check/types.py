"""Resolve written types (ast.TypeExpr) to IR types, reporting why a type is not allowed
and what to write instead. Aliases are expanded here, so no IR type mentions one."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import Enum

from rust2go.codegen import ast, ir
from rust2go.codegen.check.names import Suggester
from rust2go.codegen.diagnostics import Diagnostics


class Position(Enum):
    FIELD = "field"
    PARAM = "param"  # a method parameter: `&T` allowed at the top
    RETURN = "return"  # a method return: `Result<T, String>` allowed at the top
    ALIAS = "alias"
    INNER = "inner"  # inside another type


UNSUPPORTED_HINTS = {
    "str": "use `String` (or `&String` for a borrowed parameter)",
    "Box": "use the inner type directly; recursion is allowed through `Vec`",
    "Rc": "use the inner type directly",
    "Arc": "use the inner type directly",
    "Cow": "use `String` or `Vec<T>`",
    "HashSet": "use `Vec<T>`",
    "BTreeSet": "use `Vec<T>`",
    "VecDeque": "use `Vec<T>`",
    "u128": "use `u64` or two fields",
    "i128": "use `i64` or two fields",
    "Self": "name the type explicitly",
}

OTHER_HINTS = {
    "tuple": "define a struct with named fields",
    "array": "use `Vec<T>`",
    "slice": "use `Vec<T>` (or `&Vec<T>` for a borrowed parameter)",
    "raw pointer": "use an owned type",
    "trait object": "use a concrete struct",
    "function pointer": "callbacks are not supported; add a method to a `#[g2r]` trait instead",
    "never type `!`": "use no return type",
    "parenthesized type": "remove the parentheses",
}


@dataclass
class Scope:
    structs: dict[str, ast.StructDecl]
    enums: dict[str, ast.EnumDecl]
    aliases: dict[str, ast.AliasDecl]
    resolving: list[str] = field(default_factory=list)  # alias expansion stack
    alias_cache: dict[str, ir.Type | None] = field(default_factory=dict)
    alias_nesting: int = 0  # summed nesting of the aliases being expanded

    def names(self):
        return [*self.structs, *self.enums, *self.aliases, *ir.PRIMITIVES,
                "String", "Vec", "Option", "HashMap", "BTreeMap"]  # fmt: skip

    @functools.cached_property
    def suggester(self) -> Suggester:
        """ "did you mean" for unknown type names (the names do not change once checked)."""
        return Suggester(self.names())


@dataclass
class Resolved:
    ty: ir.Type
    by_ref: bool = False
    is_result: bool = False


# Deeper type nesting (`Vec<Vec<…>>`) is refused with a located diagnostic: every later
# phase walks types recursively, and no real IDL comes near it.
MAX_TYPE_NESTING = 32
# Aliases are expanded where they are used, one recursion per alias in a chain (`type A =
# B; type B = Vec<C>; …`): the chain's length and the nesting it adds up to are bounded too.
MAX_ALIAS_CHAIN = 32
MAX_EXPANDED_NESTING = 2 * MAX_TYPE_NESTING


def nesting(texpr: ast.TypeExpr) -> int:
    """How deep type arguments nest in `texpr` (iteratively: the input may be hostile)."""
    deepest, stack = 0, [(texpr, 1)]
    while stack:
        t, d = stack.pop()
        deepest = max(deepest, d)
        if isinstance(t, ast.RefType):
            stack.append((t.inner, d))
        elif isinstance(t, ast.PathType):
            for seg in t.segments:
                stack.extend(
                    (a, d + 1) for a in seg.args or () if not isinstance(a, ast.LifetimeArg)
                )
    return deepest


def resolve(
    texpr: ast.TypeExpr, pos: Position, scope: Scope, diags: Diagnostics
) -> Resolved | None:
    """Resolve one written type. Returns None (after reporting) when it is not valid."""
    if type(texpr) is ast.PathType and len(texpr.segments) == 1 and not texpr.leading_colons:
        # Most types written: a bare name (`u32`, `String`, a struct) or one level of
        # arguments; these skip the general walk below.
        seg = texpr.segments[0]
        if seg.args is None and not seg.fn_sugar:
            simple = _bare_name(seg.name, scope)
            if simple is not None:
                return Resolved(simple)
    if pos is not Position.INNER and nesting(texpr) > MAX_TYPE_NESTING:
        diags.error("type-too-deep", texpr.span, max=MAX_TYPE_NESTING,
                    hint="name an inner part with a struct or a type alias")  # fmt: skip
        return None
    if isinstance(texpr, ast.RefType):
        if pos is not Position.PARAM:
            diags.error("reference-type", texpr.span,
                        hint="use the owned type; only top-level method parameters may be `&T`")  # fmt: skip
            return None
        if texpr.mutable:
            diags.error("mut-reference", texpr.span,
                        hint="Go cannot write back into Rust memory; take `&T` and return the new value")  # fmt: skip
            return None
        if texpr.lifetime:
            diags.error("lifetime-in-type", texpr.span, hint="write `&T` without a lifetime")
            return None
        if isinstance(texpr.inner, ast.PathType) and _single(texpr.inner) == "str":
            diags.error("unsupported-type", texpr.span, name="&str", hint="use `&String`")
            return None
        inner = resolve(texpr.inner, Position.INNER, scope, diags)
        return Resolved(inner.ty, by_ref=True) if inner else None
    if isinstance(texpr, ast.OtherType):
        if texpr.kind.startswith("unit") and pos is Position.RETURN:
            diags.error("unit-return", texpr.span, hint="remove `-> ()`; the method is oneway")
            return None
        if texpr.kind == "slice" and pos is Position.PARAM:
            hint = "use `&Vec<T>`"
        else:
            hint = OTHER_HINTS.get(texpr.kind, "see the list of supported types in the README")
        diags.error("unsupported-type", texpr.span, name=texpr.kind, hint=hint)
        return None
    if isinstance(texpr, ast.ImplType):
        diags.error("unsupported-type", texpr.span, name="impl Trait",
                    hint="`impl Future<Output = T>` is only allowed as a method return type")  # fmt: skip
        return None
    return _resolve_path(texpr, pos, scope, diags)


_PRIMS = {name: ir.Prim(name) for name in ir.PRIMITIVES}
_STR = ir.Str()


def _bare_name(name: str, scope: Scope) -> ir.Type | None:
    """The type a bare name without arguments stands for, when no judgement is needed."""
    prim = _PRIMS.get(name)
    if prim is not None:
        return prim
    if name == "String":
        return _STR
    if name in scope.structs:
        return ir.StructT(name)
    if name in scope.enums:
        return ir.EnumT(name)
    return None


def _single(p: ast.PathType) -> str | None:
    return p.segments[0].name if len(p.segments) == 1 and not p.leading_colons else None


def _resolve_path(
    p: ast.PathType, pos: Position, scope: Scope, diags: Diagnostics
) -> Resolved | None:
    if len(p.segments) != 1 or p.leading_colons:
        last = p.segments[-1].name
        if last in UNSUPPORTED_HINTS:
            # One message, the one that helps: importing it would only lead to this.
            diags.error("unsupported-type", p.span, name=p.span.text, hint=UNSUPPORTED_HINTS[last])
            return None
        diags.error("qualified-path", p.span, name=p.span.text,
                    hint=f"import it with `use` and write `{last}`")  # fmt: skip
        return None
    seg = p.segments[0]
    name, args = seg.name, seg.args
    if seg.fn_sugar:
        diags.error(
            "unsupported-type", p.span, name=p.span.text, hint=OTHER_HINTS["function pointer"]
        )
        return None
    if args is not None:
        for a in args:
            if isinstance(a, ast.LifetimeArg):
                diags.error("lifetime-in-type", a.span, hint="remove the lifetime")
                return None

    def no_args() -> bool:
        if args is not None:
            diags.error("wrong-type-args", p.span, name=name, expected="no type arguments",
                        found=f"{len(args)}")  # fmt: skip
            return False
        return True

    def type_args(n: int) -> list[ir.Type] | None:
        if args is None or len(args) != n:
            found = "none" if args is None else str(len(args))
            expected = "1 type argument" if n == 1 else f"{n} type arguments"
            diags.error("wrong-type-args", p.span, name=name, expected=expected, found=found)
            return None
        out = []
        for a in args:
            if not isinstance(a, (ast.PathType, ast.RefType, ast.OtherType, ast.ImplType)):
                diags.error("unsupported-type", a.span, name=a.span.text, hint="use a type here")
                return None
            r = resolve(a, Position.INNER, scope, diags)
            if r is None:
                return None
            out.append(r.ty)
        return out

    if name in ir.PRIMITIVES:
        return Resolved(ir.Prim(name)) if no_args() else None
    if name == "String":
        return Resolved(ir.Str()) if no_args() else None
    if name == "Vec":
        t = type_args(1)
        return Resolved(ir.Vec(t[0])) if t else None
    if name == "Option":
        t = type_args(1)
        return Resolved(ir.Opt(t[0])) if t else None
    if name in ("HashMap", "BTreeMap"):
        t = type_args(2)
        if not t:
            return None
        key = t[0]
        if not (
            isinstance(key, ir.Str) or (isinstance(key, ir.Prim) and key.name in ir.MAP_KEY_TYPES)
        ):
            diags.error("bad-map-key", args[0].span, name=ir.type_text(key),
                        hint="keys must be an integer, `bool`, `char` or `String`")  # fmt: skip
            return None
        return Resolved(ir.Map(name, key, t[1]))
    if name == "Result":
        if pos is not Position.RETURN:
            diags.error("result-position", p.span,
                        hint="return `Result<T, String>` from a method, or use a struct field")  # fmt: skip
            return None
        if args is None or len(args) != 2:
            diags.error("wrong-type-args", p.span, name=name, expected="2 type arguments",
                        found="none" if args is None else str(len(args)))  # fmt: skip
            return None
        err = args[1]
        if not (
            isinstance(err, ast.PathType)
            and _single(err) == "String"
            and err.segments[0].args is None
        ):
            diags.error("result-error-type", err.span, name=err.span.text,
                        hint="errors travel as the Go error's message: write `Result<T, String>`")  # fmt: skip
            return None
        ok = resolve(args[0], Position.INNER, scope, diags)
        return Resolved(ok.ty, is_result=True) if ok else None
    if name in scope.structs or name in scope.enums or name in scope.aliases:
        if args is not None:
            diags.error("wrong-type-args", p.span, name=name, expected="no type arguments",
                        found=str(len(args)), hint="generic IDL types are not supported")  # fmt: skip
            return None
        if name in scope.structs:
            return Resolved(ir.StructT(name))
        if name in scope.enums:
            return Resolved(ir.EnumT(name))
        return _expand_alias(name, p, scope, diags)
    if name in UNSUPPORTED_HINTS:
        diags.error("unsupported-type", p.span, name=name, hint=UNSUPPORTED_HINTS[name])
        return None
    diags.error("unknown-type", seg.span, name=name, hint=scope.suggester.hint(name))
    return None


def _expand_alias(name: str, p: ast.PathType, scope: Scope, diags: Diagnostics) -> Resolved | None:
    if name in scope.alias_cache:
        t = scope.alias_cache[name]
        return Resolved(t) if t else None
    if name in scope.resolving:
        alias = scope.aliases[name]
        diags.error("recursive-alias", alias.name_span, name=name,
                    hint="an alias cannot refer to itself, directly or through another alias")  # fmt: skip
        return None
    if len(scope.resolving) >= MAX_ALIAS_CHAIN:
        diags.error("alias-too-deep", p.span, name=scope.resolving[-1], max=MAX_ALIAS_CHAIN,
                    hint="write out the type an alias of this chain stands for")  # fmt: skip
        return None
    added = nesting(scope.aliases[name].ty)
    if scope.alias_nesting + added > MAX_EXPANDED_NESTING:
        diags.error("type-too-deep", p.span, max=MAX_EXPANDED_NESTING,
                    hint="aliases are expanded where they are used: name an inner part with a struct")  # fmt: skip
        return None
    scope.resolving.append(name)
    scope.alias_nesting += added
    try:
        r = resolve(scope.aliases[name].ty, Position.ALIAS, scope, diags)
    finally:
        scope.resolving.pop()
        scope.alias_nesting -= added
    scope.alias_cache[name] = r.ty if r else None
    return Resolved(r.ty) if r else None
