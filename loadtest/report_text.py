"""The human report (rich; plain text when stdout is not a terminal)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from rust2go.loadtest.report import Report


def fmt_ns(ns: int) -> str:
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.2f} {unit}"
    return f"{ns} ns"


def drift_rows(points: list[dict], rows: int = 10) -> list[tuple[str, ...]]:
    """The timeline in at most `rows` spans: each span's calls/s, and the worst of its
    intervals' percentiles (a drift or a stall stays visible when intervals are merged)."""
    points = [p for p in points if "p50_ns" in p]
    if len(points) < 2:
        return []
    per = -(-len(points) // rows)
    out, start = [], 0.0
    for i in range(0, len(points), per):
        span = points[i : i + per]
        end = span[-1]["t_s"]
        seconds = end - start or 1e-3
        calls, prev = 0.0, start
        for p in span:
            calls, prev = calls + p["calls_per_s"] * (p["t_s"] - prev), p["t_s"]
        worst = {k: max(p[f"{k}_ns"] for p in span) for k in ("p50", "p99", "p99_9", "max")}
        out.append((f"{start:.1f} s", f"{end:.1f} s", f"{calls / seconds:,.0f}",
                    *(fmt_ns(worst[k]) for k in ("p50", "p99", "p99_9", "max"))))  # fmt: skip
        start = end
    return out


def print_report(r: Report, console: Console) -> None:
    s, spec = r.summary, r.spec
    mode = f"{spec.duration:g} s" if spec.calls is None else f"{spec.calls:,} calls"
    console.print(f"[bold]rust2go loadtest[/] {spec.transport} · {r.method} ({r.idl}) · "
                  f"concurrency {spec.concurrency} · payload {spec.payload} B · {mode}")  # fmt: skip
    if r.steady:
        console.print(f"throughput  {r.throughput:,.0f} calls/s after a {spec.warmup:g} s warm-up "
                      f"(whole run: {r.whole_run_throughput:,.0f} calls/s over "
                      f"{r.elapsed_s:.2f} s); latency after the warm-up too")  # fmt: skip
    else:
        console.print(f"throughput  {r.throughput:,.0f} calls/s over {r.elapsed_s:.2f} s")
    lat = Table(title="latency", title_justify="left", show_edge=False)
    for name in ("p50", "p90", "p99", "p99.9", "max"):
        lat.add_column(name, justify="right")
    v = r.latency()
    lat.add_row(*(fmt_ns(v[k]) for k in ("p50", "p90", "p99", "p99_9", "max")))
    console.print(lat)
    drift = drift_rows(r.timeline())
    if drift:
        t = Table(title="latency over time", title_justify="left", show_edge=False)
        for name in ("from", "to", "calls/s", "p50", "p99", "p99.9", "max"):
            t.add_column(name, justify="right")
        for row in drift:
            t.add_row(*row)
        console.print(t)
    counts = Table(title="calls", title_justify="left", show_edge=False)
    keys = ("issued", "completed", "failed", "lost", "duplicated", "mismatched", "cancelled")
    for k in keys:
        counts.add_column(k, justify="right")
    counts.add_row(*(f"{s.get(k, 0):,}" for k in keys))
    console.print(counts)
    faults = r.faults()
    if faults:
        console.print("faults  " + ", ".join(f"{k} {v}" for k, v in faults.items()))
    for c in r.checks:
        mark = "[green]ok  [/]" if c.ok else "[red]FAIL[/]"
        console.print(f"{mark} {c.name}: {c.detail}", highlight=False)
    for note in r.notes:
        console.print(f"note: {note}", highlight=False)
    m = r.machine
    console.print(f"machine: {m['cpu']}, {m['cores']} cores, {m['kernel']}; {m['go']}; "
                  f"{m['rust']}; Python {m['python']}", highlight=False)  # fmt: skip
    console.print("[green]PASS[/]" if r.ok else "[red]FAIL[/]")
