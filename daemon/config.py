"""The watch configuration: which IDL files to watch and where their outputs go.

Read from `rust2go.toml` (top level) or from `[package.metadata.rust2go]` /
`[workspace.metadata.rust2go]` in `Cargo.toml`; the schema is the same in all three
places and documented in docs/watch.md. Every error names the file and the key, so a typo
in a long-running daemon's config is a one-line fix rather than a traceback.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rust2go import gomod
from rust2go.codegen.api import GenerateOptions

CONFIG_NAME = "rust2go.toml"
CARGO_NAME = "Cargo.toml"
CARGO_TABLES = (("package", "metadata", "rust2go"), ("workspace", "metadata", "rust2go"))

OPTION_TYPES: dict[str, type] = {
    "go_package": str,
    "go118": bool,
    "without_main": bool,
    "fmt": bool,
}
INPUT_KEYS = {"idl", "go", "rust", *OPTION_TYPES}
WATCH_TYPES: dict[str, type] = {
    "then": str, "then_grace_ms": int, "debounce_ms": int, "ceiling_ms": int, "poll_ms": int,
    "sources": list,
}  # fmt: skip
TOP_KEYS = {"input", "defaults", "watch"}


class ConfigError(Exception):
    """A config problem, rendered as `path: key: message` (key may be empty)."""

    def __init__(self, path: Path, key: str, message: str):
        self.path, self.key, self.message = path, key, message
        where = f"{path}: {key}: " if key else f"{path}: "
        super().__init__(where + message)


@dataclass(frozen=True)
class Target:
    """One IDL file and the files generated from it. Paths are absolute."""

    idl: Path
    go: Path | None
    rust: Path | None
    options: GenerateOptions

    @property
    def outputs(self) -> tuple[Path, ...]:
        return tuple(p for p in (self.go, self.rust) if p is not None)


def shown(path: Path, root: Path) -> str:
    """A path as the daemon's messages show it: relative to the project when inside it."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class WatchSettings:
    then: str | None = None  # shell command run after each successful regeneration
    then_grace_ms: int = 2000  # a cancelled command gets SIGINT, then SIGKILL this much later
    debounce_ms: int = 50  # quiet window: regenerate once events stop for this long
    ceiling_ms: int = 1600  # ...but never wait longer than this during a long burst
    poll_ms: int = 250  # --poll: how often directories are scanned
    # Files and directories (relative to the project root) whose changes rerun `then`
    # without regenerating anything; None: the crate's usual places (watch_plan.py).
    sources: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Config:
    path: Path  # the file the config was read from
    root: Path  # the project directory (the config file's directory)
    targets: tuple[Target, ...]
    watch: WatchSettings


def load_config(path: Path) -> Config:
    """Read and validate the config in `path` (a rust2go.toml or a Cargo.toml)."""
    path = Path(os.path.abspath(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, "", "no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(path, "", f"cannot read: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(path, "", f"invalid TOML: {e}") from None
    if path.name == CARGO_NAME:
        table, prefix = cargo_table(data)
        if table is None:
            raise ConfigError(path, "package.metadata.rust2go", "missing table")
    else:
        table, prefix = data, ""
    return parse_config(table, path, prefix)


def cargo_table(data: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The rust2go table of a parsed Cargo.toml and its dotted key, or (None, "")."""
    for keys in CARGO_TABLES:
        node: Any = data
        for k in keys:
            node = node.get(k) if isinstance(node, dict) else None
        if isinstance(node, dict):
            return node, ".".join(keys) + "."
    return None, ""


def parse_config(table: dict[str, Any], path: Path, prefix: str = "") -> Config:
    root = path.parent
    check_keys(table, TOP_KEYS, path, prefix)
    defaults = table.get("defaults", {})
    expect(defaults, dict, path, prefix + "defaults")
    check_keys(defaults, set(OPTION_TYPES), path, prefix + "defaults.")
    for name, value in defaults.items():
        expect(value, OPTION_TYPES[name], path, f"{prefix}defaults.{name}")
    inputs = table.get("input")
    if inputs is None:
        raise ConfigError(path, prefix + "input", "missing: add at least one [[input]] table")
    expect(inputs, list, path, prefix + "input")
    targets = tuple(
        parse_input(item, defaults, root, path, f"{prefix}input[{i}]")
        for i, item in enumerate(inputs)
    )
    if not targets:
        raise ConfigError(path, prefix + "input", "empty: add at least one [[input]] table")
    check_distinct(targets, path, prefix)
    return Config(path, root, targets, parse_watch(table.get("watch", {}), path, prefix))


def parse_input(item: Any, defaults: dict, root: Path, path: Path, key: str) -> Target:
    expect(item, dict, path, key)
    check_keys(item, INPUT_KEYS, path, key + ".")
    if "idl" not in item:
        raise ConfigError(path, key + ".idl", "missing: the IDL file to watch")
    if "go" not in item and "rust" not in item:
        raise ConfigError(path, key, "needs `go` or `rust` (or both): where to write the bindings")
    files = {}
    for name in ("idl", "go", "rust"):
        if name in item:
            expect(item[name], str, path, f"{key}.{name}")
            files[name] = Path(os.path.normpath(root / item[name]))
    for name, ty in OPTION_TYPES.items():
        if name in item:
            expect(item[name], ty, path, f"{key}.{name}")
    options = {name: item.get(name, defaults.get(name)) for name in OPTION_TYPES}
    options = {name: value for name, value in options.items() if value is not None}
    # As `rust2go generate` does: the go.mod beside the Go output completes the options.
    completed, _ = gomod.options_for(GenerateOptions(**options), files.get("go"))
    return Target(files["idl"], files.get("go"), files.get("rust"), completed)


def parse_watch(table: Any, path: Path, prefix: str) -> WatchSettings:
    key = prefix + "watch"
    expect(table, dict, path, key)
    check_keys(table, set(WATCH_TYPES), path, key + ".")
    for name, ty in WATCH_TYPES.items():
        if name in table:
            expect(table[name], ty, path, f"{key}.{name}")
            if ty is int and table[name] <= 0:
                raise ConfigError(path, f"{key}.{name}", "must be a positive number")
    settings = dict(table)
    if "sources" in table:
        for i, item in enumerate(table["sources"]):
            if not isinstance(item, str):
                raise ConfigError(path, f"{key}.sources[{i}]",
                                  f"expected a path (a string), found {toml_repr(item)}")  # fmt: skip
        settings["sources"] = tuple(table["sources"])
    return WatchSettings(**settings)


def check_distinct(targets: tuple[Target, ...], path: Path, prefix: str) -> None:
    """Two inputs writing one file, or an output overwriting an IDL, would make the daemon
    fight itself; refuse such configs up front."""
    idls = {t.idl for t in targets}
    seen: dict[Path, int] = {}
    for i, t in enumerate(targets):
        for out in t.outputs:
            key = f"{prefix}input[{i}]"
            if out in idls:
                raise ConfigError(path, key, f"output {out} is also an IDL input")
            if out in seen:
                raise ConfigError(
                    path, key, f"output {out} is already written by input[{seen[out]}]"
                )
            seen[out] = i


def expect(value: Any, ty: type, path: Path, key: str) -> None:
    # bool is a subclass of int in Python; TOML keeps them apart, so do we.
    ok = isinstance(value, ty) and not (ty is int and isinstance(value, bool))
    if not ok:
        raise ConfigError(path, key, f"expected {TYPE_NAMES[ty]}, found {toml_repr(value)}")


TYPE_NAMES = {str: "a string", bool: "true or false", int: "an integer", dict: "a table",
              list: "an array"}  # fmt: skip


def toml_repr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return repr(value)


def check_keys(table: dict[str, Any], allowed: set[str], path: Path, prefix: str) -> None:
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            raise ConfigError(path, prefix + key, f"unknown key{hint}")
