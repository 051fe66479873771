"""The file watcher behind a small interface: it is told which directories to watch and
reports every path an event touched to a sink. It knows nothing about IDL files, so tests
can replace it with a replay of recorded events.

Directories, not files, are watched (non-recursively, except the crate's sources that a
`then` command follows): vim and JetBrains save by renaming a new file over the old one,
which silently ends an inotify watch on the old inode.
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
    four on a loaded machine. Pairing buys us little: the handler records both paths of
    a move whether paired or not, and the only recursive watches (the crate's sources,
    for `then`) need no more than "something changed below". So nothing is held back. Process-wide (a class attribute read when watchdog builds
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

    def watch(self, directories: Iterable[Path], recursive: Iterable[Path] = ()) -> list[Path]:
        """Watch exactly these directories (those that exist), `recursive` ones with all
        they contain; return the ones watched."""
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
        self._watches: dict[tuple[Path, bool], tuple[ObservedWatch, tuple[int, int]]] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        self.observer.start()

    def watch(self, directories: Iterable[Path], recursive: Iterable[Path] = ()) -> list[Path]:
        wanted = {(d, False): identity(d) for d in directories}
        wanted.update({(d, True): identity(d) for d in recursive})
        with self._lock:
            for key in list(self._watches):
                if wanted.get(key) != self._watches[key][1]:
                    self.observer.unschedule(self._watches.pop(key)[0])
            for key, ident in wanted.items():
                if ident is None or key in self._watches:
                    continue
                d, deep = key
                try:
                    w = self.observer.schedule(self.handler, str(d), recursive=deep,
                                               event_filter=CONTENT_EVENTS)  # fmt: skip
                except OSError:
                    continue  # vanished between stat and schedule; the parent's watch sees it
                self._watches[key] = (w, ident)
            return sorted({d for d, _ in self._watches})

    def stop(self, timeout: float) -> None:
        self.observer.stop()
        self.observer.join(timeout)


def identity(directory: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(directory)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)
