"""`#[rust2go::r2g_struct_tag(json = "snake_case", ...)]`: Go struct tags computed from the
field names, as the original crate writes them. Only the tag values are converted; the Go
field keeps the IDL name."""

from __future__ import annotations

import re

from rust2go.codegen import ast
from rust2go.codegen.diagnostics import Diagnostics

TAG_PATHS = ("r2g_struct_tag", "rust2go::r2g_struct_tag")


def _words(name: str) -> list[str]:
    """`userName`, `UserName`, `user_name`, `HTTPServer2` → user/name, http/server2."""
    out: list[str] = []
    for part in re.split(r"[^A-Za-z0-9]+", name):
        out.extend(re.findall(r"[A-Z]+(?=[A-Z][a-z]|\b|_|$)|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+", part))
    return [w.lower() for w in out if w]


def _cap(w: str) -> str:
    return w[:1].upper() + w[1:]


CONVENTIONS = {
    "snake_case": lambda ws: "_".join(ws),
    "lowerCamelCase": lambda ws: ws[0] + "".join(_cap(w) for w in ws[1:]) if ws else "",
    "UpperCamelCase": lambda ws: "".join(_cap(w) for w in ws),
    "kebab-case": lambda ws: "-".join(ws),
    "SHOUTY_SNAKE_CASE": lambda ws: "_".join(w.upper() for w in ws),
    "SHOUTY-KEBAB-CASE": lambda ws: "-".join(w.upper() for w in ws),
    "Title Case": lambda ws: " ".join(_cap(w) for w in ws),
    "Train-Case": lambda ws: "-".join(_cap(w) for w in ws),
}


def convert(name: str, convention: str) -> str:
    return CONVENTIONS[convention](_words(name))


def struct_tags(attrs: ast.Attrs, diags: Diagnostics) -> list[tuple[str, str]] | None:
    """The (tag key, convention) pairs of a struct's tag attributes; None on an error."""
    out: list[tuple[str, str]] = []
    ok = True
    for a in attrs.attrs:
        if a.path not in TAG_PATHS:
            continue
        pairs = _pairs(a.args or [])
        if pairs is None or not pairs:
            diags.error("struct-tag-syntax", a.span,
                        hint='write `#[rust2go::r2g_struct_tag(json = "snake_case", yaml = "lowerCamelCase")]`')  # fmt: skip
            ok = False
            continue
        for key, value, tok in pairs:
            if value not in CONVENTIONS:
                diags.error("struct-tag-convention", tok.span, value=value,
                            hint="conventions: " + ", ".join(f'"{c}"' for c in CONVENTIONS))  # fmt: skip
                ok = False
            elif any(k == key for k, _ in out):
                diags.error("struct-tag-twice", tok.span, key=key, hint="give each tag key once")
                ok = False
            else:
                out.append((key, value))
    return out if ok else None


def _pairs(toks: list[ast.Tok]) -> list[tuple[str, str, ast.Tok]] | None:
    out = []
    i = 0
    while i < len(toks):
        if (i + 2 >= len(toks) or toks[i].kind != "IDENT" or toks[i + 1].kind != "EQ"
                or toks[i + 2].kind != "STRING"):  # fmt: skip
            return None
        out.append((toks[i].value, toks[i + 2].value[1:-1], toks[i + 2]))
        i += 3
        if i < len(toks):
            if toks[i].kind != "COMMA":
                return None
            i += 1
    return out
