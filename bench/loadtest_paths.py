"""Every call path under the same load, side by side: `rust2go loadtest` for ~5 s per
available transport, 64 B payload; prints a markdown table for BENCHMARKS.md.

    python -m bench.loadtest_paths [SECONDS]"""

from __future__ import annotations

import sys

from rust2go.loadtest import runner
from rust2go.loadtest.report_text import fmt_ns
from rust2go.loadtest.transports import REGISTRY, Unavailable
from rust2go.loadtest.transports.base import RunSpec

CONCURRENCY = {"cgo-sync": 2, "python-shm": 16}  # threads vs asyncio tasks; default 16


def row(transport: str, seconds: float) -> str:
    spec = RunSpec(transport, concurrency=CONCURRENCY.get(transport, 16), payload=64,
                   duration=seconds, calls=None)  # fmt: skip
    try:
        r = runner.run(spec, runner.resolve_target(transport, None, None))
    except Unavailable as e:
        return f"| {transport} | — | — | — | — | — | unavailable: {e} |"
    lat, c = r.latency(), r.summary
    verdict = "ok" if r.ok else "FAILED: " + ", ".join(x.name for x in r.checks if not x.ok)
    return (f"| {transport} | {spec.concurrency} | {r.throughput:,.0f} | {fmt_ns(lat['p50'])} | "
            f"{fmt_ns(lat['p99'])} | {c['completed']:,} | {verdict} |")  # fmt: skip


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    print(f"`rust2go loadtest`, 64 B payload, {seconds:g} s per transport, one run. "
          "Latency is measured in the Rust harness, except python-shm (Python driver).\n")  # fmt: skip
    print("| transport | concurrency | calls/s | p50 | p99 | completed | verdict |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for transport in REGISTRY:
        print(row(transport, seconds), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
