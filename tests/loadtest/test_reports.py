"""--json schema, --html self-containment and its charts, the text report."""

from __future__ import annotations

import json
import re

from rust2go.loadtest.histogram import Histogram, bucket_bounds, bucket_of


def test_json_schema(loadtest, cgo_sync_harness):
    r = loadtest("--transport", "cgo-sync", "--calls", "5000", "--json")
    assert r.code == 0, r.err
    rep = r.report
    assert rep["schema"] == "rust2go.loadtest/1" and rep["ok"] is True and rep["status"] == "ok"
    assert set(rep) >= {"transport", "idl", "method", "config", "counts", "elapsed_s",
                        "throughput_per_s", "latency_ns", "latency_histogram", "timeline",
                        "faults", "checks", "notes", "machine"}  # fmt: skip
    assert set(rep["latency_ns"]) == {"p50", "p90", "p99", "p99_9", "min", "max"}
    lat = rep["latency_ns"]
    assert lat["min"] <= lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p99_9"] <= lat["max"]
    assert set(rep["machine"]) == {"cpu", "cores", "kernel", "python", "go", "rust"}
    assert rep["machine"]["go"].startswith("go version")
    h = rep["latency_histogram"]
    assert sum(c for _, c in h["buckets"]) == rep["counts"]["completed"]
    # Rust and Python bucket alike: the extremes fall in the first and last bucket.
    assert bucket_of(h["min"]) == h["buckets"][0][0] and bucket_of(h["max"]) == h["buckets"][-1][0]
    assert rep["warmup_s"] == 0 and rep["headline"] == "whole-run"  # a --calls run
    assert rep["whole_run"]["latency_ns"] == lat
    for p in rep["timeline"]:
        assert set(p) <= {"t_s", "calls_per_s", "in_flight", "errors", "p50_ns", "p99_ns",
                          "p99_9_ns", "max_ns"}  # fmt: skip
        if "p50_ns" in p:
            assert p["p50_ns"] <= p["p99_ns"] <= p["p99_9_ns"] <= p["max_ns"]
    # Compact: the histogram's buckets on one line, a line per timeline point.
    lines = r.out.splitlines()
    assert len(lines) < 120 + len(rep["timeline"]), len(lines)
    assert any(line.strip().startswith('"buckets": [[') for line in lines)


def test_html_is_self_contained_with_its_three_charts(loadtest, tmp_path, cgo_sync_harness):
    page = tmp_path / "report.html"
    r = loadtest("--transport", "cgo-sync", "--duration", "1.0", "--html", str(page))
    assert r.code == 0, r.err
    text = page.read_text()
    assert "http://" not in text and "https://" not in text
    assert not re.search(r"""(src|href)\s*=""", text)  # nothing loaded from anywhere
    for chart in ("latency-chart", "drift-chart", "throughput-chart"):
        assert f'id="{chart}"' in text, chart
    # latency by percentile; p50, p99 and p99.9 over time; throughput
    assert text.count("<svg") == 3 and text.count("<polyline") == 5
    embedded = re.search(r'<script type="application/json" id="report">(.*?)</script>', text, re.S)
    assert json.loads(embedded.group(1))["transport"] == "cgo-sync"


def test_text_report_has_percentiles_counts_and_machine(loadtest, cgo_sync_harness):
    r = loadtest("--transport", "cgo-sync", "--calls", "3000")
    assert r.code == 0, r.err
    for word in ("throughput", "p50", "p99.9", "max", "completed", "duplicated", "machine:",
                 "cores", "go version", "rustc", "Python", "PASS"):  # fmt: skip
        assert word in r.out, word


def test_a_timed_run_states_its_warm_up_and_shows_latency_over_time(loadtest, cgo_sync_harness):
    r = loadtest("--transport", "cgo-sync", "--duration", "1.5", "--warmup", "0.5", "--json")
    assert r.code == 0, r.err
    rep = r.report
    assert rep["warmup_s"] == 0.5 and rep["headline"] == "after-warmup"
    whole = rep["whole_run"]
    assert 0.3 < rep["throughput_per_s"] / whole["throughput_per_s"] < 3
    assert any("p99_ns" in p for p in rep["timeline"] if p["t_s"] > 1.0)
    text = loadtest("--transport", "cgo-sync", "--duration", "1.5", "--warmup", "0.5")
    assert "after a 0.5 s warm-up" in text.out and "latency over time" in text.out, text.out


def test_the_headline_leaves_the_warm_up_out():
    """Synthetic ticks: 1 ms calls while warming up, 1 µs after. The headline reads the
    second part only; the whole run keeps both."""
    from rust2go.loadtest.report import Report
    from rust2go.loadtest.transports.base import RunSpec

    slow, fast = bucket_of(1_000_000), bucket_of(1_000)
    ticks = [{"t_ms": 250 * (i + 1), "done": 100 * (i + 1), "in_flight": 1, "errors": 0,
              "interval_calls": 100, "buckets": [[slow if i < 2 else fast, 100]]}
             for i in range(8)]  # fmt: skip
    h = Histogram()
    for t in ticks:
        for _ in range(100):
            h.record(1_000_000 if t["buckets"][0][0] == slow else 1_000)
    summary = {"elapsed_ns": 2_000_000_000, "issued": 800, "completed": 800, "failed": 0,
               "lost": 0, "duplicated": 0, "mismatched": 0, "cancelled": 0,
               "histogram": h.to_summary()}  # fmt: skip
    spec = RunSpec("cgo-sync", 1, 64, 2.0, None, warmup=0.5)
    rep = Report(spec, "x.rs", "T::m", summary, ticks, {}, [], None)
    assert rep.latency()["p99"] < 2_000 and rep.latency(whole_run=True)["p99"] > 900_000
    assert round(rep.throughput) == 400 and rep.whole_run_throughput == 400.0
    assert rep.to_json()["headline"] == "after-warmup"
    timeline = rep.timeline()
    assert timeline[0]["p50_ns"] > 900_000 and timeline[-1]["p50_ns"] < 2_000
    without = Report(RunSpec("cgo-sync", 1, 64, 2.0, None), "x.rs", "T::m", summary, ticks, {},
                     [], None)  # fmt: skip
    assert without.latency() == without.latency(whole_run=True)


def test_histogram_buckets_are_contiguous_and_tight():
    prev_hi = -1
    for i in range(0, 8000):
        lo, hi = bucket_bounds(i)
        assert lo == prev_hi + 1 and bucket_of(lo) == i and bucket_of(hi) == i
        assert (hi - lo) <= max(1, lo // 128)  # 2 significant digits
        prev_hi = hi


def test_histogram_percentiles_match_exact_ranks():
    import random

    rng = random.Random(7)
    values = sorted(int(rng.lognormvariate(10, 1.5)) for _ in range(20000))
    h = Histogram()
    for v in values:
        h.record(v)
    for q in (50, 90, 99, 99.9):
        exact = values[int(len(values) * q / 100) - 1]
        assert abs(h.percentile(q) - exact) <= exact / 100 + 1
    assert h.percentile(100) == values[-1]


def test_live_progress_line_shows_rate_in_flight_errors_and_time():
    import io

    from rich.console import Console

    from rust2go.loadtest.progress import LiveProgress
    from rust2go.loadtest.transports.base import RunSpec

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=160)
    spec = RunSpec("cgo-sync", concurrency=2, payload=64, duration=2.0, calls=None)
    with LiveProgress(spec, console) as p:
        p.tick({"t_ms": 500, "done": 1000, "in_flight": 2, "errors": 0, "interval_calls": 1000})
        p.live.refresh()
    out = buf.getvalue()
    for word in ("2,000 calls/s", "in flight", "errors 0", "elapsed", "1.5 s left"):
        assert word in out, (word, out)


def test_pending_fail_fast_fails_when_no_call_was_failed_by_the_kill():
    """A check that cannot fail checks nothing: with no call pending at the kill, nothing
    shows pending calls fail fast, and the check says so."""
    from rust2go.loadtest.report import kill_checks

    kill = {"old_pid": 1, "new_pid": 2, "at_s": 0.5, "detected": True, "pending_at_kill": 1,
            "pending_failed_within_ms": 3.0}  # fmt: skip
    summary = {"completed_after_restart": 10}
    by_name = {c.name: c for c in kill_checks({**kill, "failed_by_kill": 0}, summary)}
    assert not by_name["pending-fail-fast"].ok
    assert "no call failed at the kill" in by_name["pending-fail-fast"].detail
    by_name = {c.name: c for c in kill_checks({**kill, "failed_by_kill": 4}, summary)}
    assert by_name["pending-fail-fast"].ok and by_name["pending-fail-fast"].detail.startswith("4 ")
    slow = {**kill, "failed_by_kill": 4, "pending_failed_within_ms": 250.0}
    assert not {c.name: c for c in kill_checks(slow, summary)}["pending-fail-fast"].ok
