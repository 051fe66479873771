"""Live progress on a TTY (rich): calls/s, in flight, errors, elapsed / remaining."""

from __future__ import annotations

from rich.console import Console
from rich.live import Live
from rich.text import Text

from rust2go.loadtest.transports.base import RunSpec


class LiveProgress:
    def __init__(self, spec: RunSpec, console: Console) -> None:
        self.spec = spec
        self.live = Live(Text("starting…"), console=console, refresh_per_second=8, transient=True)
        self.last_t = 0

    def __enter__(self) -> LiveProgress:
        self.live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.live.__exit__(*exc)

    def tick(self, t: dict) -> None:
        dt = max((t["t_ms"] - self.last_t) / 1000, 1e-3)
        self.last_t = t["t_ms"]
        elapsed = t["t_ms"] / 1000
        if self.spec.duration is not None:
            remaining = f"{max(0.0, self.spec.duration - elapsed):5.1f} s left"
        else:
            remaining = f"{t['done']:,}/{self.spec.calls:,} calls"
        line = Text.assemble(
            (f"{self.spec.transport} ", "bold"),
            f"{t['interval_calls'] / dt:>12,.0f} calls/s  ",
            f"in flight {t['in_flight']:>6}  ",
            ("errors " + str(t["errors"]), "red" if t["errors"] else "green"),
            f"  elapsed {elapsed:5.1f} s  {remaining}",
        )
        self.live.update(line)
