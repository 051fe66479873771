"""A short load run per transport: exit 0, every reply verified, nothing lost."""

from __future__ import annotations

from conftest import assert_exact

from rust2go.loadtest.transports import REGISTRY


def test_cgo_sync_short_run(loadtest, cgo_sync_harness):
    r = loadtest("--transport", "cgo-sync", "--concurrency", "2", "--calls", "20000",
                 "--payload", "100", "--json")  # fmt: skip
    assert r.code == 0, r.err
    rep = r.report
    assert_exact(rep, calls=20000)
    assert rep["counts"]["completed"] == 20000
    assert rep["latency_ns"]["p50"] > 0


def test_cgo_sync_duration_run_streams_ticks(loadtest, cgo_sync_harness):
    r = loadtest("--transport", "cgo-sync", "--concurrency", "2", "--duration", "0.8", "--json")
    assert r.code == 0, r.err
    rep = r.report
    assert_exact(rep)
    assert len(rep["timeline"]) >= 2  # one tick per ~250 ms
    assert sum(p["calls_per_s"] for p in rep["timeline"]) > 0


def test_python_shm_short_run(loadtest):
    r = loadtest("--transport", "python-shm", "--concurrency", "4", "--calls", "2000", "--json")
    assert r.code == 0, r.err
    rep = r.report
    assert_exact(rep, calls=2000)
    assert rep["counts"]["completed"] == 2000
    assert {c["name"] for c in rep["checks"]} >= {"slots-free", "shm-clean", "exactly-once"}


def test_every_transport_is_registered():
    assert set(REGISTRY) == {"cgo-sync", "cgo-async", "shm-inproc", "shm-xproc", "python-shm"}
