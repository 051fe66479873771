"""Shared pytest set-up. Toolchains are required, never optional: a missing `go` or
`cargo` fails the session instead of skipping the end-to-end tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIRED_TOOLS = ("go", "gofmt", "cargo", "rustc", "rustfmt")

# One cargo target dir and one Go build cache for every fixture crate in the session.
os.environ.setdefault("CARGO_TARGET_DIR", str(ROOT / ".cache" / "cargo-target"))
os.environ.setdefault("GOCACHE", str(ROOT / ".cache" / "go-build"))


def pytest_sessionstart(session: pytest.Session) -> None:
    missing = [t for t in REQUIRED_TOOLS if shutil.which(t) is None]
    if missing:
        raise pytest.UsageError(
            "required toolchains missing from PATH: "
            + ", ".join(missing)
            + " (the tests compile generated Go and Rust code; install them, do not skip)"
        )


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT
