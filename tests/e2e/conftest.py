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


@pytest.fixture(scope="session")
def bidir_crate() -> Crate:
    for tool in ("go", "cargo", "gofmt", "rustfmt"):
        need(tool)
    # The roundtrip fixture's types (every kind the IDL has) and its random values serve
    # here too; only the traits differ.
    roundtrip = FIXTURES / "roundtrip"
    types = (roundtrip / "idl" / "api.rs").read_text().split("#[rust2go::r2g]")[0]
    traits = (FIXTURES / "bidir" / "idl" / "traits.rs").read_text()
    files = {"idl/api.rs": types + traits, "src/rng.rs": (roundtrip / "src" / "rng.rs").read_text()}
    return prepare(FIXTURES / "bidir", "r2g_e2e_bidir", "idl/api.rs", "src/api.rs", files=files)
