"""Benchmarks that repeat each measurement in rounds, taking turns with their baseline
(shared machines have slow spells; taking turns spreads them over every side)."""

from __future__ import annotations

import statistics


def medians(runs: list[dict], figures: tuple[str, ...]) -> dict:
    """The last run's facts, each of `figures` it has replaced by its median over `runs`
    (every figure independently)."""
    out = dict(runs[-1])
    for k in figures:
        if k in out:
            out[k] = statistics.median(r[k] for r in runs)
    return out
