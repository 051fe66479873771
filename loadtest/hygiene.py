"""After-run hygiene: which of a run's shared-memory objects are still in /dev/shm.

Segments, semaphores (sem.<stem>…) and lock files are all named r2g-<owner pid>-…, and
other test runs share this machine, so only names owned by this run's peer pids count."""

from __future__ import annotations

import os

from rust2go.shm import layout as L

SHM_DIR = "/dev/shm"


def owned_entries(pids: set[int]) -> set[str]:
    prefixes = tuple(f"{p}{L.NAMING.PREFIX}{pid}-" for pid in pids for p in ("", "sem."))
    try:
        names = os.listdir(SHM_DIR)
    except FileNotFoundError:
        return set()
    return {n for n in names if prefixes and n.startswith(prefixes)}


def leftovers(before: set[str], pids: set[int]) -> list[str]:
    """Entries of `pids` present now that were not there before the run."""
    return sorted(owned_entries(pids) - before)
