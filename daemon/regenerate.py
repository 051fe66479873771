"""One regeneration step: IDL file in, outputs written (or not), result out.

Gated twice: on the input (the IDL bytes and options hash the same as the last attempt →
nothing to do, which makes duplicate or self-inflicted events free) and on each output
(bytes already right → file untouched). On errors the outputs are left exactly as they
were, so the last good bindings keep building.
"""

from __future__ import annotations

import hashlib
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rust2go.atomic_write import write_if_changed
from rust2go.codegen.api import GenerateOptions, Outputs
from rust2go.codegen.diagnostics import DiagnosticError
from rust2go.daemon.config import Target

# The code generator as the daemon sees it; production passes rust2go.codegen.api.generate.
Generator = Callable[[Path, GenerateOptions], Outputs]

MISSING, EMPTY = "missing", "empty"  # input keys (and states) for an IDL with no content


@dataclass
class Result:
    kind: str  # "ok" | "error" | "missing" | "unchanged" | "abandoned" (nothing written)
    written: tuple[Path, ...] = ()
    seconds: float = 0.0
    diagnostics: str = ""  # rendered like `rust2go check` (errors, or warnings on success)


@dataclass
class TargetState:
    """What the daemon remembers about one target between batches."""

    input_key: str | None = None  # hash of the last IDL bytes + options attempted
    result: str = "pending"
    last_ok: float | None = None  # wall-clock time of the last successful regeneration
    last_seconds: float | None = None
    last_error: str | None = None
    dropped_last: bool = False  # the last run's outputs were dropped (IDL changed meanwhile)


def input_key(data: bytes, options: GenerateOptions) -> str:
    return hashlib.sha256(repr(options).encode() + b"\0" + data).hexdigest()


def regenerate(target: Target, state: TargetState, generator: Generator, stop: threading.Event,
               on_change: Callable[[], None] = lambda: None, color: bool = False,
               name: str | None = None) -> Result:  # fmt: skip
    """`on_change` is called once the input is known to differ from the last attempt;
    `color` renders diagnostics for a terminal, as `rust2go check` does; `name` is how
    messages name the IDL (default: its absolute path)."""
    name = name or str(target.idl)
    try:
        data = target.idl.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return absent(state, MISSING, f"{name}: IDL file is missing (outputs kept)", on_change)
    except OSError as e:
        state.input_key = None  # retried on the next event (e.g. after a chmod)
        return failed(state, f"error: {name}: cannot read: {e.strerror}\n", time.perf_counter())
    if not data:
        # Zero bytes is what a truncate-then-write save looks like half way, and would
        # otherwise wipe the bindings for a moment; nobody means an empty IDL.
        return absent(state, EMPTY, f"{name}: IDL file is empty (outputs kept)", on_change)
    key = input_key(data, target.options)
    if key == state.input_key:
        return Result("unchanged")
    on_change()
    state.input_key = key
    t0 = time.perf_counter()
    try:
        outputs = generator(target.idl, target.options)
    except DiagnosticError as e:
        return failed(state, e.render(), t0, shown=e.render(color))
    except Exception:  # a generator bug must not take the daemon down; report it in full
        return failed(state, "internal error in the code generator:\n" + traceback.format_exc(), t0)
    if stop.is_set():
        return Result("abandoned")  # shutting down: start no writes that could be cut short
    if not still_reads(target.idl, data) and not state.dropped_last:
        # The generator reads the file itself, and it changed after we hashed it: these
        # outputs may be of some half-saved state. Drop them; the change's own event
        # brings us back here with the new content. Only once in a row, so that a file
        # rewritten without pause still gets its bindings updated.
        state.input_key, state.dropped_last = None, True
        return Result("abandoned")
    state.dropped_last = False
    written = tuple(write_outputs(target, outputs))
    seconds = time.perf_counter() - t0
    state.result, state.last_error = "ok", None
    state.last_ok, state.last_seconds = time.time(), seconds
    warnings = "".join(d.render(color) for d in outputs.warnings if not d.is_error)
    return Result("ok", written, seconds, warnings)


def still_reads(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def absent(state: TargetState, why: str, message: str, on_change: Callable[[], None]) -> Result:
    if state.input_key == why:
        return Result("unchanged")
    on_change()
    state.input_key, state.result, state.last_error = why, why, message
    return Result("missing", diagnostics=message)


def write_outputs(target: Target, outputs: Outputs) -> list[Path]:
    pairs = outputs.files(target.go, target.rust)
    return [path for path, text in pairs if write_if_changed(path, text)]


def failed(state: TargetState, text: str, t0: float, shown: str | None = None) -> Result:
    """`text` is kept for `rust2go status` (plain); `shown` goes to the log (maybe colored)."""
    seconds = time.perf_counter() - t0
    state.result, state.last_error, state.last_seconds = "error", text, seconds
    return Result("error", seconds=seconds, diagnostics=shown or text)
