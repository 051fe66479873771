"""Formatting a generated file piece by piece, so that a regeneration formats only what
changed (the watch daemon regenerates on every save).

The file templates mark where the pieces start with a line comment of its own:

    // r2g:items   a run of whole items (a struct and its impls, one trait, the fixed
                   runtime, ...): formatted once, then taken from the cache while its
                   unformatted text stays the same
    // r2g:frame   the text around them (package clause, imports, `mod r2g_ffi {`, the
                   closing brace): formatted every time, so the file always parses

Each formatting run sees the whole frame and the item pieces not in the cache (a cached
piece leaves its marker with nothing after it). The formatter keeps a comment line as it
is, re-indented, so the output splits at the same markers; the markers are then dropped.
A full run goes through the same steps with an empty cache, and an item piece's
formatting depends on its own text and its nesting only (which its markers fix), so a
run that reuses pieces writes the bytes a full run writes; tests/emit checks that.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

ITEMS = "// r2g:items"
FRAME = "// r2g:frame"
_MARK = "// r2g:"
# A marker line: blanks, the marker, blanks, the end of the line (_markers).
_MARKER_REST = re.compile(r"(// r2g:(?:items|frame))[ \t]*(?:\n|\Z)")
# A piece not used by this many runs of its tool leaves the cache.
_KEEP_RUNS = 8


class ChunkCache:
    """Formatted item pieces by tool and key (the unformatted text and where it sits), and
    the view models and texts of items (emit/files.py) by their own tools. Shared by the
    runs of one process (the daemon's regenerations); thread-safe, bounded by recent use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pieces: dict[tuple[str, str], tuple[Any, int]] = {}
        self._runs: dict[str, int] = {}

    def get(self, tool: str, text: str) -> Any:
        with self._lock:
            hit = self._pieces.get((tool, text))
            if hit is None:
                return None
            self._pieces[(tool, text)] = (hit[0], self._runs.get(tool, 0))
            return hit[0]

    def put(self, tool: str, text: str, formatted: Any) -> None:
        with self._lock:
            self._pieces[(tool, text)] = (formatted, self._runs.get(tool, 0))

    def end_run(self, tool: str) -> None:
        with self._lock:
            run = self._runs[tool] = self._runs.get(tool, 0) + 1
            stale = [
                k
                for k, (_, used) in self._pieces.items()
                if k[0] == tool and used < run - _KEEP_RUNS
            ]
            for k in stale:
                del self._pieces[k]

    def clear(self) -> None:
        with self._lock:
            self._pieces.clear()

    def __len__(self) -> int:
        return len(self._pieces)


def split(text: str) -> list[tuple[str, str]]:
    """(kind, text) of each piece: the first is frame; each other starts after its marker
    line (kind ITEMS or FRAME) and runs to the next marker line."""
    pieces: list[tuple[str, str]] = []
    kind, start = FRAME, 0
    for line_start, end, marker in _markers(text):
        pieces.append((kind, text[start:line_start]))
        kind, start = marker, end
    pieces.append((kind, text[start:]))
    return pieces


def _markers(text: str) -> Iterator[tuple[int, int, str]]:
    """(start of its line, end of its line, marker) of each marker line. A search for the
    marker's fixed text: a multi-line regex tries every line start of a megabyte file."""
    at = text.find(_MARK)
    while at != -1:
        line_start = text.rfind("\n", 0, at) + 1
        m = _MARKER_REST.match(text, at)
        if m is not None and not text[line_start:at].strip(" \t"):
            yield line_start, m.end(), m.group(1)
            at = text.find(_MARK, m.end())
        else:
            at = text.find(_MARK, at + 1)


def strip_markers(text: str) -> str:
    """The text without its marker lines (a binding written without formatting)."""
    return "".join(body for _, body in split(text))


# A cold run formats megabytes: the pieces to format are split into batches of about
# this many bytes (each batch a formatter run of its own, with the whole frame), so the
# runs share the cores and the first starts before the other file is rendered.
BATCH_BYTES = 1024 * 1024
MAX_BATCHES = 4


def format_pieces(tool: str, text: str, formatter: Callable[[str], str],
                  cache: ChunkCache | None) -> str:  # fmt: skip
    """`formatter(text)` as described in the module docstring, markers removed."""
    return start_format(tool, text, formatter, cache, _now)()


def start_format(tool: str, text: str, formatter: Callable[[str], str], cache: ChunkCache | None,
                 submit: Callable[..., Future[str]]) -> Callable[[], str]:  # fmt: skip
    """Starts formatting `text` as `format_pieces` does, its batches handed to `submit`
    (an executor's); the function returned waits for them and returns the text."""
    pieces = split(text)
    # A piece's key also says which frame piece it follows: the same text nested at
    # another depth formats differently.
    keys, frames = [], 0
    for kind, body in pieces:
        frames += kind == FRAME
        keys.append(f"{frames}\0{body}")
    cached: list[str | None] = [
        cache.get(tool, key) if cache is not None and kind == ITEMS else None
        for (kind, _), key in zip(pieces, keys, strict=True)
    ]
    todo = [i for i, ((kind, _), hit) in enumerate(zip(pieces, cached, strict=True))
            if kind == ITEMS and hit is None]  # fmt: skip
    batches = _batches(todo, [len(body) for _, body in pieces])
    # Each batch holds every frame piece (so it parses) and its own item pieces; the
    # others leave their marker only, as a cached piece does.
    futures = [submit(formatter, _marked(pieces, set(batch))) for batch in batches]

    def finish() -> str:
        outs = [_split_output(f.result(), len(pieces)) for f in futures]
        owner = {i: n for n, batch in enumerate(batches) for i in batch}
        result = []
        for i, ((kind, _), key, hit) in enumerate(zip(pieces, keys, cached, strict=True)):
            if hit is not None:
                result.append(hit)
                continue
            out = outs[owner.get(i, 0)][i]
            if cache is not None and kind == ITEMS:
                cache.put(tool, key, out)
            result.append(out)
        if cache is not None:
            cache.end_run(tool)
        return _join(result)

    return finish


def _now(fn: Callable[[str], str], text: str) -> Future[str]:
    done: Future[str] = Future()
    done.set_result(fn(text))
    return done


def _batches(todo: list[int], sizes: list[int]) -> list[list[int]]:
    """`todo` (piece indices, in order) cut into runs of about equal bytes; at least one
    (the frame is formatted every time)."""
    total = sum(sizes[i] for i in todo)
    n = max(1, min(MAX_BATCHES, len(todo), -(-total // BATCH_BYTES)))
    out: list[list[int]] = [[] for _ in range(n)]
    done = 0
    for i in todo:
        out[min(n - 1, done * n // max(total, 1))].append(i)
        done += sizes[i]
    return [b for b in out if b] or [[]]


def _marked(pieces: list[tuple[str, str]], mine: set[int]) -> str:
    marked = [pieces[0][1]]
    for i in range(1, len(pieces)):
        kind, body = pieces[i]
        marked.append(f"{kind}\n" + (body if kind == FRAME or i in mine else ""))
    return "".join(marked)


def _join(pieces: list[str]) -> str:
    """The pieces end to end. Blank lines on both sides of a dropped marker would add
    up; the formatters allow one blank line between items, so one is kept."""
    out: list[str] = []
    blank = False  # the text so far ends with a blank line
    for piece in pieces:
        if blank:
            piece = piece.lstrip("\n")
        if piece:
            out.append(piece)
            blank = piece.endswith("\n\n")
    return "".join(out)


def _split_output(formatted: str, expected: int) -> list[str]:
    out = [body for _, body in split(formatted)]
    if len(out) != expected:
        raise AssertionError(
            f"the formatter kept {len(out) - 1} of {expected - 1} piece markers: "
            "a marker is misplaced in a template (it must sit on its own line between items)"
        )
    return out
