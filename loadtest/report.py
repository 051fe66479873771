"""The report of one run: built from the harness's summary and ticks, checked, and
serialised for --json (schema SCHEMA, documented in docs/loadtest.md)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

from rust2go.loadtest.histogram import Histogram, bucket_bounds
from rust2go.loadtest.transports.base import RunSpec

SCHEMA = "rust2go.loadtest/1"
PERCENTILES = (("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("p99_9", 99.9))
COUNTS = ("issued", "completed", "failed", "lost", "duplicated", "mismatched", "cancelled")
FAULT_KEYS = ("cancel_attempts", "abandoned", "ring_full_waits", "slot_waits", "peer_pids",
              "segments", "kill_peer", "completed_after_restart")  # fmt: skip
FAIL_FAST_MS = 100.0  # pending calls must fail within 100 ms of the peer's death


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Report:
    spec: RunSpec
    idl: str
    method: str
    summary: dict
    ticks: list[dict]
    machine: dict
    notes: list[str]
    harness_dir: str | None
    shm_leftovers: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.histogram = Histogram.from_summary(self.summary["histogram"])
        self.checks = self.checks or make_checks(self)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def elapsed_s(self) -> float:
        return self.summary["elapsed_ns"] / 1e9

    @property
    def whole_run_throughput(self) -> float:
        return self.summary["completed"] / self.elapsed_s if self.elapsed_s else 0.0

    @functools.cached_property
    def steady(self) -> tuple[Histogram, float] | None:
        """The latencies and calls/s (answered calls, as the live line counts them) of the
        ticks after the warm-up (each tick's interval starting at or after it), or None
        when there is no warm-up or no such tick."""
        if not self.spec.warmup:
            return None
        h, calls, t0, last = Histogram(), 0, None, 0
        for t in self.ticks:
            if last >= self.spec.warmup * 1000 and "buckets" in t:
                t0 = last if t0 is None else t0
                h.merge(interval_histogram(t["buckets"]))
                calls += t["interval_calls"]
            last = t["t_ms"]
        if t0 is None or last <= t0 or not h.total:
            return None
        return h, calls / ((last - t0) / 1000)

    @property
    def throughput(self) -> float:
        """The headline: calls/s after the warm-up (the whole run without one)."""
        steady = self.steady
        return steady[1] if steady else self.whole_run_throughput

    def latency(self, whole_run: bool = False) -> dict[str, int]:
        """The headline percentiles: after the warm-up (the whole run without one)."""
        steady = None if whole_run else self.steady
        return percentiles(steady[0] if steady else self.histogram)

    def timeline(self) -> list[dict]:
        """Calls/s, in flight, errors and (when the harness streams them) the latency
        percentiles of each tick interval: drift over a long run shows here."""
        points, last_t = [], 0
        for t in self.ticks:
            dt = (t["t_ms"] - last_t) / 1000 or 1e-3
            point = {"t_s": t["t_ms"] / 1000, "calls_per_s": round(t["interval_calls"] / dt),
                     "in_flight": t["in_flight"], "errors": t["errors"]}  # fmt: skip
            if t.get("buckets"):
                lat = percentiles(interval_histogram(t["buckets"]))
                point.update({f"{k}_ns": lat[k] for k in ("p50", "p99", "p99_9", "max")})
            points.append(point)
            last_t = t["t_ms"]
        return points

    def faults(self) -> dict:
        return {k: self.summary[k] for k in FAULT_KEYS if k in self.summary}

    def to_json(self) -> dict:
        s = self.spec
        return {
            "schema": SCHEMA,
            "ok": self.ok,
            "status": "ok" if self.ok else "failed",
            "transport": s.transport,
            "idl": self.idl,
            "method": self.method,
            "config": {
                "concurrency": s.concurrency,
                "payload_bytes": s.payload,
                "duration_s": s.duration,
                "calls": s.calls,
                "cancel_rate": s.cancel_rate,
                "kill_peer_at_s": s.kill_peer_at,
                "ring_size": s.ring_size,
                "service_us": s.service_us,
            },  # fmt: skip
            "counts": {k: self.summary.get(k, 0) for k in COUNTS},
            "elapsed_s": round(self.elapsed_s, 6),
            "warmup_s": s.warmup,
            "headline": "after-warmup" if self.steady else "whole-run",
            "throughput_per_s": round(self.throughput, 1),
            "latency_ns": self.latency(),
            "whole_run": {
                "throughput_per_s": round(self.whole_run_throughput, 1),
                "latency_ns": self.latency(whole_run=True),
            },  # fmt: skip
            "latency_histogram": self.histogram.to_summary(),
            "timeline": self.timeline(),
            "faults": self.faults(),
            "checks": [vars(c) for c in self.checks],
            "notes": self.notes,
            "machine": self.machine,
            "harness_dir": self.harness_dir,
        }


def percentiles(h: Histogram) -> dict[str, int]:
    out = {name: h.percentile(q) for name, q in PERCENTILES}
    out.update(min=h.min, max=h.max)
    return out


def interval_histogram(buckets: list) -> Histogram:
    """A tick interval's latencies: its buckets, with min and max at their buckets' edges
    (the harness streams no exact extremes per interval)."""
    h = Histogram({int(i): int(c) for i, c in buckets if c})
    h.total = sum(h.counts.values())
    if h.counts:
        h.min, h.max = bucket_bounds(min(h.counts))[0], bucket_bounds(max(h.counts))[1]
    return h


def dumps(obj) -> str:
    """The report as JSON a person can read too: objects indented, an array of numbers
    (a histogram's buckets) on one line, each timeline point or check on a line of its own."""
    return _dumps(obj, "")


def _dumps(obj, pad: str) -> str:
    inner = pad + "  "
    if isinstance(obj, dict) and obj:
        items = (f"{inner}{json.dumps(k)}: {_dumps(v, inner)}" for k, v in obj.items())
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
        rows = (inner + json.dumps(x, separators=(", ", ": ")) for x in obj)
        return "[\n" + ",\n".join(rows) + "\n" + pad + "]"
    return json.dumps(obj, separators=(", ", ": "))


def make_checks(r: Report) -> list[Check]:
    s, spec = r.summary, r.spec
    checks = [
        Check("exactly-once", s["lost"] == 0 and s["duplicated"] == 0 and s["mismatched"] == 0,
              f"lost {s['lost']}, duplicated {s['duplicated']}, mismatched {s['mismatched']}"),
        Check("accounted", s["issued"] == sum(s[k] for k in COUNTS[1:]),
              "issued = completed + failed + lost + duplicated + mismatched + cancelled"),
    ]  # fmt: skip
    kill = s.get("kill_peer")
    if spec.kill_peer_at is None:
        checks.append(Check("no-failures", s["failed"] == 0, f"failed {s['failed']}"))
    else:
        checks += kill_checks(kill, s)
    if "slots_not_free" in s:
        busy = s["slots_not_free"]
        checks.append(Check("slots-free", not busy,
                            "every slot FREE after the run" if not busy else f"not FREE: {busy}"))  # fmt: skip
    if spec.transport in ("python-shm", "shm-inproc", "shm-xproc"):
        left = sorted(set(r.shm_leftovers) | set(s.get("shm_leftovers", [])))
        checks.append(Check("shm-clean", not left,
                            "/dev/shm as before the run" if not left else f"left behind: {left}"))  # fmt: skip
    return checks


def kill_checks(kill: dict | None, s: dict) -> list[Check]:
    if not kill:
        return [Check("peer-killed", False, "the run ended before the kill time")]
    failed, ms = kill.get("failed_by_kill", 0), kill["pending_failed_within_ms"]
    fast = kill.get("detected") and failed > 0 and ms <= FAIL_FAST_MS
    if failed:
        detail = (f"{failed} pending calls failed within {ms} ms of the kill "
                  f"(limit {FAIL_FAST_MS:.0f} ms)")  # fmt: skip
    else:
        detail = ("no call failed at the kill (none was pending): nothing shows that pending "
                  "calls fail fast; run with more concurrency")  # fmt: skip
    return [
        Check("peer-killed", kill["new_pid"] != kill["old_pid"],
              f"SIGKILL pid {kill['old_pid']} at {kill['at_s']} s; restarted as {kill['new_pid']}"),
        Check("pending-fail-fast", bool(fast), detail),
        Check("calls-after-restart", s.get("completed_after_restart", 0) > 0,
              f"{s.get('completed_after_restart', 0)} calls completed after the restart"),
    ]  # fmt: skip
