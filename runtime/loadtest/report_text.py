"""The human report (rich; plain text when stdout is not a terminal)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from rust2go.runtime.loadtest.report import Report


def fmt_ns(ns: int) -> str:
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.2f} {unit}"
    return f"{ns} ns"


def print_report(r: Report, console: Console) -> None:
    s, spec = r.summary, r.spec
    mode = f"{spec.duration:g} s" if spec.calls is None else f"{spec.calls:,} calls"
    console.print(f"[bold]rust2go loadtest[/] {spec.transport} · {r.method} ({r.idl}) · "
                  f"concurrency {spec.concurrency} · payload {spec.payload} B · {mode}")  # fmt: skip
    console.print(f"throughput  {r.throughput:,.0f} calls/s over {r.elapsed_s:.2f} s")
    lat = Table(title="latency", title_justify="left", show_edge=False)
    for name in ("p50", "p90", "p99", "p99.9", "max"):
        lat.add_column(name, justify="right")
    v = r.latency()
    lat.add_row(*(fmt_ns(v[k]) for k in ("p50", "p90", "p99", "p99_9", "max")))
    console.print(lat)
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
