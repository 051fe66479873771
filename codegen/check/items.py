"""Checks of data items: structs, C-like enums and aliases; struct recursion; the
dependency order C typedefs need; each struct's memory class."""

from __future__ import annotations

from rust2go.codegen import ast, ir
from rust2go.codegen.check.names import check_ident
from rust2go.codegen.check.struct_tags import struct_tags
from rust2go.codegen.check.types import Position, Scope, resolve
from rust2go.codegen.diagnostics import Diagnostics

ENUM_REPRS = {
    "u8": (0, 2**8 - 1), "u16": (0, 2**16 - 1), "u32": (0, 2**32 - 1), "u64": (0, 2**64 - 1),
    "i8": (-(2**7), 2**7 - 1), "i16": (-(2**15), 2**15 - 1), "i32": (-(2**31), 2**31 - 1),
    "i64": (-(2**63), 2**63 - 1),
}  # fmt: skip

# Derives provided by the rust2go crate; the generated Rust needs no crate, so they go.
DROPPED_DERIVES = {"rust2go::R2G", "R2G"}
DROPPED_ATTR_PREFIXES = ("rust2go::", "r2g_struct_tag")


def kept_attrs(attrs: ast.Attrs) -> tuple[list[ir.Attr], list[str], str | None]:
    """Split item attributes into (verbatim attrs to reproduce, derive paths, repr)."""
    kept: list[ir.Attr] = []
    derives: list[str] = []
    repr_: str | None = None
    for a in attrs.attrs:
        if a.path == "derive" and a.args is not None:
            derives.extend(p for p in _comma_paths(a.args) if p not in DROPPED_DERIVES)
        elif a.path == "repr" and a.args:
            repr_ = "".join(t.value for t in a.args)
        elif not a.path.startswith(DROPPED_ATTR_PREFIXES):
            kept.append(ir.Attr(a.span.text, a.span))
    return kept, derives, repr_


def _comma_paths(toks: list[ast.Tok]) -> list[str]:
    out, cur = [], ""
    for t in toks:
        if t.kind == "COMMA":
            if cur:
                out.append(cur)
            cur = ""
        else:
            cur += t.value
    if cur:
        out.append(cur)
    return out


def check_struct(decl: ast.StructDecl, scope: Scope, diags: Diagnostics) -> ir.Struct | None:
    ok = True
    if decl.generics:
        diags.error("generic-item", decl.generics.span, name=decl.name,
                    hint="IDL structs cannot be generic; declare one struct per concrete type")  # fmt: skip
        ok = False
    if decl.shape == "tuple":
        diags.error("tuple-struct", decl.name_span, name=decl.name,
                    hint="use named fields: `struct S { a: u32 }`")  # fmt: skip
        return None
    if decl.shape == "unit":
        diags.error("unit-struct", decl.name_span, name=decl.name,
                    hint="add a fields block: `struct S {}`")  # fmt: skip
        return None
    fields: list[ir.Field] = []
    seen: set[str] = set()
    for f in decl.fields:
        check_ident(f.name, f.name_span, diags, role="field")
        if f.name in seen:
            diags.error("duplicate-field", f.name_span, name=f.name, owner=decl.name)
            ok = False
            continue
        seen.add(f.name)
        r = resolve(f.ty, Position.FIELD, scope, diags)
        if r is None:
            ok = False
            continue
        kept, _derives, _repr = kept_attrs(f.attrs)
        fields.append(ir.Field(f.name, r.ty, f.span, list(f.attrs.docs), kept, f.vis))
    tags = struct_tags(decl.attrs, diags)
    if not ok or tags is None:
        return None
    kept, derives, _repr = kept_attrs(decl.attrs)
    return ir.Struct(decl.name, fields, decl.name_span, decl.vis, list(decl.attrs.docs), kept,
                     derives, go_tags=tags)  # fmt: skip


def check_enum(decl: ast.EnumDecl, diags: Diagnostics) -> ir.EnumDef | None:
    ok = True
    kept, derives, repr_ = kept_attrs(decl.attrs)
    repr_ = repr_ or "i32"
    if repr_ not in ENUM_REPRS:
        attr = next(a for a in decl.attrs.attrs if a.path == "repr")
        diags.error("bad-enum-repr", attr.span, repr=repr_,
                    hint="use one of " + ", ".join(f"`{r}`" for r in ENUM_REPRS))  # fmt: skip
        return None
    lo, hi = ENUM_REPRS[repr_]
    if decl.generics:
        diags.error(
            "generic-item", decl.generics.span, name=decl.name, hint="enums cannot be generic"
        )
        ok = False
    if not decl.variants:
        diags.error("empty-enum", decl.name_span, name=decl.name, hint="add at least one variant")
        return None
    variants: list[ir.Variant] = []
    names: set[str] = set()
    values: dict[int, str] = {}
    next_value = 0
    for v in decl.variants:
        if v.has_data:
            diags.error("enum-with-data", v.span, name=v.name, owner=decl.name,
                        hint="only C-like enums are supported; use a struct with an enum tag field")  # fmt: skip
            ok = False
            continue
        check_ident(v.name, v.span, diags, role="variant")
        if v.name in names:
            diags.error("duplicate-variant", v.span, name=v.name, owner=decl.name)
            ok = False
            continue
        names.add(v.name)
        value = next_value
        if v.discriminant is not None:
            parsed = _int_literal(v.discriminant)
            if parsed is None:
                span = v.discriminant[0].span.to(v.discriminant[-1].span)
                diags.error("bad-discriminant", span, name=v.name, owner=decl.name,
                            hint="write a literal such as `3`, `-1` or `0x10`")  # fmt: skip
                ok = False
                continue
            value = parsed
        if not lo <= value <= hi:
            diags.error("discriminant-range", v.span, value=value, name=v.name, owner=decl.name,
                        repr=repr_, hint="pick a wider `#[repr(..)]`")  # fmt: skip
            ok = False
        elif value in values:
            diags.error("duplicate-discriminant", v.span, value=value, owner=decl.name,
                        hint=f"`{values[value]}` already has this value")  # fmt: skip
            ok = False
        values[value] = v.name
        variant_attrs, _, _ = kept_attrs(v.attrs)
        variants.append(ir.Variant(v.name, value, v.span, list(v.attrs.docs), variant_attrs))
        next_value = value + 1
    if not ok:
        return None
    return ir.EnumDef(decl.name, variants, decl.name_span, repr_, decl.vis,
                      list(decl.attrs.docs), kept, derives)  # fmt: skip


def _int_literal(toks: list[ast.Tok]) -> int | None:
    neg = False
    if toks and toks[0].kind == "MINUS":
        neg, toks = True, toks[1:]
    if len(toks) != 1 or toks[0].kind != "INT":
        return None
    text = toks[0].value.replace("_", "")
    for suffix in ("usize", "isize", "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"):
        if text.endswith(suffix) and not text.startswith("0x"):
            text = text[: -len(suffix)]
            break
    try:
        value = int(text, 0)
    except ValueError:
        return None
    return -value if neg else value


# ------------------------------------------------------------------ recursion and order


def _direct_structs(ty: ir.Type) -> list[str]:
    """Structs stored inline in a value of `ty` (no heap indirection in Rust): itself,
    or through Option. Vec and map values are indirections."""
    match ty:
        case ir.StructT(name):
            return [name]
        case ir.Opt(inner):
            return _direct_structs(inner)
    return []


def _all_structs(ty: ir.Type) -> list[str]:
    match ty:
        case ir.StructT(name):
            return [name]
        case ir.Opt(inner) | ir.Vec(inner):
            return _all_structs(inner)
        case ir.Map(_, key, value):
            return _all_structs(key) + _all_structs(value)
    return []


def check_recursion(structs: dict[str, ir.Struct], diags: Diagnostics) -> bool:
    """Report each struct that contains itself without indirection (infinite size):
    the members of every cycle of the inline-containment graph."""
    graph = {
        s.name: {d for f in s.fields for d in _direct_structs(f.ty) if d in structs}
        for s in structs.values()
    }
    ok = True
    for component in _strongly_connected(graph):
        members = set(component)
        if len(component) == 1 and component[0] not in graph[component[0]]:
            continue
        for name in sorted(members, key=lambda n: structs[n].span.start):
            s = structs[name]
            f = next(f for f in s.fields if members & set(_direct_structs(f.ty)))
            chain = " -> ".join(_cycle_path(name, graph, members))
            diags.error("recursive-struct", f.span, name=name,
                        hint=f"{chain}: Rust would need a `Box`; store it in a `Vec<…>` instead")  # fmt: skip
            ok = False
    return ok


def _cycle_path(start: str, graph: dict[str, set[str]], members: set[str]) -> list[str]:
    """Shortest way from `start` back to itself inside one strongly connected component."""
    prev: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(prev[path[-1]])
                    return [*reversed(path), start]
                if child not in prev:
                    prev[child] = node
                    nxt.append(child)
        frontier = nxt
    return [start, start]


def dependency_order(structs: list[ir.Struct]) -> list[ir.Struct]:
    """Inline dependencies first, otherwise declaration order (stable output). Iterative:
    a chain of a thousand structs must not hit Python's recursion limit."""
    by_name = {s.name: s for s in structs}
    out: list[ir.Struct] = []
    done: set[str] = set()
    for root in structs:
        if root.name in done:
            continue
        done.add(root.name)
        work = [(root, iter([d for f in root.fields for d in _direct_structs(f.ty)]))]
        while work:
            node, deps = work[-1]
            dep = next(deps, None)
            if dep is None:
                work.pop()
                out.append(node)
            elif dep not in done:
                done.add(dep)
                child = by_name[dep]
                work.append((child, iter([d for f in child.fields for d in _direct_structs(f.ty)])))
    return out


def annotate(structs: list[ir.Struct]) -> None:
    """Fill `mem_class` (in dependency order) and `recursive` on every struct."""
    by_name = {s.name: s for s in structs}
    for s in structs:
        s.mem_class = max(
            (ir.mem_class_of(f.ty, by_name) for f in s.fields),
            key=lambda m: m.value,
            default=ir.MemClass.PRIMITIVE,
        )
    graph = {s.name: {d for f in s.fields for d in _all_structs(f.ty)} for s in structs}
    for component in _strongly_connected(graph):
        for name in component:
            by_name[name].recursive = len(component) > 1 or name in graph[name]


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (IDLs can be deep enough to hit Python's recursion
    limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                out.append(comp)
    return out
