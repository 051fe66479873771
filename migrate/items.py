"""Top-level items of a Rust module file, split where one ends and the next begins, so a
migration can move the IDL items out and keep every other item verbatim.

Each item's text runs from the end of the previous item (so the comments above an item
travel with it) to its last token. Tokens come from the IDL lexer, which lexes all of Rust
(strings, raw strings, nested comments), so a brace inside a string never ends an item."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rust2go.codegen.diagnostics import Diagnostics
from rust2go.codegen.lexer import lex
from rust2go.codegen.source import SourceFile

OPEN = {"LBRACE": "RBRACE", "LPAR": "RPAR", "LSQB": "RSQB"}
CLOSE = set(OPEN.values())
# Item kinds the IDL front end reads (structs, enums, aliases, #[r2g]/#[g2r] traits).
IDL_KINDS = {"struct", "enum", "type"}
_DIRECTION = re.compile(r"#\s*\[\s*(?:rust2go\s*::\s*)?(?:r2g|g2r)\b")


@dataclass
class Item:
    kind: str  # struct | enum | type | trait | use | mod | impl | fn | inner | other
    text: str  # with the whitespace and comments before it
    idents: frozenset[str]  # every identifier it mentions

    @property
    def idl(self) -> bool:
        if self.kind in IDL_KINDS:
            return True
        return self.kind == "trait" and _DIRECTION.search(self.text) is not None

    @property
    def binding_module(self) -> bool:
        """The original's `mod binding { rust2go::r2g_include_binding!(); }`."""
        return self.kind == "mod" and "r2g_include_binding" in self.idents

    def imported_names(self) -> set[str] | None:
        """Names a `use` item brings in (None for a glob import: it may bring anything)."""
        if "*" in self.text.split("//")[0] and re.search(r"::\s*\*", self.text):
            return None
        body = re.sub(r"//[^\n]*|/\*.*?\*/", "", self.text, flags=re.S)
        body = body[body.index("use") + 3 :]
        names = set()
        for part in re.split(r"[{},;]", body):
            words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", part)
            if not words:
                continue
            if "as" in words and words.index("as") + 1 < len(words):
                names.add(words[words.index("as") + 1])
            elif words[-1] != "self":
                names.add(words[-1])
        return names


class SplitError(Exception):
    """The file does not lex or its braces do not balance."""


def split(text: str, name: str) -> list[Item]:
    diags = Diagnostics()
    source = SourceFile(name, text)
    tokens = lex(source, diags)
    if diags.has_errors:
        raise SplitError(f"{name} cannot be read as Rust:\n{diags.render()}")
    items: list[Item] = []
    i, prev_end = 0, 0
    while i < len(tokens):
        start = i
        i, kind = _header(tokens, i)
        depth = 0
        end_tok = None
        if kind == "inner":
            end_tok = i if tokens[i].type == "DOC" else _skip_group(tokens, i + 2)
            i = len(tokens)  # skip the scan below
        while i < len(tokens):
            t = tokens[i]
            if t.type in OPEN:
                depth += 1
            elif t.type in CLOSE:
                depth -= 1
                if depth < 0:
                    raise SplitError(f"{name}: unbalanced `{t.value}` at offset {t.start_pos}")
                nxt = tokens[i + 1].type if i + 1 < len(tokens) else None
                if depth == 0 and t.type == "RBRACE" and nxt not in ("SEMI", "DOT", "QMARK"):
                    end_tok = i
                    break
            elif t.type == "SEMI" and depth == 0:
                end_tok = i
                break
            i += 1
        if end_tok is None:
            raise SplitError(f"{name}: the item at offset {tokens[start].start_pos} never ends")
        end = tokens[end_tok].end_pos
        idents = frozenset(t.value for t in tokens[start : end_tok + 1] if t.type == "IDENT")
        items.append(Item(kind, text[prev_end:end], idents))
        prev_end = end
        i = end_tok + 1
    if prev_end < len(text) and items:
        items[-1].text += text[prev_end:]
    return items


def _header(tokens, i: int) -> tuple[int, str]:
    """Skips outer attributes and doc comments; returns where the item proper starts and
    its kind. An inner attribute (`#![..]`) or inner doc comment is an item of its own."""
    n = len(tokens)
    if tokens[i].type == "HASH" and i + 1 < n and tokens[i + 1].type == "BANG":
        return i, "inner"
    if tokens[i].type == "DOC" and str(tokens[i].value).startswith(("//!", "/*!")):
        return i, "inner"
    j = i
    while j < n:
        t = tokens[j]
        if t.type == "DOC":
            j += 1
        elif t.type == "HASH" and j + 1 < n and tokens[j + 1].type == "LSQB":
            j = _skip_group(tokens, j + 1) + 1
        else:
            break
    k = j
    while k < n and tokens[k].type in ("PUB", "UNSAFE", "ASYNC", "CONST", "EXTERN", "STRING"):
        if tokens[k].type == "PUB" and k + 1 < n and tokens[k + 1].type == "LPAR":
            k = _skip_group(tokens, k + 1)
        elif tokens[k].type == "CONST" and k + 1 < n and tokens[k + 1].type == "IDENT":
            return j, "other"  # `const NAME: T = ..;`
        k += 1
    kind = {"STRUCT": "struct", "ENUM": "enum", "TYPE": "type", "TRAIT": "trait", "USE": "use",
            "MOD": "mod", "IMPL": "impl", "FN": "fn"}.get(tokens[k].type if k < n else "", "other")  # fmt: skip
    return j, kind


def _skip_group(tokens, i: int) -> int:
    """`tokens[i]` opens a group; returns the index of the token that closes it."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].type in OPEN:
            depth += 1
        elif tokens[j].type in CLOSE:
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1
