"""Load-test suite helpers: run `rust2go loadtest` in process and read its JSON report.

Harnesses are cached on disk by content hash (loadtest/cache.py); the
session-scoped fixture builds the cgo-sync one once so every later test reuses it."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from rust2go.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def report(self) -> dict:
        return json.loads(self.out)


@pytest.fixture
def loadtest(capsys):
    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main(["loadtest", *args])
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


@pytest.fixture(scope="session")
def cgo_sync_harness():
    """Build (or find) the default cgo-sync harness once per session."""
    from rust2go.loadtest import runner
    from rust2go.loadtest.transports.base import RunSpec

    spec = RunSpec("cgo-sync", concurrency=1, payload=8, duration=None, calls=1)
    _, _, harness = runner.prepare(spec, runner.resolve_target("cgo-sync", None, None), print)
    return harness


def assert_exact(report: dict, calls: int | None = None) -> None:
    c = report["counts"]
    assert (c["lost"], c["duplicated"], c["mismatched"]) == (0, 0, 0), c
    assert c["issued"] == sum(c[k] for k in c if k != "issued"), c
    if calls is not None:
        assert c["issued"] == calls, c


def ok_report(loadtest, *args: str) -> dict:
    """Run with --json, require exit 0 and exact counts, return the report."""
    r = loadtest(*args, "--json")
    failed = [c for c in (r.report or {}).get("checks", []) if not c.get("ok")]
    assert r.code == 0, (r.err, failed, (r.report or {}).get("faults"))
    assert_exact(r.report)
    return r.report
