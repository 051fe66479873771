"""The fixed Go shm callee (codegen/support/go/shm/) on its own: joined into one package
as the generator joins it (gen.py), then `go vet` and its unit tests (shm_test.go)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.crates import tool_env
from tests.support_go_shm.gen import write

HERE = Path(__file__).parent


@pytest.fixture(scope="module", autouse=True)
def package() -> None:
    write()


def go(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["go", *args], cwd=HERE, capture_output=True, text=True,
                          env=tool_env(), timeout=900)  # fmt: skip


def test_callee_is_vet_clean() -> None:
    r = go("vet", ".")
    assert r.returncode == 0, r.stderr


def test_callee_unit_tests_pass() -> None:
    r = go("test", "-count=1", "-v", ".")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("--- PASS") == 21, r.stdout
