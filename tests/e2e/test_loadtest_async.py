"""`rust2go loadtest --transport cgo-async`: the generated async binding under a tokio
caller, with futures dropped at random; exact accounting and every slot freed."""

from __future__ import annotations

import json
import sys

import pytest

from tests.e2e.crates import ROOT, run

pytestmark = pytest.mark.e2e


def loadtest(*args: str) -> dict:
    out = run([sys.executable, "-m", "rust2go", "loadtest", "--transport", "cgo-async", *args,
               "--json"], ROOT).stdout  # fmt: skip
    return json.loads(out)


def test_cgo_async_run_is_exact():
    rep = loadtest("--concurrency", "256", "--calls", "50000")
    assert rep["status"] == "ok", rep
    assert rep["counts"]["completed"] == 50000


def test_cgo_async_cancel_rate_accounts_every_call_and_frees_every_slot():
    rep = loadtest("--concurrency", "256", "--calls", "50000", "--cancel-rate", "0.5")
    c = rep["counts"]
    assert rep["status"] == "ok", rep  # the harness exits 1 when live slots stay above 0
    assert c["completed"] + c["cancelled"] == 50000 and c["cancelled"] > 10000
    assert c["failed"] == c["lost"] == c["duplicated"] == c["mismatched"] == 0
    assert rep["faults"]["cancel_attempts"] >= c["cancelled"]
