"""Line-preserving edits of Cargo.toml, go.mod and go.sum: remove the original crate and
its Go module, touch nothing else (comments, order and formatting stay)."""

from __future__ import annotations

import re

# The original's crates a migrated crate no longer needs.
CRATES = ("rust2go", "rust2go-mem-ffi", "rust2go-convert", "rust2go-cli", "mem-ring")
GO_MODULE = "github.com/ihciah/rust2go"
DEP_TABLES = ("dependencies", "build-dependencies", "dev-dependencies")
_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*(?:\.\s*[A-Za-z0-9_-]+\s*)*=")


def _balance(line: str) -> int:
    line = re.sub(r'"(?:[^"\\]|\\.)*"', "", line.split("#")[0])
    return line.count("{") + line.count("[") - line.count("}") - line.count("]")


def drop_crates(text: str) -> tuple[str, list[str]]:
    """Cargo.toml without the original's crates in any dependency table (inline, dotted or
    `[dependencies.rust2go]` form); returns the text and what was removed."""
    out: list[str] = []
    removed: list[str] = []
    table, skipping_table, depth = "", False, 0
    for line in text.splitlines(keepends=True):
        if depth > 0:  # the rest of a multi-line value being removed
            depth += _balance(line)
            continue
        header = _HEADER.match(line)
        if header:
            table = header.group(1).replace(" ", "")
            parts = table.rsplit(".", 1)
            skipping_table = len(parts) == 2 and parts[0].split(".")[-1] in DEP_TABLES \
                and parts[1] in CRATES  # fmt: skip
            if skipping_table:
                removed.append(f"[{table}]")
                continue
        elif skipping_table:
            continue
        key = _KEY.match(line)
        if key and table.split(".")[-1] in DEP_TABLES and key.group(1) in CRATES:
            removed.append(f"{key.group(1)} from [{table}]")
            depth = _balance(line)
            continue
        out.append(line)
    return _drop_empty_tables("".join(out)), removed


def _drop_empty_tables(text: str) -> str:
    """A dependency table left with no entries (only blank lines) goes too."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    i = 0
    while i < len(lines):
        header = _HEADER.match(lines[i])
        if header and header.group(1).replace(" ", "") in DEP_TABLES:
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j == len(lines) or _HEADER.match(lines[j]):
                i = j
                continue
        out.append(lines[i])
        i += 1
    return "".join(out)


def drop_go_module(go_mod: str) -> tuple[str, bool]:
    """go.mod without the original's Go module (a `require` line, or a line of a
    `require (...)` block; an emptied block goes too)."""
    out: list[str] = []
    block: list[str] | None = None
    removed = False
    for line in go_mod.splitlines(keepends=True):
        stripped = line.strip()
        if block is not None:
            if stripped == ")":
                if any(b.strip() and not b.strip().startswith("//") for b in block[1:]):
                    out.extend(block)
                    out.append(line)
                block = None
            elif stripped.startswith(GO_MODULE + " "):
                removed = True
            else:
                block.append(line)
            continue
        if re.match(r"require\s*\($", stripped):
            block = [line]
            continue
        if stripped.startswith(f"require {GO_MODULE} "):
            removed = True
            continue
        out.append(line)
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).rstrip("\n") + "\n", removed


def drop_go_sums(go_sum: str) -> tuple[str, int]:
    kept = [ln for ln in go_sum.splitlines(keepends=True) if not ln.startswith(GO_MODULE + " ")]
    return "".join(kept), len(go_sum.splitlines()) - len(kept)


def crate_type(cargo_toml: str) -> list[str]:
    """The `[lib] crate-type` list ([] for a binary or a plain lib)."""
    m = re.search(r"^\s*\[\s*lib\s*\](.*?)(?=^\s*\[|\Z)", cargo_toml, re.S | re.M)
    if not m:
        return []
    t = re.search(r"crate-type\s*=\s*\[([^\]]*)\]", m.group(1))
    return re.findall(r'"([^"]+)"', t.group(1)) if t else []


def package_name(cargo_toml: str) -> str | None:
    m = re.search(r'^\s*\[\s*package\s*\].*?^\s*name\s*=\s*"([^"]+)"', cargo_toml, re.S | re.M)
    return m.group(1) if m else None
