"""Checks of `#[r2g]` / `#[g2r]` traits: macro arguments, method shapes, call kinds and
method attributes. Traits with neither attribute are not part of the IDL and are skipped."""

from __future__ import annotations

from rust2go.codegen import ast, ir
from rust2go.codegen.check.names import SHM_CLIENT_METHODS, check_ident, did_you_mean
from rust2go.codegen.check.types import Position, Scope, resolve
from rust2go.codegen.diagnostics import Diagnostics
from rust2go.shm.layout import MAX_SLOTS

TRAIT_MACROS = {
    "r2g": ir.Direction.R2G, "rust2go::r2g": ir.Direction.R2G,
    "g2r": ir.Direction.G2R, "rust2go::g2r": ir.Direction.G2R,
}  # fmt: skip

# Method attribute -> the Method field it sets. Aliases map to the same field.
METHOD_ATTRS = {
    "send": "future_send",
    "drop_safe": "drop_safe",
    "drop_safe_ret": "drop_safe_ret",
    "mem": "shm",
    "shm": "shm",
    "cgo_callback": "cgo_callback",
    "cgo": "cgo_callback",
    "cgo_call": "cgo_callback",
    "go_pass_struct": "go_pass_struct",
}
# The words that put methods on shared memory: `#[r2g(shm)]` on a trait, `#[mem]` or
# `#[shm]` on a method.
SHM_WORDS = frozenset(a for a, f in METHOD_ATTRS.items() if f == "shm")
# Ordinary Rust attributes a method may carry; they mean nothing to the IDL.
PASS_THROUGH_ATTRS = {
    "doc",
    "allow",
    "warn",
    "deny",
    "expect",
    "must_use",
    "deprecated",
    "inline",
    "cfg",
}

FUTURE_PATHS = {"Future", "std::future::Future", "core::future::Future"}
FUTURE_MARKERS = {"Send", "Sync", "Unpin", "'static"}


def trait_direction(decl: ast.TraitDecl) -> tuple[ir.Direction, ast.Attribute] | None:
    for a in decl.attrs.attrs:
        if a.path in TRAIT_MACROS:
            return TRAIT_MACROS[a.path], a
    return None


def declares_shm(decl: ast.TraitDecl) -> bool:
    """The trait asks for shared-memory methods (`#[r2g(shm)]`, or `#[mem]`/`#[shm]` on a
    method), so a shared-memory client and server are generated for it."""
    found = trait_direction(decl)
    if found is None or found[0] is not ir.Direction.R2G:
        return False
    macro = found[1]
    args = _split_commas(macro.args) if macro.args else []
    if any(len(a) == 1 and a[0].kind == "IDENT" and a[0].value in SHM_WORDS for a in args):
        return True
    return any(
        isinstance(m, ast.MethodDecl) and any(a.path in SHM_WORDS for a in m.attrs.attrs)
        for m in decl.items
    )


def check_trait(decl: ast.TraitDecl, scope: Scope, diags: Diagnostics) -> ir.Trait | None:
    found = trait_direction(decl)
    if found is None:
        return None
    direction, macro = found
    trait = ir.Trait(
        decl.name, direction, [], decl.name_span, vis=decl.vis, docs=list(decl.attrs.docs)
    )
    ok = _trait_args(trait, macro, diags)
    if decl.generics:
        diags.error(
            "generic-item", decl.generics.span, name=decl.name, hint="IDL traits cannot be generic"
        )
        ok = False
    seen: set[str] = set()
    for item in decl.items:
        if isinstance(item, ast.OtherTraitItem):
            diags.error("trait-item", item.span, what=item.what, hint="declare methods only")
            ok = False
            continue
        if item.name in seen:
            diags.error("duplicate-method", item.name_span, name=item.name, owner=decl.name)
            ok = False
            continue
        seen.add(item.name)
        method = _check_method(item, len(trait.methods), trait, scope, diags)
        if method is None:
            ok = False
        else:
            trait.methods.append(method)
    return trait if ok else None


def _trait_args(trait: ir.Trait, macro: ast.Attribute, diags: Diagnostics) -> bool:
    """`#[r2g(binding_mod, queue_size = N, shm)]`; `binding = m` also names the module
    (the original stored the key, not the value)."""
    if not macro.args:
        return True
    ok = True
    for arg in _split_commas(macro.args):
        kinds = [t.kind for t in arg]
        span = arg[0].span.to(arg[-1].span)
        if kinds == ["IDENT"] and arg[0].value in SHM_WORDS:
            trait.shm = True
        elif kinds == ["IDENT"]:
            trait.binding_mod = arg[0].value
        elif kinds == ["IDENT", "EQ", "IDENT"] and arg[0].value == "binding":
            trait.binding_mod = arg[2].value
        elif kinds[:2] == ["IDENT", "EQ"] and arg[0].value == "queue_size":
            value = arg[2].value.replace("_", "") if len(arg) == 3 else ""
            if len(arg) != 3 or arg[2].kind != "INT" or not value.isdigit() or int(value) <= 0:
                diags.error("bad-queue-size", span, value="".join(t.value for t in arg[2:]),
                            hint="e.g. `queue_size = 4096`")  # fmt: skip
                ok = False
            elif int(value) > MAX_SLOTS:
                diags.error("queue-size-too-large", span, value=value, max=MAX_SLOTS,
                            hint=f"calls in flight at once: at most {MAX_SLOTS}")  # fmt: skip
                ok = False
            else:
                trait.queue_size, trait.queue_size_written = int(value), True
        elif kinds and kinds[0] == "IDENT":
            diags.error("unknown-trait-arg", arg[0].span, macro=macro.path, name=arg[0].value,
                        hint="expected a binding module name, `queue_size = N` or `shm`")  # fmt: skip
            ok = False
        else:
            diags.error("bad-trait-arg", span, macro=macro.path,
                        hint="expected a binding module name, `queue_size = N` or `shm`")  # fmt: skip
            ok = False
    return ok


def _split_commas(toks: list[ast.Tok]) -> list[list[ast.Tok]]:
    out: list[list[ast.Tok]] = [[]]
    depth = 0
    for t in toks:
        if t.kind in ("LPAR", "LSQB", "LBRACE"):
            depth += 1
        elif t.kind in ("RPAR", "RSQB", "RBRACE"):
            depth -= 1
        if t.kind == "COMMA" and depth == 0:
            out.append([])
        else:
            out[-1].append(t)
    return [a for a in out if a]


def _check_method(
    decl: ast.MethodDecl, index: int, trait: ir.Trait, scope: Scope, diags: Diagnostics
) -> ir.Method | None:
    ok = True
    check_ident(decl.name, decl.name_span, diags, role="method")
    if decl.generics:
        diags.error("generic-method", decl.generics.span, name=decl.name,
                    hint="IDL methods cannot be generic")  # fmt: skip
        ok = False
    if decl.has_body:
        diags.error("method-body", decl.name_span, hint="end the declaration with `;`")
        ok = False
    params = _check_params(decl, scope, diags)
    ok = ok and params is not None
    shape = _return_shape(decl, scope, diags)
    ok = ok and shape is not None
    method = ir.Method(decl.name, index, params or [], None, ir.CallKind.ONEWAY, decl.name_span,
                       docs=list(decl.attrs.docs), written_as_async_fn=decl.is_async)  # fmt: skip
    if shape is not None:
        method.kind, method.ret, send_bound = shape
        method.future_send = send_bound
    ok = _method_attrs(decl, method, trait, diags, kind_known=shape is not None) and ok
    if trait.shm and trait.direction is ir.Direction.R2G:
        method.shm = True
    if method.shm and decl.name in SHM_CLIENT_METHODS:
        diags.error("shm-method-name", decl.name_span, name=decl.name, client=f"{trait.name}Shm",
                    hint="rename the method" if trait.shm else
                    "rename the method, or drop its shared-memory attribute to call it through cgo")  # fmt: skip
        ok = False
    if ok and trait.direction is ir.Direction.G2R and method.kind is ir.CallKind.ASYNC:
        diags.error("g2r-async", decl.name_span, hint="Go→Rust calls are synchronous; drop `async`")
        ok = False
    return method if ok else None


def _check_params(decl: ast.MethodDecl, scope: Scope, diags: Diagnostics) -> list[ir.Param] | None:
    out: list[ir.Param] = []
    ok = True
    names: set[str] = set()
    for p in decl.params:
        if p.is_self:
            diags.error("self-param", p.span,
                        hint="IDL methods are called on the generated `…Impl` type; remove `self`")  # fmt: skip
            ok = False
            continue
        if p.name is None:
            diags.error("bad-param-pattern", p.span, hint="write `name: Type`")
            ok = False
            continue
        name_span = p.span.file.span(p.span.start, p.span.start + len(p.name))
        check_ident(p.name, name_span, diags, role="parameter")
        if p.name in names:
            diags.error("duplicate-param", name_span, name=p.name)
            ok = False
        names.add(p.name)
        r = resolve(p.ty, Position.PARAM, scope, diags)
        if r is None:
            ok = False
            continue
        out.append(ir.Param(p.name, r.ty, r.by_ref, p.span))
    return out if ok else None


def _return_shape(
    decl: ast.MethodDecl, scope: Scope, diags: Diagnostics
) -> tuple[ir.CallKind, ir.Returns | None, bool] | None:
    """(kind, returns, the written future has a `Send` bound)."""
    ret = decl.ret
    if ret is None:
        if decl.is_async:
            diags.error("async-no-return", decl.name_span, name=decl.name,
                        hint="return a value, or drop `async` to make the call oneway")  # fmt: skip
            return None
        return ir.CallKind.ONEWAY, None, False
    if isinstance(ret, ast.ImplType):
        if decl.is_async:
            diags.error("async-impl-future", ret.span,
                        hint="write either `async fn f() -> T` or `fn f() -> impl Future<Output = T>`")  # fmt: skip
            return None
        output, send = _future_output(ret, diags)
        if output is None:
            return None
        r = resolve(output, Position.RETURN, scope, diags)
        return (ir.CallKind.ASYNC, ir.Returns(r.ty, r.is_result), send) if r else None
    r = resolve(ret, Position.RETURN, scope, diags)
    if r is None:
        return None
    kind = ir.CallKind.ASYNC if decl.is_async else ir.CallKind.SYNC
    return kind, ir.Returns(r.ty, r.is_result), False


def _future_output(ret: ast.ImplType, diags: Diagnostics) -> tuple[ast.TypeExpr | None, bool]:
    output = None
    send = False
    for b in ret.bounds:
        path = b.path
        text = "::".join(s.name for s in path.segments) if path else b.text
        if path and text in FUTURE_PATHS and output is None:
            args = path.segments[-1].args or []
            binding = [a for a in args if isinstance(a, ast.AssocBinding) and a.name == "Output"]
            if len(args) == 1 and binding:
                output = binding[0].ty
                continue
        if text in FUTURE_MARKERS:
            send = send or text == "Send"
            continue
        diags.error("bad-future", b.span,
                    hint="write `impl Future<Output = T>`, optionally `+ Send + Sync + 'static`")  # fmt: skip
        return None, False
    if output is None:
        diags.error("bad-future", ret.span, hint="write `impl Future<Output = T>`")
    return output, send


def _method_attrs(
    decl: ast.MethodDecl, m: ir.Method, trait: ir.Trait, diags: Diagnostics, kind_known: bool
) -> bool:
    """Interpret method attributes. Rules that depend on the call kind are judged only
    when the return type resolved (`kind_known`), so one mistake is not reported twice."""
    ok = True
    written: dict[str, ast.Attribute] = {}
    for a in decl.attrs.attrs:
        if a.path in PASS_THROUGH_ATTRS:
            continue
        if a.path not in METHOD_ATTRS:
            hint = did_you_mean(a.path, METHOD_ATTRS) or "known method attributes: " + ", ".join(
                f"`#[{k}]`" for k in METHOD_ATTRS
            )
            diags.warning("unknown-attribute", a.name_span, name=a.path or a.span.text, hint=hint)
            continue
        if a.args is not None or a.value is not None:
            diags.error("attr-args", a.span, name=a.path, hint=f"write `#[{a.path}]`")
            ok = False
            continue
        written[a.path] = a
        setattr(m, METHOD_ATTRS[a.path], True)
    is_async = m.kind is ir.CallKind.ASYNC or not kind_known
    for name in ("drop_safe", "drop_safe_ret"):
        if name not in written:
            continue
        if not is_async:
            # The original accepts and ignores it: a warning, so its files still build.
            diags.warning("drop-safe-sync", written[name].span, attr=name,
                          hint="drop safety concerns futures; it has no effect here")  # fmt: skip
            setattr(m, METHOD_ATTRS[name], False)
            continue
        for p in m.params:
            if p.by_ref:
                diags.error("drop-safe-ref", p.span, attr=name, param=p.name,
                            hint="take the parameter by value so the call can own it")  # fmt: skip
                ok = False
    if "drop_safe" in written and "drop_safe_ret" in written and is_async:
        diags.error("drop-safe-both", written["drop_safe_ret"].span,
                    hint="`#[drop_safe_ret]` already implies `#[drop_safe]`")  # fmt: skip
        ok = False
    if "send" in written and not is_async:
        diags.warning("send-sync", written["send"].span, hint="it has no effect here")
        m.future_send = False
    for name in sorted(SHM_WORDS):
        if name in written and trait.direction is ir.Direction.G2R:
            diags.error("shm-g2r", written[name].span, attr=name, hint="remove the attribute")
            ok = False
    for name in ("cgo_callback", "cgo", "cgo_call"):
        # On a Go→Rust method the attribute chooses how Go calls it, oneway or not.
        r2g = trait.direction is ir.Direction.R2G
        if name in written and kind_known and m.kind is ir.CallKind.ONEWAY and r2g:
            diags.warning("cgo-callback-oneway", written[name].span, attr=name,
                          hint="oneway calls never call back into Rust")  # fmt: skip
    return ok
