"""Checks: typed AST -> resolved IR. The only phase that judges the input.

Order: collect the symbol table (names, duplicates) -> check each item (types resolved,
attributes interpreted) -> whole-program checks (recursion) -> order and annotate.
Everything found is reported; the IR is returned only when there is no error."""

from __future__ import annotations

from rust2go.codegen import ast, ir
from rust2go.codegen.check.items import (
    annotate,
    check_enum,
    check_recursion,
    check_struct,
    dependency_order,
)
from rust2go.codegen.check.names import BUILTIN_TYPES, GO_PACKAGE_SCOPE, check_ident
from rust2go.codegen.check.traits import check_trait, declares_shm, trait_direction
from rust2go.codegen.check.types import Position, Scope, resolve
from rust2go.codegen.diagnostics import Diagnostics
from rust2go.codegen.source import SourceFile, Span


def check(file: ast.File, source: SourceFile, diags: Diagnostics) -> ir.Program | None:
    scope = _collect(file, diags)
    structs = [s for d in scope.structs.values() if (s := check_struct(d, scope, diags))]
    enums = [e for d in scope.enums.values() if (e := check_enum(d, diags))]
    aliases = []
    for d in scope.aliases.values():
        if d.generics:
            diags.error(
                "generic-item", d.generics.span, name=d.name, hint="aliases cannot be generic"
            )
            continue
        r = resolve(d.ty, Position.ALIAS, scope, diags)
        if r:
            aliases.append(ir.Alias(d.name, r.ty, d.name_span, d.vis))
    traits = [
        t for d in file.items
        if isinstance(d, ast.TraitDecl) and (t := check_trait(d, scope, diags))
    ]  # fmt: skip
    # Recursion is judged on the structs that checked clean, even if others did not.
    by_name = {s.name: s for s in structs}
    check_recursion(by_name, diags)
    if diags.has_errors:
        return None
    if not traits:  # only said of an otherwise clean file, where it is the news
        diags.warning("no-traits", source.span(0, 0),
                      hint="mark a trait with `#[rust2go::r2g]`; without one nothing is generated")  # fmt: skip
    ordered = dependency_order(structs)
    annotate(ordered)
    return ir.Program(source.name, source.sha256, ordered, enums, aliases, traits)


def _collect(file: ast.File, diags: Diagnostics) -> Scope:
    """Build the symbol table. The first declaration of a name wins; later ones are
    reported and left out, so each is checked (and reported) once."""
    scope = Scope({}, {}, {})
    seen: dict[str, ast.Item] = {}
    # Package-level names the back ends generate -> what for, and where the IDL asks for it.
    generated: dict[str, tuple[str, Span]] = {}

    def generate(name: str, what: str, span: Span) -> None:
        if name in GO_PACKAGE_SCOPE:
            diags.error("go-generated-name", span, name=name, what=what,
                        hint="rename the item; Go reserves this name in the generated package")  # fmt: skip
        elif name in generated:
            diags.error("generated-name-clash", span, name=name, other=generated[name][0],
                        hint=f"rename it; that name is also generated for line {generated[name][1].line}")  # fmt: skip
        else:
            generated[name] = (what, span)

    for item in file.items:
        if isinstance(item, ast.TraitDecl) and trait_direction(item) is None:
            continue  # not an IDL trait
        check_ident(item.name, item.name_span, diags, role="type")
        if item.name in BUILTIN_TYPES or item.name in ir.PRIMITIVES:
            diags.error("shadows-builtin", item.name_span, name=item.name, hint="rename it")
            continue
        if item.name in GO_PACKAGE_SCOPE:
            # The Go file declares the type under the IDL's name (impl.go uses it), so it
            # cannot be renamed there: it would hide a Go built-in the file relies on.
            diags.error("go-type-name", item.name_span, name=item.name,
                        hint="rename the type; Go reserves this name in the generated package")  # fmt: skip
            continue
        if item.name in seen:
            first = seen[item.name]
            diags.error("duplicate-item", item.name_span, name=item.name,
                        hint=f"first defined at line {first.name_span.line}")  # fmt: skip
            continue
        seen[item.name] = item
        if isinstance(item, ast.StructDecl):
            scope.structs[item.name] = item
            generate(item.name + "Ref", f"the FFI view of `{item.name}`", item.name_span)
        elif isinstance(item, ast.EnumDecl):
            scope.enums[item.name] = item
            firsts: dict[str, ast.VariantDecl] = {}  # a repeated variant is reported elsewhere
            for v in item.variants:
                firsts.setdefault(v.name, v)
            for v in firsts.values():  # Go spells variants as constants `{Enum}{Variant}`
                generate(item.name + v.name, f"the Go constant of `{item.name}::{v.name}`", v.span)
        elif isinstance(item, ast.AliasDecl):
            scope.aliases[item.name] = item
        elif isinstance(item, ast.TraitDecl):
            generate(
                item.name + "Impl", f"the implementation of trait `{item.name}`", item.name_span
            )
            if declares_shm(item):  # its shared-memory client and server
                generate(
                    item.name + "Shm",
                    f"the shared-memory client of trait `{item.name}`",
                    item.name_span,
                )
                generate(item.name + "ShmServe", f"the shared-memory server of trait `{item.name}`",
                         item.name_span)  # fmt: skip
    for name, (what, _) in generated.items():
        if name in seen:
            diags.error("generated-name-clash", seen[name].name_span, name=name, other=what,
                        hint="rename the type")  # fmt: skip
    return scope
