"""--json schema, --html self-containment and both charts, the text report."""

from __future__ import annotations

import json
import re

from rust2go.runtime.loadtest.histogram import Histogram, bucket_bounds, bucket_of


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
    for p in rep["timeline"]:
        assert set(p) == {"t_s", "calls_per_s", "in_flight", "errors"}


def test_html_is_self_contained_with_both_charts(loadtest, tmp_path, cgo_sync_harness):
    page = tmp_path / "report.html"
    r = loadtest("--transport", "cgo-sync", "--duration", "0.6", "--html", str(page))
    assert r.code == 0, r.err
    text = page.read_text()
    assert "http://" not in text and "https://" not in text
    assert not re.search(r"""(src|href)\s*=""", text)  # nothing loaded from anywhere
    assert 'id="latency-chart"' in text and 'id="throughput-chart"' in text
    assert text.count("<svg") == 2 and text.count("<polyline") == 2
    embedded = re.search(r'<script type="application/json" id="report">(.*?)</script>', text, re.S)
    assert json.loads(embedded.group(1))["transport"] == "cgo-sync"


def test_text_report_has_percentiles_counts_and_machine(loadtest, cgo_sync_harness):
    r = loadtest("--transport", "cgo-sync", "--calls", "3000")
    assert r.code == 0, r.err
    for word in ("throughput", "p50", "p99.9", "max", "completed", "duplicated", "machine:",
                 "cores", "go version", "rustc", "Python", "PASS"):  # fmt: skip
        assert word in r.out, word


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

    from rust2go.runtime.loadtest.progress import LiveProgress
    from rust2go.runtime.loadtest.transports.base import RunSpec

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=160)
    spec = RunSpec("cgo-sync", concurrency=2, payload=64, duration=2.0, calls=None)
    with LiveProgress(spec, console) as p:
        p.tick({"t_ms": 500, "done": 1000, "in_flight": 2, "errors": 0, "interval_calls": 1000})
        p.live.refresh()
    out = buf.getvalue()
    for word in ("2,000 calls/s", "in flight", "errors 0", "elapsed", "1.5 s left"):
        assert word in out, (word, out)
