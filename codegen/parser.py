"""Parse an IDL file into the typed AST (codegen/ast.py).

The grammar is idl.lark (LALR(1)); tokens come from codegen/lexer.py; an inline
Transformer builds AST dataclasses while parsing, so no `lark.Tree` ever leaves this module.
Parse errors become diagnostics; the parser then resumes at the next item so one run
reports every syntax error in the file.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import lark
from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput, UnexpectedToken
from lark.lexer import Lexer

from rust2go.codegen import ast, parse_fast
from rust2go.codegen.diagnostics import Diagnostics
from rust2go.codegen.lexer import RawToken, lex_raw, to_token
from rust2go.codegen.source import SourceFile, Span

# Human names for terminals in "expected …" messages.
TOKEN_NAMES = {
    "IDENT": "an identifier", "LIFETIME": "a lifetime", "CHAR": "a character literal",
    "STRING": "a string literal", "INT": "an integer", "FLOAT": "a float", "DOC": "a doc comment",
    "COLONCOLON": "`::`", "ARROW": "`->`", "FATARROW": "`=>`", "LBRACE": "`{`",
    "RBRACE": "`}`", "LPAR": "`(`", "RPAR": "`)`", "LSQB": "`[`", "RSQB": "`]`", "LT": "`<`",
    "GT": "`>`", "COMMA": "`,`", "SEMI": "`;`", "COLON": "`:`", "HASH": "`#`", "BANG": "`!`",
    "EQ": "`=`", "AMP": "`&`", "STAR": "`*`", "PLUS": "`+`", "MINUS": "`-`", "DOT": "`.`",
    "QMARK": "`?`", "$END": "end of file",
}  # fmt: skip


def _describe(term: str) -> str:
    return TOKEN_NAMES.get(term, f"`{term.lower()}`")


@dataclass
class _Group:
    """A balanced `( … )`, `[ … ]` or `{ … }`, delimiters included. It keeps its nested
    groups as they are and flattens only when asked: copying every inner token into each
    enclosing group made deeply nested braces (a fn body nobody reads) quadratic."""

    parts: list  # Token | _Group
    start: int
    end: int

    @property
    def tokens(self) -> list[Token]:
        out: list[Token] = []
        stack = [iter(self.parts)]
        while stack:  # iterative: nesting depth is the input's to choose
            for part in stack[-1]:
                if isinstance(part, _Group):
                    stack.append(iter(part.parts))
                    break
                out.append(part)
            else:
                stack.pop()
        return out


@dataclass
class _Doc:
    text: str
    start: int
    end: int


@dataclass
class _Spanned:
    value: object
    start: int
    end: int


def _bounds(x) -> tuple[int, int] | None:
    if x is None:
        return None
    if type(x) is Token:
        return x.start_pos, x.end_pos
    if isinstance(x, (_Group, _Doc, _Spanned)):
        return x.start, x.end
    if isinstance(x, list):
        # Only the outermost children matter: first from the left, last from the right.
        first = next((b for b in map(_bounds, x) if b), None)
        if first is None:
            return None
        last = next(b for b in map(_bounds, reversed(x)) if b)
        return first[0], last[1]
    span = getattr(x, "span", None)
    return (span.start, span.end) if span else None


def _flatten(children) -> list[Token]:
    out: list[Token] = []
    for c in children:
        if isinstance(c, Token):
            out.append(c)
        elif isinstance(c, _Group):
            out.extend(c.tokens)
        elif isinstance(c, list):
            out.extend(_flatten(c))
    return out


class _ToAst(Transformer):
    """One callback per grammar rule. Only builds nodes; never judges them."""

    src: SourceFile

    # -- helpers
    def span(self, children) -> Span:
        b = _bounds(list(children))
        return self.src.span(*b) if b else self.src.span(0, 0)

    def tok(self, t: Token) -> ast.Tok:
        return ast.Tok(t.type, str(t), self.src.span(t.start_pos, t.end_pos))

    def tspan(self, t: Token) -> Span:
        return Span(self.src, t.start_pos, t.end_pos)

    @staticmethod
    def split_attrs(children) -> tuple[ast.Attrs, list]:
        first = children[0] if children else None
        if not isinstance(first, (ast.Attribute, _Doc)):
            return ast.Attrs(), children
        attrs = ast.Attrs()
        i = 0
        while i < len(children) and isinstance(children[i], (ast.Attribute, _Doc)):
            c = children[i]
            if isinstance(c, _Doc):
                attrs.docs.append(c.text)
            else:
                attrs.attrs.append(c)
            i += 1
        return attrs, list(children[i:])

    def vis_text(self, v) -> str:
        return self.span([v]).text if v is not None else ""

    # -- file and items
    def start(self, children):
        return ast.File([c for c in children if c is not None and not isinstance(c, _Spanned)])

    def item(self, children):
        attrs, rest = self.split_attrs(children)
        body = rest[-1] if rest else None
        vis = next((c for c in rest[:-1] if isinstance(c, _Spanned)), None)
        if body is None:
            return None
        body.attrs = attrs
        body.vis = self.vis_text(vis)
        body.span = self.span([*children])
        return body

    def inner_attr(self, children):
        return None

    def stray_semi(self, children):
        return None

    def skipped_item(self, children):
        return None

    def head_tok(self, children):
        return children[0]

    def attr(self, children):
        toks = _flatten(children[2:-1])
        span = self.span(children)
        path_toks: list[Token] = []
        i = 0
        while i < len(toks) and toks[i].type in ("IDENT", "COLONCOLON", "SELF"):
            path_toks.append(toks[i])
            i += 1
        path = "".join(str(t) for t in path_toks)
        name_span = self.span(path_toks) if path_toks else span
        args = value = None
        rest = toks[i:]
        if rest and rest[0].type == "LPAR" and rest[-1].type == "RPAR":
            args = [self.tok(t) for t in rest[1:-1]]
        elif rest and rest[0].type == "EQ":
            value = [self.tok(t) for t in rest[1:]]
        elif rest:
            args = [self.tok(t) for t in rest]
        return ast.Attribute(path, args, span, name_span, value)

    def doc_attr(self, children):
        t = children[0]
        return _Doc(str(t), t.start_pos, t.end_pos)

    def vis(self, children):
        b = _bounds(children)
        return _Spanned("vis", *b)

    # -- groups and token trees
    def _group(self, children):
        parts: list = []
        for c in children:
            if isinstance(c, list):
                parts.extend(_flatten(c))
            elif isinstance(c, (Token, _Group)):
                parts.append(c)
        first, last = parts[0], parts[-1]
        start = first.start_pos if isinstance(first, Token) else first.start
        end = last.end_pos if isinstance(last, Token) else last.end
        return _Group(parts, start, end)

    paren_group = bracket_group = brace_group = _group

    # -- structs
    def struct_def(self, children):
        name = children[1]
        generics = next((c for c in children if isinstance(c, ast.Generics)), None)
        shape, fields = children[-1]
        return ast.StructDecl(
            str(name),
            self.tspan(name),
            "",
            ast.Attrs(),
            generics,
            shape,
            fields,
            self.span(children),
        )

    def named_body(self, children):
        return ("named", children[1])

    def tuple_body(self, children):
        return ("tuple", [])

    def unit_body(self, children):
        return ("unit", [])

    def field_list(self, children):
        return [c for c in children if isinstance(c, ast.FieldDecl)]

    def field(self, children):
        attrs, rest = self.split_attrs(children)
        vis, name, _colon, ty = rest
        start = _bounds(next(c for c in children if c is not None))[0]
        return ast.FieldDecl(
            str(name),
            ty,
            attrs,
            Span(self.src, start, ty.span.end),
            self.tspan(name),
            self.vis_text(vis),
        )

    # -- enums
    def enum_def(self, children):
        name = children[1]
        generics = next((c for c in children if isinstance(c, ast.Generics)), None)
        variants = next(c for c in children if isinstance(c, list))
        return ast.EnumDecl(
            str(name), self.tspan(name), "", ast.Attrs(), generics, variants, self.span(children)
        )

    def variant_list(self, children):
        return [c for c in children if isinstance(c, ast.VariantDecl)]

    def variant(self, children):
        attrs, rest = self.split_attrs(children)
        name, data, disc = rest
        return ast.VariantDecl(str(name), attrs, data is not None, disc, self.span(children))

    def variant_data(self, children):
        return children[0]

    def discriminant(self, children):
        return [self.tok(t) for t in _flatten(children[1:])]

    # -- aliases
    def alias_def(self, children):
        name = children[1]
        generics = children[2]
        return ast.AliasDecl(
            str(name), self.tspan(name), "", ast.Attrs(), generics, children[4], self.span(children)
        )

    # -- traits
    def trait_def(self, children):
        name = next(c for c in children if isinstance(c, Token) and c.type == "IDENT")
        generics = next((c for c in children if isinstance(c, ast.Generics)), None)
        items = [c for c in children if isinstance(c, (ast.MethodDecl, ast.OtherTraitItem))]
        return ast.TraitDecl(
            str(name), self.tspan(name), "", ast.Attrs(), generics, items, self.span(children)
        )

    def trait_other(self, children):
        _attrs, rest = self.split_attrs(children)
        what = "an associated type" if rest[0].type == "TYPE" else "an associated const"
        return ast.OtherTraitItem(what, self.span(rest))

    def method(self, children):
        attrs, rest = self.split_attrs(children)
        vis, quals, _fn, name, generics, _lp, params, _rp, ret, _where, has_body = rest
        is_async, is_unsafe = quals
        return ast.MethodDecl(
            str(name), self.tspan(name), attrs, is_async, is_unsafe, generics, params, ret,
            has_body, self.span(children), self.vis_text(vis),
        )  # fmt: skip

    def fn_quals(self, children):
        return (children[0] is not None, children[1] is not None)

    def ret(self, children):
        return children[1]

    def no_body(self, children):
        return False

    def has_body(self, children):
        return True

    def param_list(self, children):
        return [c for c in children if isinstance(c, ast.ParamDecl)]

    def typed_param(self, children):
        _attrs, rest = self.split_attrs(children)
        pattern, _colon, ty = rest
        return ast.ParamDecl(pattern.value, ty, self.span(rest))

    def self_arg(self, children):
        _attrs, rest = self.split_attrs(children)
        return ast.ParamDecl("self", None, self.span(rest), is_self=True)

    def self_param(self, children):
        return _Spanned("self", *_bounds(children))

    def name_pattern(self, children):
        return _Spanned(str(children[1]), *_bounds(children))

    def other_pattern(self, children):
        return _Spanned(None, *_bounds(children))

    # -- generics (kept only as a span: the IDL rejects them)
    def generics(self, children):
        return ast.Generics(self.span(children))

    def where_clause(self, children):
        return None

    def bounds(self, children):
        out = []
        for c in children:
            if isinstance(c, ast.PathType):
                out.append(ast.Bound(c, c.span))
            elif isinstance(c, ast.Bound):
                out.append(c)
        return out

    def lifetime_bound(self, children):
        t = children[0]
        return ast.Bound(None, self.tspan(t))

    def maybe_bound(self, children):
        s = self.span(children)
        return ast.Bound(None, s)

    hrtb_bound = maybe_bound

    # -- types
    # path_type and path_seg run for every type written in the file: spans are computed
    # directly from their known shape rather than by the generic `span`.
    def path_type(self, children):
        first = children[0]
        if first is None and len(children) == 2:
            seg = children[1]
            return ast.PathType([seg], False, seg.span)
        segs = [c for c in children if isinstance(c, ast.PathSeg)]
        lead = first is not None
        start = first.start_pos if lead else segs[0].span.start
        return ast.PathType(segs, lead, Span(self.src, start, segs[-1].span.end))

    def path_seg(self, children):
        name, args = children
        end = args.end if args is not None else name.end_pos
        return ast.PathSeg(
            str(name), args.value if args else None, Span(self.src, name.start_pos, end)
        )

    def fn_sugar_seg(self, children):
        return ast.PathSeg(str(children[0]), None, self.span(children), fn_sugar=True)

    def generic_args(self, children):
        args = [c for c in children if c is not None and not isinstance(c, Token)]
        return _Spanned(args, *_bounds(children))

    def lifetime_arg(self, children):
        return ast.LifetimeArg(str(children[0]), self.tspan(children[0]))

    def assoc_binding(self, children):
        name, _eq, ty = children
        return ast.AssocBinding(str(name), ty, self.span(children))

    def const_arg(self, children):
        return ast.ConstArg(self.span(children))

    def ref_type(self, children):
        _amp, lifetime, mut, inner = children
        return ast.RefType(
            inner, mut is not None, str(lifetime) if lifetime else None, self.span(children)
        )

    def tuple_type(self, children):
        elems = [c for c in children if not isinstance(c, Token) and c is not None]
        commas = any(isinstance(c, Token) and c.type == "COMMA" for c in children)
        span = self.span(children)
        if not elems:
            return ast.OtherType("unit type `()`", span)
        if len(elems) == 1 and not commas:
            return ast.OtherType("parenthesized type", span, elems[0])
        return ast.OtherType("tuple", span)

    def _other(kind):
        def callback(self, children):
            return ast.OtherType(kind, self.span(children))

        return callback

    ptr_type = _other("raw pointer")
    array_type = _other("array")
    slice_type = _other("slice")
    dyn_type = _other("trait object")
    never_type = _other("never type `!`")
    fn_type = _other("function pointer")

    def impl_type(self, children):
        return ast.ImplType(children[1], self.span(children))

    # Rules we only need as placeholders.
    def generic_param(self, children):
        return None

    def lifetime_bounds(self, children):
        return None

    def where_pred(self, children):
        return None


class _ListLexer(Lexer):
    """Feeds lark the token list our own lexer produced."""

    def __init__(self, lexer_conf):
        pass

    def lex(self, data):  # type: ignore[override]
        yield from data


_transformer = _ToAst()
_lock = threading.Lock()

# Syntax errors reported before the parser stops: past this many, the rest of a file is
# rarely news (one missing brace can make thousands), and a 1 MB file of them would take
# seconds to recover through. The last diagnostic says where parsing stopped.
MAX_SYNTAX_ERRORS = 500


class _TooManyErrors(Exception):
    """Raised by _parse_run at MAX_SYNTAX_ERRORS; `at`: the token where parsing stops (the
    item after the last error)."""

    def __init__(self, at: int):
        self.at = at


@lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = resources.files("rust2go.codegen").joinpath("idl.lark").read_text()
    options = dict(
        parser="lalr", lexer=_ListLexer, transformer=_transformer, maybe_placeholders=True
    )
    cache = _cache_file()
    if cache is not None:
        try:
            # Building the LALR tables costs ~0.3 s per process; the cache (keyed by lark on
            # the grammar and options) makes `rust2go check` start in a few milliseconds.
            return Lark(grammar, cache=str(cache), **options)
        except Exception:  # noqa: BLE001 - a broken cache must never stop a parse
            cache.unlink(missing_ok=True)
    return Lark(grammar, **options)


def _cache_file() -> Path | None:
    """A per-user cache file (never a shared temp dir: lark's cache is a pickle)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "rust2go"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    digest = hashlib.sha256(resources.files("rust2go.codegen").joinpath("idl.lark").read_bytes())
    return folder / f"idl-{lark.__version__}-{digest.hexdigest()[:16]}.lark-cache"


def parse(source: SourceFile, diags: Diagnostics, fast: bool = True) -> ast.File:
    """Lex and parse. Syntax errors go to `diags`; after an error the parser resumes at the
    next top-level item, and the returned File holds every item that parsed, so later
    phases still report problems in the rest of the file.

    The items between two top-level boundaries that codegen/parse_fast.py recognises
    (plain structs, the bulk of large files) are built by it directly; lark parses the rest,
    in runs between them. `fast=False`: lark parses everything (the fuzzer compares both)."""
    tokens = lex_raw(source, diags)
    boundaries = _item_boundaries(tokens)
    items: list[ast.Item] = []
    try:
        _parse_items(tokens, boundaries, items, source, diags, fast)
    except _TooManyErrors as stop:
        at = tokens[stop.at][2] if stop.at < len(tokens) else len(source.text)
        diags.error("too-many-errors", source.span(at, at), count=MAX_SYNTAX_ERRORS,
                    hint="fix these and run again; the rest of the file was not read")  # fmt: skip
    return ast.File(items)


def _parse_items(tokens: list[RawToken], boundaries: list[int], items: list[ast.Item],
                 source: SourceFile, diags: Diagnostics, fast: bool) -> None:  # fmt: skip
    """parse()'s work: every item into `items` (raises _TooManyErrors)."""
    pending = 0  # tokens before this index are parsed
    # Where lark alone would have (re)started last: hints about an error look back to it.
    floor = [0]
    if fast:
        for k in range(len(boundaries) - 1):
            a, b = boundaries[k], boundaries[k + 1]
            node = parse_fast.item(tokens, a, b, source)
            if node is None:
                continue
            if pending < a:
                # The run before this item must end where it starts; otherwise lark reads
                # on into it, and the item joins the run. That happens once per such item:
                # no rule can take in a whole `struct`, so the longer run ends in an error
                # inside it, or at the next item.
                got = _parse_run(tokens, pending, a, boundaries, source, diags, floor, at_eof=False)
                if got is None:
                    continue
                items.extend(got)
            items.append(node)
            pending = b
    items.extend(
        _parse_run(tokens, pending, len(tokens), boundaries, source, diags, floor, at_eof=True)
        or []
    )


def _parse_run(tokens: list[RawToken], start: int, end: int, boundaries: list[int], source: SourceFile,
               diags: Diagnostics, floor: list[int], at_eof: bool) -> list[ast.Item] | None:  # fmt: skip
    """Parse tokens[start:end] with lark, `start` and `end` being item boundaries. After an
    error, resume at the next boundary (and move `floor[0]` there). Unless `at_eof`: None
    (and nothing reported) when the last item runs past `end`."""
    mark, floor_before, counted = len(diags.items), floor[0], diags.syntax_errors
    items: list[ast.Item] = []
    while start < end:
        feed = _Feed(tokens, start, end)
        try:
            items.extend(_run(feed, source))
            break
        except UnexpectedInput as err:
            if not at_eof and not (isinstance(err, UnexpectedToken) and err.token.type != "$END"):
                del diags.items[mark:]
                floor[0], diags.syntax_errors = floor_before, counted
                return None
            bad = _report(err, tokens, floor[0], feed, source, diags)
            # Keep the complete items before the one holding the error...
            k = bisect.bisect_right(boundaries, bad) - 1
            diags.syntax_errors += 1
            if diags.syntax_errors >= MAX_SYNTAX_ERRORS:  # stop where it would resume
                raise _TooManyErrors(
                    boundaries[k + 1] if k + 1 < len(boundaries) else len(tokens)
                ) from None
            item_start = max(boundaries[k], start)
            if item_start > start:
                try:
                    items.extend(_run(_Feed(tokens, start, item_start), source))
                except UnexpectedInput:
                    pass
            # ...and go on with the items after it.
            if k + 1 >= len(boundaries):
                break
            start = floor[0] = boundaries[k + 1]
            if start >= end:
                break
    return items


class _Feed:
    """tokens[start:end] as lark Tokens, made as lark asks for them, remembering the index
    of the last one handed out (the one a parse error is about)."""

    def __init__(self, tokens: list[RawToken], start: int, end: int):
        self.tokens, self.start, self.end = tokens, start, end
        self.pos = start - 1

    def __iter__(self):
        tokens = self.tokens
        for i in range(self.start, self.end):
            self.pos = i
            yield to_token(tokens[i])


def _run(feed: _Feed, source: SourceFile) -> list[ast.Item]:
    with _lock:
        _transformer.src = source
        return _lark().parse(feed).items


def _item_boundaries(tokens: list[RawToken]) -> list[int]:
    """Token indexes where a top-level item may start: the file start and every point
    right after a `;` or a closing `}` at nesting depth 0 (best effort when unbalanced)."""
    out, depth = [0], 0
    for i, t in enumerate(tokens):
        kind = t[0]
        if kind in ("LBRACE", "LPAR", "LSQB"):
            depth += 1
        elif kind in ("RBRACE", "RPAR", "RSQB"):
            depth = max(0, depth - 1)
            if depth == 0 and kind == "RBRACE":
                out.append(i + 1)
        elif kind == "SEMI" and depth == 0:
            out.append(i + 1)
    return out


def _report(err: UnexpectedInput, tokens: list[RawToken], start: int, feed: _Feed, source: SourceFile,
            diags: Diagnostics) -> int:  # fmt: skip
    """Turn a lark error into a diagnostic; return the index (in tokens) of the bad token.
    `start`: where lark alone would have begun this parse (hints look no further back)."""
    expected = set(getattr(err, "expected", None) or ())
    if isinstance(err, UnexpectedToken) and err.token.type != "$END":
        tok = err.token
        idx = (
            feed.pos
            if 0 <= feed.pos < len(tokens) and tokens[feed.pos][2] == tok.start_pos
            else feed.end
        )
        diags.error(
            "unexpected-token",
            source.span(tok.start_pos, tok.end_pos),
            expected=_expected_text(expected),
            found=f"`{tok}`",
            hint=_missing_separator_hint(expected, tokens, start, idx, tok, source),
        )
        return idx
    if not _lexer_already_explained_eof(diags):
        end = len(source.text)
        last = tokens[feed.end - 1] if feed.end > start else None
        span = source.span(last[2], last[3]) if last else source.span(end, end)
        diags.error("unexpected-eof", span, expected=_expected_text(expected or {"RBRACE"}),
                    hint="the file ends in the middle of an item")  # fmt: skip
    return feed.end


def _lexer_already_explained_eof(diags: Diagnostics) -> bool:
    """An unterminated string or comment swallows the rest of the file; the resulting
    'unexpected end of file' would only repeat it."""
    return any(d.code in ("unterminated-string", "unterminated-comment") for d in diags.items)


def _missing_separator_hint(
    expected: set[str], tokens: list[RawToken], start: int, idx: int, tok: Token, source: SourceFile
) -> str | None:
    prev = tokens[idx - 1] if idx > start else None
    order = [("SEMI", ";"), ("COMMA", ",")]
    if _inside_list(tokens, start, idx):
        order.reverse()
    for term, sep in order:
        if term in expected and prev is not None:
            line = source.line_col(prev[3])[0]
            if source.line_col(tok.start_pos)[0] > line:
                return f"add `{sep}` at the end of line {line}"
            return f"add `{sep}` before `{tok}`"
    return None


def _inside_list(tokens: list[RawToken], start: int, idx: int) -> bool:
    """Is the innermost open delimiter before tokens[idx] (looking back to tokens[start])
    a comma-separated list (fields, variants, params)?"""
    depth = 0
    for i in range(idx - 1, start - 1, -1):
        t = tokens[i][0]
        if t in ("RBRACE", "RPAR", "RSQB"):
            depth += 1
        elif t in ("LBRACE", "LPAR", "LSQB"):
            if depth == 0:
                if t == "LPAR":
                    return True
                head = [x[0] for x in tokens[max(start, i - 2) : i]]
                return t == "LBRACE" and bool(head) and head[0] in ("STRUCT", "ENUM")
            depth -= 1
    return False


# The tokens most worth suggesting, best first; the rest are summarised.
_PREFERRED = ["SEMI", "COMMA", "RBRACE", "RPAR", "GT", "RSQB", "COLON", "EQ", "LBRACE", "IDENT"]


def _expected_text(expected) -> str:
    terms = [t for t in expected if not t.startswith("__")]
    best = [t for t in _PREFERRED if t in terms]
    picked = best[:3] if best else sorted(terms, key=_describe)[:3]
    names = [_describe(t) for t in picked]
    text = " or ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " or " + names[-1]
    return text + (" (or another token)" if len(terms) > len(picked) else "")
