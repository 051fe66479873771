"""A direct parser for the shape most of a large IDL file is made of: structs with named
fields of path types (`#[derive(..)] pub struct S { pub a: Vec<Option<T>>, … }`).

It builds exactly the AST that idl.lark and parser.py's transformer build for the same
tokens, and answers None for anything else (generics, tuple or unit structs, other items,
lifetimes, unusual type syntax, any syntax error, nesting deeper than it recurses), which
then goes to lark. It is only a shortcut: the fuzzer checks it against lark on every input.
"""

from __future__ import annotations

from rust2go.codegen import ast
from rust2go.codegen.lexer import RawToken
from rust2go.codegen.source import SourceFile, Span

# Type arguments deeper than this go to lark, which does not recurse.
_MAX_DEPTH = 40
_OPEN = {"LPAR": "RPAR", "LSQB": "RSQB", "LBRACE": "RBRACE"}
_CLOSE = {"RPAR", "RSQB", "RBRACE"}


class _No(Exception):
    """Not a shape this parser builds: lark parses it."""


def item(tokens: list[RawToken], start: int, end: int, src: SourceFile) -> ast.StructDecl | None:
    """The struct that tokens[start:end] is exactly, or None."""
    # Every scan below stops at the closing `}` (no rule here consumes one), so tokens
    # past `end` are never read.
    if end - start < 4 or tokens[end - 1][0] != "RBRACE":
        return None
    try:
        return _Parser(tokens, end, src).struct(start)
    except _No:
        return None


class _Parser:
    def __init__(self, tokens: list[RawToken], end: int, src: SourceFile):
        self.t = tokens
        self.end = end
        self.src = src

    def kind(self, i: int) -> str:
        if i >= self.end:
            raise _No
        return self.t[i][0]

    def expect(self, i: int, kind: str) -> int:
        if i >= self.end or self.t[i][0] != kind:
            raise _No
        return i + 1

    # ------------------------------------------------------------ items

    def struct(self, i: int) -> ast.StructDecl:
        attrs, i = self.attrs(i)
        vis, i = self.vis(i)
        first = self.t[i][2]
        i = self.expect(i, "STRUCT")
        name = self.t[i]
        i = self.expect(i, "IDENT")
        i = self.expect(i, "LBRACE")
        fields: list[ast.FieldDecl] = []
        while self.kind(i) != "RBRACE":
            f, i = self.field(i)
            fields.append(f)
            if self.kind(i) == "COMMA":
                i += 1
            elif self.kind(i) != "RBRACE":
                raise _No
        i += 1
        if i != self.end:
            raise _No
        item_start = attrs_start = attrs[1] if attrs else None
        if item_start is None:
            item_start = vis[1] if vis else first
        del attrs_start
        src = self.src
        return ast.StructDecl(
            name[1], Span(src, name[2], name[3]), vis[0] if vis else "", attrs[0] if attrs else ast.Attrs(),
            None, "named", fields, Span(src, item_start, name[3]),
        )  # fmt: skip

    def field(self, i: int) -> tuple[ast.FieldDecl, int]:
        t = self.t
        attrs = vis = None
        if t[i][0] in ("HASH", "DOC"):
            attrs, i = self.attrs(i)
        if t[i][0] == "PUB":
            vis, i = self.vis(i)
        name = t[i]
        if name[0] != "IDENT" or t[i + 1][0] != "COLON":
            raise _No
        ty, i = self.type(i + 2, 0)
        start = attrs[1] if attrs else vis[1] if vis else name[2]
        src = self.src
        decl = ast.FieldDecl(
            name[1], ty, attrs[0] if attrs else ast.Attrs(), Span(src, start, ty.span.end),
            Span(src, name[2], name[3]), vis[0] if vis else "",
        )  # fmt: skip
        return decl, i

    def vis(self, i: int) -> tuple[tuple[str, int] | None, int]:
        """(`pub` text, its start) or None."""
        if self.kind(i) != "PUB":
            return None, i
        start = self.t[i][2]
        if self.kind(i + 1) == "LPAR":
            close = self.group(i + 1)
            return (self.src.text[start : self.t[close - 1][3]], start), close
        return ("pub", start), i + 1

    def attrs(self, i: int) -> tuple[tuple[ast.Attrs, int] | None, int]:
        """Outer attributes and doc comments, and where the first starts (None if none)."""
        if self.kind(i) not in ("HASH", "DOC"):
            return None, i
        out = ast.Attrs()
        first = self.t[i][2]
        while True:
            kind = self.kind(i)
            if kind == "DOC":
                out.docs.append(self.t[i][1])
                i += 1
            elif kind == "HASH" and self.kind(i + 1) == "LSQB":
                close = self.group(i + 1)
                out.attrs.append(self.attribute(i, close))
                i = close
            else:
                return (out, first), i

    def group(self, i: int) -> int:
        """Index after the balanced group opening at tokens[i]."""
        stack = [_OPEN[self.kind(i)]]
        i += 1
        while stack:
            kind = self.kind(i)
            if kind in _OPEN:
                stack.append(_OPEN[kind])
            elif kind in _CLOSE:
                if stack.pop() != kind:
                    raise _No
            i += 1
        return i

    def attribute(self, hash_at: int, end: int) -> ast.Attribute:
        t, src = self.t, self.src
        toks = t[hash_at + 2 : end - 1]
        span = Span(src, t[hash_at][2], t[end - 1][3])
        i = 0
        while i < len(toks) and toks[i][0] in ("IDENT", "COLONCOLON", "SELF"):
            i += 1
        path = "".join(x[1] for x in toks[:i])
        name_span = Span(src, toks[0][2], toks[i - 1][3]) if i else span
        args = value = None
        rest = toks[i:]
        if rest and rest[0][0] == "LPAR" and rest[-1][0] == "RPAR":
            args = [self.tok(x) for x in rest[1:-1]]
        elif rest and rest[0][0] == "EQ":
            value = [self.tok(x) for x in rest[1:]]
        elif rest:
            args = [self.tok(x) for x in rest]
        return ast.Attribute(path, args, span, name_span, value)

    def tok(self, x: RawToken) -> ast.Tok:
        return ast.Tok(x[0], x[1], Span(self.src, x[2], x[3]))

    # ------------------------------------------------------------ types

    def type(self, i: int, depth: int) -> tuple[ast.TypeExpr, int]:
        if depth > _MAX_DEPTH:
            raise _No
        t, src = self.t, self.src
        kind = t[i][0]
        if kind == "AMP":
            amp = t[i][2]
            if t[i + 1][0] in ("LIFETIME", "MUT"):
                raise _No
            inner, i = self.type(i + 1, depth)
            return ast.RefType(inner, False, None, Span(src, amp, inner.span.end)), i
        lead = None
        if kind == "COLONCOLON":
            lead = t[i][2]
            i += 1
        segs: list[ast.PathSeg] = []
        while True:
            name = t[i]
            if name[0] not in ("IDENT", "SELF"):
                raise _No
            i += 1
            kind = t[i][0]
            if kind == "LT":
                i += 1
                args: list[ast.TypeExpr] = []
                while t[i][0] != "GT":
                    if t[i][0] == "IDENT" and t[i + 1][0] == "EQ":
                        raise _No  # an associated type binding
                    ty, i = self.type(i, depth + 1)
                    args.append(ty)
                    kind = t[i][0]
                    if kind == "COMMA":
                        i += 1
                    elif kind != "GT":
                        raise _No
                segs.append(ast.PathSeg(name[1], args, Span(src, name[2], t[i][3])))
                i += 1
                kind = t[i][0]
            elif kind == "LPAR":
                raise _No  # `Fn(A) -> B` sugar
            else:
                segs.append(ast.PathSeg(name[1], None, Span(src, name[2], name[3])))
            if kind != "COLONCOLON":
                break
            i += 1
        if lead is None and len(segs) == 1:
            return ast.PathType(segs, False, segs[0].span), i
        start = lead if lead is not None else segs[0].span.start
        return ast.PathType(segs, lead is not None, Span(src, start, segs[-1].span.end)), i
