"""The report of one run: built from the harness's summary and ticks, checked, and
serialised for --json (schema SCHEMA, documented in docs/loadtest.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rust2go.runtime.loadtest.histogram import Histogram
from rust2go.runtime.loadtest.transports.base import RunSpec

SCHEMA = "rust2go.loadtest/1"
PERCENTILES = (("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("p99_9", 99.9))
COUNTS = ("issued", "completed", "failed", "lost", "duplicated", "mismatched", "cancelled")
FAULT_KEYS = ("cancel_attempts", "abandoned", "ring_full_waits", "slot_waits", "peer_pids",
              "segments", "kill_peer", "completed_after_restart")  # fmt: skip
FAIL_FAST_MS = 100.0  # issues #5/#6: pending calls fail within 100 ms of the peer's death


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
    def throughput(self) -> float:
        return self.summary["completed"] / self.elapsed_s if self.elapsed_s else 0.0

    def latency(self) -> dict[str, int]:
        h = self.histogram
        out = {name: h.percentile(q) for name, q in PERCENTILES}
        out.update(min=h.min, max=h.max)
        return out

    def timeline(self) -> list[dict]:
        points, last_t = [], 0
        for t in self.ticks:
            dt = (t["t_ms"] - last_t) / 1000 or 1e-3
            points.append({"t_s": t["t_ms"] / 1000, "calls_per_s": round(t["interval_calls"] / dt),
                           "in_flight": t["in_flight"], "errors": t["errors"]})  # fmt: skip
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
            "throughput_per_s": round(self.throughput, 1),
            "latency_ns": self.latency(),
            "latency_histogram": self.histogram.to_summary(),
            "timeline": self.timeline(),
            "faults": self.faults(),
            "checks": [vars(c) for c in self.checks],
            "notes": self.notes,
            "machine": self.machine,
            "harness_dir": self.harness_dir,
        }


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
    fast = kill.get("detected") and kill["pending_failed_within_ms"] <= FAIL_FAST_MS
    return [
        Check("peer-killed", kill["new_pid"] != kill["old_pid"],
              f"SIGKILL pid {kill['old_pid']} at {kill['at_s']} s; restarted as {kill['new_pid']}"),
        Check("pending-fail-fast", bool(fast),
              f"{kill['pending_at_kill']} pending calls failed within "
              f"{kill['pending_failed_within_ms']} ms (limit {FAIL_FAST_MS:.0f} ms)"),
        Check("calls-after-restart", s.get("completed_after_restart", 0) > 0,
              f"{s.get('completed_after_restart', 0)} calls completed after the restart"),
    ]  # fmt: skip
