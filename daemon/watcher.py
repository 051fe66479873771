"""The file watcher behind a small interface: it is told which directories to watch and
reports every path an event touched to a sink. It knows nothing about IDL files, so tests
can replace it with a replay of recorded events.

Directories, not files, are watched (non-recursively): vim and JetBrains save by renaming
a new file over the old one, which silently ends an inotify watch on the old inode.
`watch()` is idempotent and re-arms a directory whose inode changed (moved away and
another put in its place), which a plain path-keyed watch would miss.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

Sink = Callable[[str], None]

# Left out on purpose: opens and no-write closes (the daemon reads the IDL itself, and
# those reads must not look like changes), attribute changes (no new content), and
# directory-modified events (watchdog sends one for the parent of every file written,
# including our own outputs).
CONTENT_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileClosedEvent,
    DirCreatedEvent, DirDeletedEvent, DirMovedEvent,
]  # fmt: skip


# Where watchdog keeps the hold-back of an IN_MOVED_FROM (watchdog >= 7, then <= 6).
_MOVE_GROUPERS = (
    ("watchdog.observers.inotify_move_event_grouper", "InotifyMoveEventGrouper"),
    ("watchdog.observers.inotify_buffer", "InotifyBuffer"),
)


def hold_back_no_moves() -> None:
    """watchdog holds each IN_MOVED_FROM back (0.5 s) to pair it with its IN_MOVED_TO.
    Its delivering thread can pick the IN_MOVED_FROM up before the IN_MOVED_TO arrives
    and then sleeps the whole 0.5 s out although the pair formed meanwhile: a save by
    rename (vim, JetBrains, our own atomic writes) was seen 0.5 s late about one save in
    four on a loaded machine. Pairing buys us nothing: no directory is watched
    recursively, and the handler records both paths of a move whether paired or not.
    So nothing is held back. Process-wide (a class attribute read when watchdog builds
    a watch), hence called before every observer we start."""
    for cls in move_groupers():
        cls.delay = 0.0


def move_groupers() -> list[type]:
    """The installed watchdog's classes that hold moves back (a `delay` attribute)."""
    found = []
    for module, name in _MOVE_GROUPERS:
        try:
            found.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            continue
    return found


class Watcher(Protocol):
    def start(self) -> None: ...

    def watch(self, directories: Iterable[Path]) -> list[Path]:
        """Watch exactly these directories (those that exist); return the ones watched."""
        ...

    def stop(self, timeout: float) -> None: ...


class RecordingHandler(FileSystemEventHandler):
    """Only records: the sink must be cheap (it is called on the observer's thread)."""

    def __init__(self, sink: Sink):
        self.sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.sink(os.fsdecode(event.src_path))
        if event.dest_path:
            self.sink(os.fsdecode(event.dest_path))


class WatchdogWatcher:
    """inotify (or, with poll=True, periodic directory scans) via watchdog."""

    def __init__(self, sink: Sink, poll: bool = False, poll_interval: float = 0.25):
        if not poll:
            hold_back_no_moves()
        self.observer: BaseObserver = PollingObserver(timeout=poll_interval) if poll else Observer()
        self.handler = RecordingHandler(sink)
        self.poll = poll
        self._watches: dict[Path, tuple[ObservedWatch, tuple[int, int]]] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        self.observer.start()

    def watch(self, directories: Iterable[Path]) -> list[Path]:
        wanted = {d: identity(d) for d in directories}
        with self._lock:
            for d in list(self._watches):
                if wanted.get(d) != self._watches[d][1]:
                    self.observer.unschedule(self._watches.pop(d)[0])
            for d, ident in wanted.items():
                if ident is None or d in self._watches:
                    continue
                try:
                    w = self.observer.schedule(self.handler, str(d), event_filter=CONTENT_EVENTS)
                except OSError:
                    continue  # vanished between stat and schedule; the parent's watch sees it
                self._watches[d] = (w, ident)
            return sorted(self._watches)

    def stop(self, timeout: float) -> None:
        self.observer.stop()
        self.observer.join(timeout)


def identity(directory: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(directory)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)
