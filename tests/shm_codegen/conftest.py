"""The shm codegen fixture crate, generated and built once per session (shared caches)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.crates import Crate, need, prepare

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def shm_crate() -> Crate:
    for tool in ("go", "cargo", "gofmt", "rustfmt"):
        need(tool)
    return prepare(HERE / "fixture", "r2g_shm_codegen", "idl/api.rs", "src/api.rs",
                   extra=("--python-out", "svc_shm.py"))  # fmt: skip
