"""Typed syntax tree of an IDL file: what was written, with spans, before any checking.

Produced by codegen/parser.py; consumed only by codegen/check/. Nothing here is validated:
a struct may be generic, a type may be `&mut [u8]`; the checks decide what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rust2go.codegen.source import Span

# ------------------------------------------------------------------ attributes


@dataclass
class Tok:
    """A raw token kept for later interpretation (attribute arguments, discriminants)."""

    kind: str
    value: str
    span: Span


@dataclass
class Attribute:
    path: str  # "derive", "rust2go::r2g", "serde" ... ("" if not a path)
    args: list[Tok] | None  # tokens inside `( … )`, None when written bare or `= …`
    span: Span
    name_span: Span
    value: list[Tok] | None = None  # `#[path = value]`


@dataclass
class Attrs:
    """Attributes and doc comments in source order."""

    attrs: list[Attribute] = field(default_factory=list)
    docs: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ types


@dataclass
class PathSeg:
    name: str
    args: list[GenericArg] | None  # None: no `<…>`
    span: Span
    fn_sugar: bool = False  # `Fn(A) -> B` style


@dataclass
class PathType:
    segments: list[PathSeg]
    leading_colons: bool
    span: Span


@dataclass
class RefType:
    inner: TypeExpr
    mutable: bool
    lifetime: str | None
    span: Span


@dataclass
class OtherType:
    """Type syntax the IDL never accepts (tuples, arrays, slices, pointers, dyn, fn...).
    `kind` names it for the diagnostic."""

    kind: str
    span: Span
    inner: TypeExpr | None = None


@dataclass
class ImplType:
    bounds: list[Bound]
    span: Span


@dataclass
class Bound:
    path: PathType | None  # None for lifetimes / unsupported bounds
    span: Span

    @property
    def text(self) -> str:
        # Read only for a message: a nested `impl Future<Output = impl …>` would copy each
        # inner bound's text once per level if it were kept.
        return self.span.text


TypeExpr = PathType | RefType | OtherType | ImplType


@dataclass
class AssocBinding:
    name: str
    ty: TypeExpr
    span: Span


@dataclass
class LifetimeArg:
    name: str
    span: Span


@dataclass
class ConstArg:
    span: Span


GenericArg = TypeExpr | AssocBinding | LifetimeArg | ConstArg

# ------------------------------------------------------------------ items


@dataclass
class Generics:
    span: Span


@dataclass
class FieldDecl:
    name: str
    ty: TypeExpr
    attrs: Attrs
    span: Span
    name_span: Span
    vis: str = ""


@dataclass
class StructDecl:
    name: str
    name_span: Span
    vis: str
    attrs: Attrs
    generics: Generics | None
    shape: str  # "named" | "tuple" | "unit"
    fields: list[FieldDecl]
    span: Span


@dataclass
class VariantDecl:
    name: str
    attrs: Attrs
    has_data: bool
    discriminant: list[Tok] | None
    span: Span


@dataclass
class EnumDecl:
    name: str
    name_span: Span
    vis: str
    attrs: Attrs
    generics: Generics | None
    variants: list[VariantDecl]
    span: Span


@dataclass
class AliasDecl:
    name: str
    name_span: Span
    vis: str
    attrs: Attrs
    generics: Generics | None
    ty: TypeExpr
    span: Span


@dataclass
class ParamDecl:
    name: str | None  # None when the pattern is not a plain name
    ty: TypeExpr | None  # None for `self` params
    span: Span
    is_self: bool = False


@dataclass
class MethodDecl:
    name: str
    name_span: Span
    attrs: Attrs
    is_async: bool
    is_unsafe: bool
    generics: Generics | None
    params: list[ParamDecl]
    ret: TypeExpr | None
    has_body: bool
    span: Span
    vis: str = ""


@dataclass
class OtherTraitItem:
    what: str  # "an associated type", "an associated const"
    span: Span


@dataclass
class TraitDecl:
    name: str
    name_span: Span
    vis: str
    attrs: Attrs
    generics: Generics | None
    items: list[MethodDecl | OtherTraitItem]
    span: Span


Item = StructDecl | EnumDecl | AliasDecl | TraitDecl


@dataclass
class File:
    items: list[Item]
