"""`rust2go loadtest`: drive one call path under load, verify every reply, report.

Exit status: 0 every check passed; 1 a check failed (any lost, duplicated or mismatched
reply, leaked slot or /dev/shm entry, ...), or the run could not happen (IDL error,
contract error, transport unavailable, build failure); 2 usage error."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rust2go.commands._common import EXIT_OK, EXIT_USAGE, EXIT_USER

TRANSPORTS = ("cgo-sync", "cgo-async", "shm-inproc", "shm-xproc", "python-shm")


def register(sub) -> None:
    p = sub.add_parser("loadtest", help="run a load test over one transport and report",
                       description=__doc__.split("\n\n")[0])  # fmt: skip
    p.add_argument("--idl", metavar="FILE", help="IDL file (default: the bundled load.rs)")
    p.add_argument("--method", metavar="NAME",
                   help="method (NAME or Trait::NAME); default: the bundled one for the transport")  # fmt: skip
    p.add_argument("--transport", required=True, choices=TRANSPORTS)
    p.add_argument("--concurrency", type=_positive_int, default=1, metavar="N")
    stop = p.add_mutually_exclusive_group()
    stop.add_argument("--duration", type=_positive_float, metavar="S", help="seconds (default 5)")
    stop.add_argument("--calls", type=_positive_int, metavar="N", help="total calls")
    p.add_argument("--warmup", type=_non_negative_float, metavar="S",
                   help="seconds at the start left out of the headline throughput and latency "
                        "(default: a tenth of --duration, at most 1 s; 0 with --calls)")  # fmt: skip
    p.add_argument("--payload", type=_size, default=64, metavar="SIZE",
                   help="payload bytes per request: 64, 4k, 1m (default 64)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--html", metavar="FILE", help="write a self-contained HTML report")
    p.add_argument("--cancel-rate", type=_rate, default=0.0, metavar="R",
                   help="drop this fraction of calls' futures at random (async transports)")  # fmt: skip
    p.add_argument("--kill-peer-at", type=_positive_float, metavar="T",
                   help="SIGKILL the callee process T s into the run, then restart it")  # fmt: skip
    p.add_argument("--ring-size", type=_positive_int, metavar="N",
                   help="request ring capacity (power of two; small forces backpressure)")  # fmt: skip
    p.add_argument("--service-us", type=_non_negative_int, default=0, metavar="US",
                   help="simulated handler work per call in the callee, spinning (default 0)")  # fmt: skip
    p.set_defaults(func=run)


def _int_at_least(low: int):
    def parse(text: str) -> int:
        v = int(text)
        if v < low:
            raise argparse.ArgumentTypeError(f"must be >= {low}, got {text}")
        return v

    parse.__name__ = "integer"  # argparse names the type in "invalid integer value"
    return parse


_positive_int = _int_at_least(1)
_non_negative_int = _int_at_least(0)


def _positive_float(text: str) -> float:
    v = float(text)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return v


def _non_negative_float(text: str) -> float:
    v = float(text)
    if not v >= 0:  # NaN too
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return v


def _rate(text: str) -> float:
    v = float(text)
    if not 0 <= v < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return v


def _size(text: str) -> int:
    units = {"k": 1024, "m": 1024 * 1024}
    t = text.strip().lower().removesuffix("b").removesuffix("i")
    try:
        v = int(t[:-1]) * units[t[-1]] if t and t[-1] in units else int(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return v


def run(args) -> int:
    from rich.console import Console

    from rust2go.codegen.diagnostics import DiagnosticError
    from rust2go.loadtest import runner
    from rust2go.loadtest.contract import ContractError
    from rust2go.loadtest.transports import Unavailable
    from rust2go.loadtest.transports.base import RunSpec
    from rust2go.loadtest.transports.cgo_crate import BuildFailed

    duration = None if args.calls else (args.duration or 5.0)
    warmup = (
        args.warmup if args.warmup is not None else min(1.0, duration / 10) if duration else 0.0
    )
    spec = RunSpec(transport=args.transport, concurrency=args.concurrency, payload=args.payload,
                   duration=duration, calls=args.calls,
                   cancel_rate=args.cancel_rate, kill_peer_at=args.kill_peer_at,
                   ring_size=args.ring_size, service_us=args.service_us, warmup=warmup)  # fmt: skip
    err = Console(stderr=True, highlight=False)
    out = Console(highlight=False)
    try:
        target = runner.resolve_target(args.transport, args.idl, args.method)
        if not target.idl.is_file():
            return _fail(args, "error", f"error: {target.idl}: no such IDL file")
        live = not args.json and sys.stdout.isatty()
        report = _run_with_progress(runner, spec, target, err, out, live)
    except runner.UsageError as e:
        err.print(f"usage error: {e}")
        return EXIT_USAGE
    except DiagnosticError as e:
        sys.stderr.write(e.render())
        return _fail(args, "idl-error", f"error: {target.idl} has errors")
    except ContractError as e:
        return _fail(args, "contract-error", str(e))
    except Unavailable as e:
        return _fail(args, "unavailable", f"transport {args.transport} is unavailable: {e}")
    except (BuildFailed, runner.RunFailed) as e:
        return _fail(args, "run-failed", f"error: {e}")
    if args.html:
        from rust2go.loadtest.report_html import render_html

        Path(args.html).write_text(render_html(report))
    if args.json:
        from rust2go.loadtest.report import dumps

        print(dumps(report.to_json()))
    else:
        from rust2go.loadtest.report_text import print_report

        print_report(report, out)
    return EXIT_OK if report.ok else EXIT_USER


def _run_with_progress(runner, spec, target, err, out, live: bool):
    log = (lambda msg: err.print(msg)) if not live else (lambda msg: out.print(msg))
    if not live:
        return runner.run(spec, target, log=log)
    from rust2go.loadtest.progress import LiveProgress

    with LiveProgress(spec, out) as progress:
        return runner.run(spec, target, log=log, on_tick=progress.tick)


def _fail(args, status: str, message: str) -> int:
    """Print why the run could not happen (JSON too when --json) and exit 1."""
    sys.stderr.write(message.rstrip() + "\n")
    if args.json:
        print(json.dumps({"schema": "rust2go.loadtest/1", "ok": False, "status": status,
                          "transport": args.transport, "reason": message}, indent=2))  # fmt: skip
    return EXIT_USER
