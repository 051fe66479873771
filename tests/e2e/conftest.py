"""Session-scoped fixture crates: each is generated and built once per pytest session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.crates import Crate, need, prepare

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def roundtrip_crate() -> Crate:
    for tool in ("go", "cargo", "gofmt", "rustfmt"):
        need(tool)
    return prepare(FIXTURES / "roundtrip", "r2g_e2e_roundtrip", "idl/api.rs", "src/api.rs")


@pytest.fixture(scope="session")
def async_crate() -> Crate:
    for tool in ("go", "cargo", "gofmt", "rustfmt"):
        need(tool)
    return prepare(FIXTURES / "async", "r2g_e2e_async", "idl/api.rs", "src/api.rs")
