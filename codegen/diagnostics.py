"""Diagnostics as data: a catalogue of messages referred to by code, accumulated in a
`Diagnostics` sink, sorted by position and rendered like a compiler:

    error[unknown-type]: unknown type `Strng`
      --> src/user.rs:4:12
       |
     4 |     name: Strng,
       |           ^^^^^
       = hint: did you mean `String`?
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from rust2go.codegen.source import Span


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


# code -> headline template. Headlines are short and lower-case; details go in the hint.
CATALOGUE: dict[str, str] = {
    # lexing / parsing
    "unterminated-string": "unterminated string literal",
    "unterminated-comment": "unterminated block comment",
    "unterminated-char": "unterminated character literal",
    "unknown-character": "unexpected character `{ch}`",
    "unexpected-token": "expected {expected}, found {found}",
    "unexpected-eof": "unexpected end of file, expected {expected}",
    "too-many-errors": "parsing stopped after {count} syntax errors",
    "invalid-utf8": "file is not valid UTF-8",
    # items
    "duplicate-item": "the name `{name}` is defined more than once",
    "duplicate-field": "field `{name}` is declared more than once in `{owner}`",
    "duplicate-method": "method `{name}` is declared more than once in trait `{owner}`",
    "duplicate-variant": "variant `{name}` is declared more than once in enum `{owner}`",
    "duplicate-discriminant": "discriminant {value} is used twice in enum `{owner}`",
    "tuple-struct": "struct `{name}` has unnamed fields",
    "unit-struct": "struct `{name}` has no fields block",
    "generic-item": "`{name}` has generic parameters",
    "enum-with-data": "enum variant `{owner}::{name}` carries data",
    "bad-discriminant": "discriminant of `{owner}::{name}` must be an integer literal",
    "discriminant-range": "discriminant {value} of `{owner}::{name}` does not fit in `{repr}`",
    "bad-enum-repr": "unsupported enum representation `{repr}`",
    "empty-enum": "enum `{name}` has no variants",
    # types
    "unknown-type": "unknown type `{name}`",
    "unsupported-type": "unsupported type `{name}`",
    "qualified-path": "type paths must be a single name, found `{name}`",
    "wrong-type-args": "`{name}` takes {expected}, found {found}",
    "bad-map-key": "map key type `{name}` is not supported",
    "result-position": "`Result` is only allowed as a method return type",
    "result-error-type": "the error type of `Result` must be `String`, found `{name}`",
    "reference-type": "reference types are only allowed as method parameters",
    "mut-reference": "`&mut` parameters are not supported",
    "lifetime-in-type": "lifetimes are not supported in IDL types",
    "recursive-struct": "struct `{name}` contains itself without indirection",
    "recursive-alias": "type alias `{name}` refers to itself",
    "alias-too-deep": "type alias `{name}` expands through more than {max} aliases",
    # traits and methods
    "trait-item": "traits may only contain methods, found {what}",
    "self-param": "IDL methods take no `self` parameter",
    "bad-param-pattern": "parameters must be plain names",
    "method-body": "IDL trait methods must not have a default body",
    "generic-method": "method `{name}` has generic parameters",
    "unit-return": "write no return type instead of `-> ()`",
    "async-impl-future": "`async fn` cannot also return `impl Future`",
    "async-no-return": "async method `{name}` must return a value",
    "bad-future": "`impl` return types must be `impl Future<Output = T>`",
    "drop-safe-ref": "`#[{attr}]` methods must take owned parameters, `{param}` is a reference",
    "drop-safe-sync": "`#[{attr}]` only applies to async methods; ignored here",
    "drop-safe-both": "`#[drop_safe]` and `#[drop_safe_ret]` cannot be combined",
    "send-sync": "`#[send]` only applies to async methods; ignored here",
    "shm-g2r": "`#[{attr}]` is not supported on Go→Rust traits",
    "cgo-callback-oneway": "`#[{attr}]` has no effect on a method without a return value",
    "attr-args": "attribute `#[{name}]` takes no arguments",
    "go-type-name": "`{name}` cannot name a type: the generated Go package needs that name",
    "type-too-deep": "type arguments nest more than {max} deep",
    "struct-tag-syntax": '`r2g_struct_tag` takes `key = "convention"` pairs',
    "struct-tag-convention": 'unknown naming convention "{value}"',
    "struct-tag-twice": "tag `{key}` is given twice",
    "unknown-attribute": "unknown attribute `#[{name}]` is ignored",
    "unknown-trait-arg": "unknown `{macro}` argument `{name}`",
    "bad-queue-size": "`queue_size` must be a positive integer, found `{value}`",
    "queue-size-too-large": "`queue_size` {value} is larger than {max}",
    "bad-trait-arg": "malformed `{macro}` argument",
    "g2r-async": "Go→Rust methods cannot be async",
    "keyword-clash": "`{name}` is a keyword in {lang}",
    "reserved-prefix": "`{name}` uses the reserved prefix `{prefix}`",
    "shadows-builtin": "`{name}` shadows the built-in type of the same name",
    "generated-name-clash": "`{name}` clashes with the name generated for {other}",
    "go-generated-name": "`{name}` ({what}) is a name the generated Go package needs for itself",
    "duplicate-param": "parameter `{name}` is declared more than once",
    "vet-method-name": "`{name}` cannot name a method: `go vet` holds a Go method of that name to the signature of the standard one",
    "shm-method-name": "`{name}` cannot name a shared-memory method: the generated client `{client}` has a method of that name",
    "variant-param": "`{name}` cannot name a parameter: Rust reads it as the enum variant `{name}`",
    "no-traits": "no `#[r2g]` trait found",
    # back ends
}


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: Severity
    span: Span | None  # None: the whole file (e.g. not UTF-8)
    message: str
    hint: str | None = None
    path: str = ""

    @property
    def sort_key(self) -> tuple[int, int, str]:
        return (self.span.start if self.span else -1, 0 if self.is_error else 1, self.code)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def render(self, color: bool = False) -> str:
        return render(self, color)


@dataclass
class Diagnostics:
    """The one sink every phase reports into. Phases check `has_errors` between them."""

    items: list[Diagnostic] = field(default_factory=list)
    syntax_errors: int = 0  # counted by the parser, which stops at its limit

    def error(self, code: str, span: Span | None, hint: str | None = None, **args: object) -> None:
        self._add(code, Severity.ERROR, span, hint, args)

    def warning(
        self, code: str, span: Span | None, hint: str | None = None, **args: object
    ) -> None:
        self._add(code, Severity.WARNING, span, hint, args)

    def _add(
        self, code: str, sev: Severity, span: Span | None, hint: str | None, args: dict
    ) -> None:
        message = CATALOGUE[code].format(**args)
        path = span.file.name if span else ""
        self.items.append(Diagnostic(code, sev, span, message, hint, path))

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        seen: set[tuple] = set()
        out = []
        for d in sorted(self.items, key=lambda d: d.sort_key):
            key = (d.code, d.span.start if d.span else None, d.message)
            if key not in seen:  # the same fault reached by two routes is reported once
                seen.add(key)
                out.append(d)
        return out

    def render(self, color: bool = False) -> str:
        return "".join(d.render(color) for d in self.sorted())


class DiagnosticError(Exception):
    """Raised by the public API when an IDL has errors. `diagnostics` holds every error and
    warning found in the file, sorted by position."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        errors = sum(d.is_error for d in diagnostics)
        super().__init__(f"{errors} error(s)")

    def render(self, color: bool = False) -> str:
        return "".join(d.render(color) for d in self.diagnostics)


def render(d: Diagnostic, color: bool = False) -> str:
    bold = "\x1b[1m" if color else ""
    red = "\x1b[31m" if color else ""
    yellow = "\x1b[33m" if color else ""
    blue = "\x1b[34m" if color else ""
    reset = "\x1b[0m" if color else ""
    sev_color = red if d.is_error else yellow
    out = [f"{bold}{sev_color}{d.severity.value}[{d.code}]{reset}{bold}: {d.message}{reset}\n"]
    if d.span is None:
        out.append(f"  --> {d.path}\n")
    else:
        line, col = d.span.line, d.span.col
        src = d.span.file.line_text(line)
        gutter = len(str(line))
        pad = " " * gutter
        out.append(f"{pad}{blue}--> {reset}{d.span.file.name}:{line}:{col}\n")
        out.append(f"{pad} {blue}|{reset}\n")
        out.append(f"{blue}{line} |{reset} {src.expandtabs(4)}\n")
        # Caret under the span, clipped to the first line; at least one caret (EOF spans).
        prefix = src[: col - 1].expandtabs(4)
        end_line, end_col = d.span.file.line_col(d.span.end)
        width = (end_col - col) if end_line == line else (len(src) - col + 1)
        carets = "^" * max(1, width)
        out.append(f"{pad} {blue}|{reset} {' ' * len(prefix)}{sev_color}{carets}{reset}\n")
    if d.hint:
        out.append(
            f"{' ' * (len(str(d.span.line)) if d.span else 1)} {blue}={reset} hint: {d.hint}\n"
        )
    return "".join(out)
