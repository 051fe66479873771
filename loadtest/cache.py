"""Where harnesses are built: one directory per hash of (harness IDL, transport,
generator version and sources, harness templates), reused across runs.

Root: $XDG_CACHE_HOME/rust2go/loadtest when XDG_CACHE_HOME is set, else the project's
.cache/loadtest when running from a checkout, else ~/.cache/rust2go/loadtest."""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

from rust2go import __version__

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT = PACKAGE_DIR.parent  # loadtest/ -> repo root in an editable install


def cache_root() -> Path:
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "rust2go" / "loadtest"
    if (CHECKOUT / "pyproject.toml").exists() and os.access(CHECKOUT, os.W_OK):
        return CHECKOUT / ".cache" / "loadtest"
    return Path.home() / ".cache" / "rust2go" / "loadtest"


def _tree_digest(root: Path, suffixes: frozenset[str] | None = None) -> str:
    """sha256 over (relative path, bytes) of every file under root (those ending in one
    of `suffixes` when given)."""
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and (not suffixes or p.suffix in suffixes):
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def templates_digest() -> str:
    """Editing a harness template must invalidate every cached harness."""
    return _tree_digest(PACKAGE_DIR / "templates")


@functools.cache
def generator_digest() -> str:
    """Editing the generator (its Python, templates or embedded Rust/Go support code)
    changes what a harness is built from: a version bump alone would not say so."""
    import rust2go.codegen

    root = Path(rust2go.codegen.__file__).resolve().parent
    return _tree_digest(root, frozenset({".py", ".j2", ".rs", ".go", ".lark"}))


def harness_dir(transport: str, idl_text: str) -> Path:
    parts = (idl_text, transport, __version__, templates_digest(), generator_digest())
    key = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]
    return cache_root() / f"{transport}-{key}"


def shared_cargo_target() -> Path:
    """One target dir for every harness (and the e2e fixtures), as the Makefile sets."""
    if os.environ.get("CARGO_TARGET_DIR"):
        return Path(os.environ["CARGO_TARGET_DIR"])
    return cache_root().parent / "cargo-target"


def go_cache() -> Path:
    if os.environ.get("GOCACHE"):
        return Path(os.environ["GOCACHE"])
    return cache_root().parent / "go-build"
