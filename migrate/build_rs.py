"""Reads the original crate's `build.rs`: a `rust2go::Builder` chain, as its users write it,
and what it asks for (where the Go package is, where the IDL and the generated Go file
are, `go118`, `without_main`, the link kind). Anything else in the file means the build
script does more than the Builder: it is then left alone and the user told what to do."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
_STR = r'"((?:[^"\\]|\\.)*)"'
_MAIN = re.compile(r"^\s*(?:use\s+[^;]*;\s*)*fn\s+main\s*\(\s*\)\s*\{(?P<body>.*)\}\s*$", re.S)
_CHAIN = re.compile(r"^\s*(?:::)?rust2go\s*::\s*Builder\s*::\s*(?:new|default)\s*\(\s*\)(?P<calls>.*?)"
                    r"\.\s*build\s*\(\s*\)\s*;?\s*$", re.S)  # fmt: skip
_CALL = re.compile(r"\.\s*(\w+)\s*\(")
_FIELD = re.compile(r"(\w+)\s*:\s*(" + _STR + r"(?:\s*\.\s*(?:into|to_string|to_owned)\s*\(\s*\))?"
                    r"|true|false)")  # fmt: skip


@dataclass
class BuilderSettings:
    go_src: str | None = None
    idl: str | None = None  # RegenArgs.src / with_regen's first argument
    go_out: str | None = None  # RegenArgs.dst
    go118: bool = False
    without_main: bool = False
    dynamic: bool = False
    notes: list[str] = field(default_factory=list)  # settings kept only as a note


class Unrecognised(Exception):
    """The build script is not a plain Builder chain; the message says what was found."""


def read_builder(text: str) -> BuilderSettings:
    code = _COMMENTS.sub("", text)
    main = _MAIN.match(code)
    if not main:
        raise Unrecognised(
            "it is not a single `fn main` (with `use` lines) calling rust2go's Builder"
        )
    chain = _CHAIN.match(main.group("body"))
    if not chain:
        raise Unrecognised("`fn main` does more than one `rust2go::Builder::new()...build()` chain")
    settings = BuilderSettings()
    calls, at = chain.group("calls"), 0
    while calls[at:].strip():
        m = _CALL.match(calls, at + len(calls[at:]) - len(calls[at:].lstrip()))
        if not m:
            raise Unrecognised(f"unexpected `{calls[at:].strip()[:40]}` in the Builder chain")
        args, at = _args(calls, m.end() - 1)
        _apply(settings, m.group(1), args)
    return settings


def _args(text: str, open_at: int) -> tuple[str, int]:
    """The text between the parenthesis at `open_at` and its match, and where it ends."""
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] in "({[":
            depth += 1
        elif text[i] in ")}]":
            depth -= 1
            if depth == 0:
                return text[open_at + 1 : i], i + 1
    raise Unrecognised("a call in the Builder chain is not closed")


def _string(args: str) -> str:
    m = re.match(r"\s*" + _STR, args)
    if not m:
        raise Unrecognised(f"expected a string literal, found `{args.strip()}`")
    return m.group(1)


def _apply(s: BuilderSettings, name: str, args: str) -> None:
    match name:
        case "with_go_src":
            s.go_src = _string(args)
        case "with_regen":
            parts = re.findall(_STR, args)
            if len(parts) != 2:
                raise Unrecognised("`with_regen` takes two string literals (src, dst)")
            s.idl, s.go_out = parts
        case "with_regen_arg":
            fields = {k: v for k, v, _ in _FIELD.findall(args)}
            for key, value in fields.items():
                literal = re.match(_STR, value)
                match key:
                    case "src":
                        s.idl = literal.group(1) if literal else None
                    case "dst":
                        s.go_out = literal.group(1) if literal else None
                    case "go118" | "without_main":
                        setattr(s, key, value == "true")
                    case "no_fmt":
                        pass
                    case _:
                        s.notes.append(
                            f"RegenArgs field `{key}` has no counterpart and was dropped"
                        )
            if s.idl is None or s.go_out is None:
                raise Unrecognised("`RegenArgs` without string literal `src` and `dst`")
        case "with_link":
            s.dynamic = "Dynamic" in args
        case "with_binding":
            s.notes.append("`with_binding` names bindgen's output, which is no longer needed")
        case "with_copy_lib":
            s.notes.append("`with_copy_lib` was dropped: the dynamic Go library is linked in "
                           "place with an rpath")  # fmt: skip
        case "with_go_compiler" | "with_go" | "with_compiler":
            s.notes.append(f"`{name}` was dropped: set GO=/path/to/go for a different Go")
        case _:
            raise Unrecognised(f"the Builder chain calls `{name}`, which migrate does not know")
