"""Turning a stream of file events into batches of work.

The watch handler calls `record()` and returns at once; the worker calls `next_batch()`,
which hands over everything recorded once events have been quiet for `quiet` seconds, or
once `ceiling` seconds have passed since the first event of the batch, whichever comes
first. The ceiling keeps a long burst (a `git checkout`, a tool rewriting the file in a
loop) from postponing regeneration forever.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Debouncer:
    def __init__(self, quiet: float = 0.05, ceiling: float = 1.6,
                 clock: Callable[[], float] = time.monotonic):  # fmt: skip
        self.quiet, self.ceiling, self.clock = quiet, ceiling, clock
        self._cond = threading.Condition()
        self._pending: set[str] = set()
        self._first = self._last = 0.0
        self._closed = False
        self.recorded = 0  # events recorded since start (for status)

    def record(self, path: str) -> None:
        with self._cond:
            now = self.clock()
            if not self._pending:
                self._first = now
            self._pending.add(path)
            self._last = now
            self.recorded += 1
            self._cond.notify()

    def close(self) -> None:
        """Wake the worker for shutdown; next_batch() returns None from now on."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def pending(self) -> int:
        with self._cond:
            return len(self._pending)

    def next_batch(self) -> set[str] | None:
        """Block until a batch is due; return its paths, or None once closed."""
        with self._cond:
            while not self._pending and not self._closed:
                self._cond.wait()
            while not self._closed:
                now = self.clock()
                due = min(self._last + self.quiet, self._first + self.ceiling)
                if now >= due:
                    break
                self._cond.wait(due - now)
            if self._closed:
                return None
            batch, self._pending = self._pending, set()
            return batch
