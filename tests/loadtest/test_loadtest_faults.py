"""Each fault option visibly happens, and the counts stay exact."""

from __future__ import annotations

from conftest import ok_report

SHM = ("--transport", "python-shm")


def test_cancel_rate_cancels_calls_exactly(loadtest):
    # Where a cancellation lands is up to the scheduler: every run must be exact, and at
    # least one of a few runs must show the interesting case (dropped while the callee
    # held the call, so the slot went ABANDONED); 50 µs of handler work makes that window
    # wide enough that one run nearly always shows it.
    abandoned = 0
    for _ in range(3):
        rep = ok_report(loadtest, *SHM, "--concurrency", "8", "--calls", "2000",
                        "--cancel-rate", "0.3", "--service-us", "50")  # fmt: skip
        c, f = rep["counts"], rep["faults"]
        assert c["issued"] == 2000
        assert c["cancelled"] > 0 and f["cancel_attempts"] >= c["cancelled"]
        assert c["completed"] + c["cancelled"] == 2000
        assert all(ch["ok"] for ch in rep["checks"])  # slots FREE, /dev/shm clean
        abandoned = f["abandoned"]
        if abandoned:
            break
    assert abandoned > 0, "no cancellation ever landed while the callee held a call"


def test_kill_peer_restarts_callee_and_calls_resume(loadtest):
    rep = ok_report(loadtest, *SHM, "--concurrency", "4", "--duration", "1.6",
                    "--kill-peer-at", "0.5", "--service-us", "1000")  # fmt: skip
    kill = rep["faults"]["kill_peer"]
    assert kill["new_pid"] != kill["old_pid"]
    assert rep["faults"]["peer_pids"] == sorted([kill["old_pid"], kill["new_pid"]])
    assert kill["detected"] and kill["pending_failed_within_ms"] <= 100
    # 1 ms in the callee per call: the kill finds calls in its hands. The report counts the
    # calls the kill failed, as the counts do.
    assert 0 < kill["failed_by_kill"] == rep["counts"]["failed"]
    assert rep["faults"]["completed_after_restart"] > 0
    names = {c["name"]: c["ok"] for c in rep["checks"]}
    assert names["pending-fail-fast"] and names["calls-after-restart"] and names["shm-clean"]


def test_small_ring_forces_backpressure_without_loss(loadtest):
    # A fast callee can keep a 2-cell ring from ever filling; 300 µs of handler work per
    # call cannot: it takes a batch, and the other callers' requests find the ring full.
    rep = ok_report(loadtest, *SHM, "--concurrency", "8", "--calls", "400", "--ring-size", "2",
                    "--service-us", "300")  # fmt: skip
    assert rep["config"]["service_us"] == 300
    assert rep["faults"]["ring_full_waits"] > 0
    assert rep["counts"]["completed"] == 400


def test_service_time_reaches_the_go_callee(loadtest):
    # Every call spins 2 ms in the Go handler, so no call can take less (a lower bound: a
    # loaded machine only makes it slower).
    rep = ok_report(loadtest, "--transport", "cgo-sync", "--calls", "50", "--service-us", "2000")
    assert rep["counts"]["completed"] == 50
    assert rep["latency_ns"]["min"] >= 2_000_000, rep["latency_ns"]


def test_fault_options_refused_where_they_cannot_apply(loadtest):
    for extra in (["--cancel-rate", "0.5"], ["--kill-peer-at", "1"], ["--ring-size", "4"]):
        r = loadtest("--transport", "cgo-sync", "--calls", "10", *extra)
        assert r.code == 2, (extra, r.err)
        assert "usage error" in r.err
    r = loadtest(*SHM, "--calls", "10", "--ring-size", "3")
    assert r.code == 2 and "power of two" in r.err
