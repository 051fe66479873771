"""Golden-file comparison. `UPDATE_GOLDENS=1 pytest …` rewrites the expected files;
review the diff before committing them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def check_golden(actual: str, expected_path: Path) -> None:
    if os.environ.get("UPDATE_GOLDENS"):
        expected_path.write_text(actual)
        return
    assert expected_path.exists(), f"missing golden {expected_path}; run with UPDATE_GOLDENS=1"
    expected = expected_path.read_text()
    assert actual == expected, f"output differs from {expected_path.name}:\n{actual}"


@pytest.fixture
def golden():
    return check_golden
