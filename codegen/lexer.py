"""Rust lexer for the IDL.

Hand-written because Rust's token set is not regular: block comments nest and raw strings
(`r##"…"##`) close on a matching number of hashes. It lexes the *whole* file correctly,
including the items the IDL ignores (impl blocks, fns, macros), so that a `}` inside a
string or comment never confuses the grammar. Tokens are lark Tokens whose types are the
terminals `%declare`d in idl.lark. Lexical errors are reported as diagnostics and the bad
character is skipped, so one run reports everything.
"""

from __future__ import annotations

import re

from lark import Token

from rust2go.codegen.diagnostics import Diagnostics
from rust2go.codegen.source import SourceFile

# Words the grammar needs to see as their own terminals. Other keywords (`self`, `crate`,
# `super`, `Self`, `where`...) stay IDENT and are interpreted by the grammar or the checks.
KEYWORDS = {
    "struct": "STRUCT",
    "enum": "ENUM",
    "type": "TYPE",
    "trait": "TRAIT",
    "fn": "FN",
    "async": "ASYNC",
    "unsafe": "UNSAFE",
    "impl": "IMPL",
    "pub": "PUB",
    "mod": "MOD",
    "use": "USE",
    "where": "WHERE",
    "dyn": "DYN",
    "mut": "MUT",
    "const": "CONST",
    "static": "STATIC",
    "extern": "EXTERN",
    "self": "SELF",
    "for": "FOR",
}

PUNCT2 = {"::": "COLONCOLON", "->": "ARROW", "=>": "FATARROW"}
PUNCT1 = {
    "{": "LBRACE", "}": "RBRACE", "(": "LPAR", ")": "RPAR", "[": "LSQB", "]": "RSQB",
    "<": "LT", ">": "GT", ",": "COMMA", ";": "SEMI", ":": "COLON", "#": "HASH",
    "!": "BANG", "=": "EQ", "&": "AMP", "*": "STAR", "+": "PLUS", "-": "MINUS",
    ".": "DOT", "?": "QMARK", "@": "AT", "|": "VBAR", "^": "CARET", "%": "PERCENT",
    "/": "SLASH", "~": "TILDE", "$": "DOLLAR",
}  # fmt: skip

TERMINALS = sorted(
    set(KEYWORDS.values())
    | set(PUNCT2.values())
    | set(PUNCT1.values())
    | {"IDENT", "LIFETIME", "CHAR", "STRING", "INT", "FLOAT", "DOC"}
)

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[^\W\d][\w]*", re.UNICODE)
_NUMBER = re.compile(
    r"0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+"
    r"|[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9_]+)?"
)
_NUM_SUFFIX = re.compile(r"(?:[iu](?:8|16|32|64|128|size)|f32|f64)")
_CHAR = re.compile(r"'(?:\\u\{[0-9A-Fa-f]{1,6}\}|\\x[0-9A-Fa-f]{2}|\\.|[^\\'\n\r])'")
_LIFETIME = re.compile(r"'[A-Za-z_][A-Za-z0-9_]*")
_WS = re.compile(r"[ \t\r\n\f\v\u00a0\ufeff]+")
_RAW_PREFIX = re.compile(r"(?:br|cr|r)(#*)\"")
# The bulk of any file: whitespace, ASCII words and plain punctuation, scanned with
# finditer; anything else (quotes, comments, numbers, non-ASCII) stops the scan at `other`
# and goes through the careful path.
_SCAN = re.compile(
    r"[ \t\r\n]+|(?P<tok>[A-Za-z_][A-Za-z0-9_]*(?![\"'#])|::|->|=>"
    r"|[{}()\[\]<>,;:#!=&*+\-.?@|^%~$])|(?P<other>.)",
    re.S,
)
_KINDS = {**KEYWORDS, **PUNCT1, **PUNCT2}
_STR_PREFIX = re.compile(r"(?:b|c)?\"")


_new_str = str.__new__

# A raw token: (terminal, value, start, end). Tuples are what the parser's fast path reads;
# lark gets Tokens made from them only for the parts of a file it parses.
RawToken = tuple[str, str, int, int]


def to_token(raw: RawToken) -> Token:
    """A lark Token without Token.__new__'s argument handling. Every slot is set: lark
    reads them when it reports an error."""
    kind, value, start, end = raw
    t = _new_str(Token, value)
    t.type, t.value, t.start_pos, t.end_pos = kind, value, start, end
    t.line = t.column = t.end_line = t.end_column = None
    return t


def lex(source: SourceFile, diags: Diagnostics) -> list[Token]:
    return [to_token(t) for t in lex_raw(source, diags)]


def lex_raw(source: SourceFile, diags: Diagnostics) -> list[RawToken]:
    return _Lexer(source, diags).run()


class _Lexer:
    def __init__(self, source: SourceFile, diags: Diagnostics):
        self.src = source
        self.text = source.text
        self.diags = diags
        self.tokens: list[RawToken] = []

    def tok(self, kind: str, start: int, end: int, value: str | None = None) -> None:
        self.tokens.append((kind, self.text[start:end] if value is None else value, start, end))

    def run(self) -> list[RawToken]:
        text, n, i = self.text, len(self.text), 0
        scan, append, kinds = _SCAN.finditer, self.tokens.append, _KINDS
        while i < n:
            for m in scan(text, i):
                group = m.lastgroup
                if group == "tok":
                    word = m.group()
                    append((kinds.get(word, "IDENT"), word, m.start(), m.end()))
                elif group == "other":
                    i = m.start()
                    break
            else:
                break
            c = text[i]
            m = _WS.match(text, i)
            if m:
                i = m.end()
            elif text.startswith("//", i):
                i = self.line_comment(i)
            elif text.startswith("/*", i):
                i = self.block_comment(i)
            elif c == "'":
                i = self.quote(i)
            elif c == '"' or (
                c in "bcr" and (_RAW_PREFIX.match(text, i) or _STR_PREFIX.match(text, i))
            ):
                i = self.string(i)
            elif c == "b" and text.startswith("b'", i):
                m = _CHAR.match(text, i + 1)
                end = m.end() if m else self.bad_char_literal(i)
                self.tok("CHAR", i, end)
                i = end
            elif c == "r" and text.startswith("r#", i) and _IDENT.match(text, i + 2):
                m = _IDENT.match(text, i + 2)
                self.tok("IDENT", i, m.end(), m.group())  # raw identifier: r#type -> type
                i = m.end()
            elif "0" <= c <= "9":
                i = self.number(i)
            elif c == "_" or c.isalpha():
                m = _IDENT.match(text, i)
                word = m.group()
                self.tok(KEYWORDS.get(word, "IDENT"), i, m.end())
                i = m.end()
            elif text[i : i + 2] in PUNCT2:
                self.tok(PUNCT2[text[i : i + 2]], i, i + 2)
                i += 2
            elif c in PUNCT1:
                self.tok(PUNCT1[c], i, i + 1)
                i += 1
            else:
                self.diags.error("unknown-character", self.src.span(i, i + 1), ch=c)
                i += 1
        return self.tokens

    def line_comment(self, i: int) -> int:
        end = self.text.find("\n", i)
        end = len(self.text) if end < 0 else end
        body = self.text[i:end]
        if body.startswith("///") and not body.startswith("////"):
            self.tok("DOC", i, end, body[3:])
        return end  # `//!` inner docs and plain comments are dropped

    def block_comment(self, i: int) -> int:
        depth, j, n = 0, i, len(self.text)
        while j < n:
            if self.text.startswith("/*", j):
                depth, j = depth + 1, j + 2
            elif self.text.startswith("*/", j):
                depth, j = depth - 1, j + 2
                if depth == 0:
                    break
            else:
                j += 1
        if depth:
            self.diags.error(
                "unterminated-comment", self.src.span(i, i + 2), hint="close it with `*/`"
            )
            return n
        body = self.text[i:j]
        if body.startswith("/**") and not body.startswith("/***") and body != "/**/":
            self.tok("DOC", i, j, body[3:-2])
        return j

    def quote(self, i: int) -> int:
        m = _CHAR.match(self.text, i)
        if m:
            self.tok("CHAR", i, m.end())
            return m.end()
        m = _LIFETIME.match(self.text, i)
        if m:
            self.tok("LIFETIME", i, m.end())
            return m.end()
        end = self.bad_char_literal(i)
        return end

    def bad_char_literal(self, i: int) -> int:
        end = self.text.find("\n", i)
        end = len(self.text) if end < 0 else end
        self.diags.error("unterminated-char", self.src.span(i, i + 1))
        return end

    def string(self, i: int) -> int:
        m = _RAW_PREFIX.match(self.text, i)
        if m:
            closing = '"' + m.group(1)
            end = self.text.find(closing, m.end())
            if end < 0:
                return self.unterminated(i, f"close it with `{closing}`")
            self.tok("STRING", i, end + len(closing))
            return end + len(closing)
        j = _STR_PREFIX.match(self.text, i).end()
        n = len(self.text)
        while j < n:
            ch = self.text[j]
            if ch == "\\":
                j += 2
            elif ch == '"':
                self.tok("STRING", i, j + 1)
                return j + 1
            else:
                j += 1
        return self.unterminated(i, 'close it with `"`')

    def unterminated(self, i: int, hint: str) -> int:
        self.diags.error("unterminated-string", self.src.span(i, i + 1), hint=hint)
        return len(self.text)

    def number(self, i: int) -> int:
        m = _NUMBER.match(self.text, i)
        end = m.end()
        s = _NUM_SUFFIX.match(self.text, end)
        if s:
            end = s.end()
        is_float = not m.group().startswith("0x") and any(ch in m.group() for ch in ".eE")
        self.tok("FLOAT" if is_float or (s and s.group()[0] == "f") else "INT", i, end)
        return end
