"""The watch daemon: wires config, watcher, debouncer, regeneration, --then and the
control socket together, and owns start-up and the ordered shutdown.

Threads: the observer's (records events, nothing else), one worker (everything that
touches files), the --then runner, the control socket server, and the main thread, which
only waits for commands: a signal or a `stop` request. Shutdown order: stop event →
observer stopped → worker joined → --then command SIGINT/SIGKILL → socket closed → lock
released; every join has a timeout so the whole takes well under a second.
"""

from __future__ import annotations

import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rust2go.atomic_write import sweep_temp_files, temp_path_for
from rust2go.daemon.config import Config, ConfigError, Target, load_config, shown
from rust2go.daemon.control import ControlServer
from rust2go.daemon.debounce import Debouncer
from rust2go.daemon.editor_files import is_transient
from rust2go.daemon.log import EventLog
from rust2go.daemon.regenerate import Generator, Result, TargetState, regenerate
from rust2go.daemon.runtime_files import RuntimeFiles
from rust2go.daemon.single_instance import InstanceLock
from rust2go.daemon.status_report import Counters, status_report
from rust2go.daemon.then_runner import ThenRunner
from rust2go.daemon.watch_plan import WatchPlan, plan_for
from rust2go.daemon.watcher import Sink, WatchdogWatcher, Watcher

RELOAD = "\0reload"  # recorded into the debouncer to make the worker re-read the config
WatcherFactory = Callable[[Sink, bool, float], Watcher]


def target_id(t: Target) -> tuple:
    return (t.idl, t.go, t.rust)


class WatchDaemon:
    def __init__(self, config: Config, files: RuntimeFiles, generator: Generator, log: EventLog,
                 poll: bool = False, then: str | None = None,
                 watcher_factory: WatcherFactory = WatchdogWatcher):  # fmt: skip
        self.config, self.files, self.generator, self.log = config, files, generator, log
        self.poll, self.then_override = poll, then
        self.plan: WatchPlan = plan_for(config, sources=bool(then or config.watch.then))
        self.states: dict[tuple, TargetState] = {
            target_id(t): TargetState() for t in config.targets
        }
        self.counters = Counters()
        self.config_error: str | None = None
        self.watching: list[Path] = []
        self.started = time.time()
        self.stopping = threading.Event()
        self.ready = threading.Event()
        self.commands: queue.SimpleQueue[str] = queue.SimpleQueue()
        self.lock = InstanceLock(files)
        w = config.watch
        self.debouncer = Debouncer(w.debounce_ms / 1000, w.ceiling_ms / 1000)
        self.watcher = watcher_factory(self._on_path, poll, w.poll_ms / 1000)
        self.then: ThenRunner | None = None
        self._then_requested = False  # by the batch being handled
        self.control: ControlServer | None = None
        self._worker = threading.Thread(target=self._work, name="rust2go-worker", daemon=True)

    # -- events (observer thread) ---------------------------------------------------------

    def _on_path(self, path: str) -> None:
        plan = self.plan
        if (plan.wants(path) or plan.is_source(path)) and not is_transient(os.path.basename(path)):
            self.debouncer.record(path)

    # -- lifecycle (main thread) ----------------------------------------------------------

    def run(self, on_ready: Callable[[], None] | None = None) -> int:
        """Acquire the project, serve until told to stop, shut down in order. Raises
        AlreadyRunning before anything is started if another daemon has the project."""
        self.lock.acquire()
        try:
            self._start()
            self._install_signals()
            self._wait_ready(on_ready)
            while (cmd := self.commands.get()) != "stop":
                if cmd == "reload":
                    self.debouncer.record(RELOAD)
        finally:
            self._shutdown()
        return 0

    def _start(self) -> None:
        self.control = ControlServer(self.files.socket, self._control)
        self.control.start()
        self._configure_then()
        self.watcher.start()
        self.watching = self.watcher.watch(self.plan.directories, self.plan.source_dirs)
        for leftover in sweep_temp_files(self._output_dirs()):
            self.log.event("swept", f"removed leftover temp file {leftover}", path=str(leftover))
        self.log.event("started", f"watching {len(self.config.targets)} IDL file(s) from "
                       f"{self.config.path}" + (" (polling)" if self.poll else ""),
                       pid=os.getpid(), config=str(self.config.path), poll=self.poll,
                       socket=str(self.files.socket))  # fmt: skip
        self._worker.start()

    def _wait_ready(self, on_ready: Callable[[], None] | None) -> None:
        # Wait for the first full generation without blocking signals: stop still works.
        while not self.ready.wait(0.05):
            if not self._worker.is_alive():
                return
            try:
                if self.commands.get_nowait() == "stop":
                    self.commands.put("stop")
                    return
            except queue.Empty:
                pass
        if on_ready:
            on_ready()

    def _install_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # embedded (tests): the embedder calls request_stop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.commands.put("stop"))
        signal.signal(signal.SIGHUP, lambda *_: self.commands.put("reload"))

    def request_stop(self) -> None:
        self.commands.put("stop")

    def _shutdown(self) -> None:
        t0 = time.monotonic()
        self.stopping.set()
        self.watcher.stop(timeout=0.3)
        self.debouncer.close()
        if self._worker.is_alive():
            self._worker.join(timeout=0.4)
        if self.then is not None:
            self.then.close(timeout=0.2)
        if self.control is not None:
            self.control.stop()
        for target in self.config.targets:  # belt and braces: atomic_write cleans up itself
            for out in target.outputs:
                temp_path_for(out).unlink(missing_ok=True)
        self.log.event("stopped", f"stopped in {(time.monotonic() - t0) * 1000:.0f} ms",
                       ms=round((time.monotonic() - t0) * 1000, 1))  # fmt: skip
        self.lock.release()

    # -- the worker -----------------------------------------------------------------------

    def _work(self) -> None:
        try:
            self._regenerate_all()
            self.ready.set()
            self.log.event("ready", "ready", watching=[str(d) for d in self.watching])
            while (batch := self.debouncer.next_batch()) is not None:
                if RELOAD in batch or str(self.config.path) in batch:
                    self._reload(forced=RELOAD in batch)
                self.watching = self.watcher.watch(self.plan.directories, self.plan.source_dirs)
                self._then_requested = False
                self._regenerate_all()
                self._rerun_then_for_sources(batch)
                # Counted once handled, so a count of N means N batches' outcomes are in
                # the other counters (tests wait on it).
                self.counters.batches += 1
        except Exception as e:  # never leave a daemon that looks alive but does nothing
            self.log.event("crashed", f"internal error, stopping: {e!r}", error=repr(e))
            self.request_stop()

    def _regenerate_all(self) -> None:
        for target in self.config.targets:
            if self.stopping.is_set():
                return
            state = self.states[target_id(target)]
            result = regenerate(target, state, self.generator, self.stopping,
                                on_change=self._cancel_then, color=self.log.color,
                                name=shown(target.idl, self.config.root))  # fmt: skip
            self._report(target, result)

    def _cancel_then(self) -> None:
        if self.then is not None:
            self.then.cancel()

    def _rerun_then_for_sources(self, batch: set[str]) -> None:
        """A change in the crate's sources reruns `then` (a newer change cancels a running
        one), unless this batch's regeneration already asked for it or a binding is
        broken (the command would only repeat that failure)."""
        if self.then is None or self._then_requested:
            return
        changed = sorted(p for p in batch if self.plan.is_source(p))
        if not changed or any(s.result != "ok" for s in self.states.values()):
            return
        self.then.cancel()
        self.then.request()
        self.log.event("sources-changed", f"{len(changed)} source file(s) changed: running "
                       "the then command", paths=changed)  # fmt: skip

    def _report(self, target: Target, r: Result) -> None:
        c, idl = self.counters, str(target.idl)
        if r.kind == "unchanged" or r.kind == "abandoned":
            return
        ms = round(r.seconds * 1000, 1)
        if r.kind == "missing":
            c.missing += 1
            self.log.event("missing", r.diagnostics + "; waiting for it", idl=idl,
                           reason=r.diagnostics)  # fmt: skip
            return
        c.regenerations += 1
        if r.kind == "error":
            c.failures += 1
            self.log.event("error", f"{shown(target.idl, self.config.root)}: errors; outputs "
                           "left as they were", r.diagnostics,
                           idl=idl, ms=ms)  # fmt: skip
            return
        c.writes += len(r.written)
        c.last_regeneration = time.time()
        wrote = (
            ", ".join(shown(p, self.config.root) for p in r.written)
            or "nothing (outputs already up to date)"
        )
        self.log.event("regenerated", f"{shown(target.idl, self.config.root)}: wrote {wrote} "
                       f"in {ms:.0f} ms",
                       r.diagnostics, idl=idl, written=[str(p) for p in r.written], ms=ms)  # fmt: skip
        if self.then is not None:
            self._then_requested = True
            self.then.request()

    def _reload(self, forced: bool) -> None:
        try:
            new = load_config(self.config.path)
        except ConfigError as e:
            self.config_error = str(e)
            self.log.event("config-error", f"config not reloaded: {e}", error=str(e))
            return
        self.config_error = None
        if new == self.config and not forced:
            return
        # Targets that stay keep their memory; SIGHUP forgets it all, so every IDL is
        # regenerated as if freshly started (outputs are still content-gated).
        old = {} if forced else self.states
        self.states = {target_id(t): old.get(target_id(t), TargetState()) for t in new.targets}
        self.config = new
        self.plan = plan_for(new, sources=bool(self.then_override or new.watch.then))
        self.debouncer.quiet = new.watch.debounce_ms / 1000
        self.debouncer.ceiling = new.watch.ceiling_ms / 1000
        self._configure_then()
        self.log.event("config-reloaded", f"config reloaded: {len(new.targets)} IDL file(s)",
                       config=str(new.path), targets=len(new.targets))  # fmt: skip

    def _configure_then(self) -> None:
        command = self.then_override or self.config.watch.then
        grace = self.config.watch.then_grace_ms / 1000
        if self.then is not None and (self.then.command, self.then.grace) != (command, grace):
            self.then.close(timeout=0.5)
            self.then = None
        if command and self.then is None:
            self.then = ThenRunner(command, self.log, self.config.root, grace, self._then_stdout())
            self.then.start()

    def _then_stdout(self) -> Any:
        # With JSON logs on stdout, the command's own output must not interleave with them.
        return 2 if self.log.json_lines else None

    def _output_dirs(self) -> set[Path]:
        return {out.parent for t in self.config.targets for out in t.outputs}

    # -- control socket (server thread) ---------------------------------------------------

    def _control(self, cmd: str) -> dict[str, Any]:
        if cmd == "status":
            return {"ok": True, **status_report(self)}
        if cmd == "stop":
            self.request_stop()
            return {"ok": True, "pid": os.getpid()}
        return {"ok": False, "error": f"unknown command {cmd!r}"}
