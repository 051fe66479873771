"""A report built from made-up harness output (no harness run): a warm-up of slow calls,
then steady calls with a rare 200× outlier, over 20 tick intervals."""

from __future__ import annotations

import random

from rust2go.loadtest.histogram import Histogram
from rust2go.loadtest.report import Report
from rust2go.loadtest.transports.base import RunSpec

MACHINE = {"cpu": "test cpu", "cores": 2, "kernel": "test", "go": "go version test",
           "rust": "rustc test", "python": "3.11"}  # fmt: skip


def synthetic_report(seed: int = 1, intervals: int = 20) -> Report:
    rng = random.Random(seed)
    ticks, whole, done = [], Histogram(), 0
    for i in range(intervals):
        warm = i < 2
        calls = 40_000 if warm else 150_000 + rng.randrange(20_000)
        sample = Histogram()
        for _ in range(2000):
            v = int(rng.lognormvariate(14 if warm else 12, 0.6))
            sample.record(v * 200 if rng.random() < 0.002 else v)
        scale = calls // 2000
        interval = Histogram({k: c * scale for k, c in sample.counts.items()},
                             sample.total * scale, sample.min, sample.max)  # fmt: skip
        whole.merge(interval)
        done += interval.total
        ticks.append({"t_ms": 250 * (i + 1), "done": done, "in_flight": 3, "errors": 0,
                      "interval_calls": interval.total,
                      "buckets": sorted([k, c] for k, c in interval.counts.items())})  # fmt: skip
    summary = {"elapsed_ns": intervals * 250_000_000, "issued": done, "completed": done,
               "failed": 0, "lost": 0, "duplicated": 0, "mismatched": 0, "cancelled": 0,
               "histogram": whole.to_summary()}  # fmt: skip
    spec = RunSpec("cgo-async", 1000, 64, intervals / 4, None, warmup=0.5)
    return Report(spec, "load.rs", "Load::call", summary, ticks, MACHINE, [], None)
