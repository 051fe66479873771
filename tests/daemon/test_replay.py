"""The daemon in-process, with the watcher replaced by a replay of watchdog-style event
paths and a counting generator injected: what reaches the worker, and what does not."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from daemon_harness import idl_text, wait_until

from rust2go.codegen.api import GenerateOptions, Outputs
from rust2go.daemon.config import load_config
from rust2go.daemon.log import EventLog
from rust2go.daemon.runtime_files import RuntimeFiles
from rust2go.daemon.service import WatchDaemon


class ReplayWatcher:
    """Stands in for WatchdogWatcher: remembers what it was asked to watch, and lets the
    test push event paths into the daemon's sink."""

    def __init__(self, sink, poll: bool, poll_interval: float):
        self.sink, self.watched = sink, []

    def start(self) -> None:
        pass

    def watch(self, directories, recursive=()) -> list[Path]:
        self.watched = sorted(directories)
        return self.watched

    def stop(self, timeout: float) -> None:
        pass

    def replay(self, *paths: Path) -> None:
        for p in paths:
            self.sink(str(p))


class CountingGenerator:
    def __init__(self):
        self.calls = 0

    def __call__(self, path: Path, options: GenerateOptions) -> Outputs:
        self.calls += 1
        text = path.read_text()
        return Outputs(go=f"// go\n{text}", rust=f"// rust\n{text}")


@pytest.fixture
def embedded(tmp_path, capsys):
    root = tmp_path / "p"
    (root / "idl").mkdir(parents=True)
    (root / "idl" / "user.rs").write_text(idl_text(1))
    (root / "rust2go.toml").write_text('[[input]]\nidl = "idl/user.rs"\ngo = "idl/gen.go"\n')
    runtime = tmp_path / "run"
    runtime.mkdir()
    gen = CountingGenerator()
    d = WatchDaemon(load_config(root / "rust2go.toml"), RuntimeFiles(runtime), gen,
                    EventLog(json_lines=True), watcher_factory=ReplayWatcher)  # fmt: skip
    t = threading.Thread(target=d.run, daemon=True)
    t.start()
    wait_until(d.ready.is_set, "ready")
    yield d, d.watcher, gen, root
    d.request_stop()
    t.join(5)


def settle(d: WatchDaemon, batches: int) -> None:
    wait_until(lambda: d.counters.batches >= batches and d.debouncer.pending == 0, "batch")


def test_watches_directories_not_files(embedded):
    d, w, gen, root = embedded
    assert w.watched == [root, root / "idl"]
    assert gen.calls == 1


def test_own_outputs_and_scratch_files_never_reach_the_worker(embedded):
    d, w, gen, root = embedded
    idl = root / "idl"
    w.replay(idl / "gen.go", idl / ".gen.go.rust2go-1.tmp", idl / ".user.rs.swp", idl / "4913",
             idl / "user.rs___jb_tmp___", idl / "other.rs", root / "target")  # fmt: skip
    assert d.debouncer.recorded == 0 and d.counters.batches == 0


def test_a_vim_save_replayed_is_one_regeneration(embedded):
    d, w, gen, root = embedded
    idl = root / "idl" / "user.rs"
    idl.write_text(idl_text(2))
    # inotify's view of vim's save: probe, rename to backup, create, write, close, delete.
    w.replay(idl.with_name("4913"), idl, idl.with_name("user.rs~"), idl, idl, idl,
             idl.with_name("user.rs~"))  # fmt: skip
    settle(d, 1)
    assert gen.calls == 2 and d.counters.regenerations == 2
    # The same events again (late duplicates, or our own reads): content unchanged, no run.
    w.replay(idl, idl)
    settle(d, 2)
    assert gen.calls == 2
    assert (root / "idl" / "gen.go").read_text() == "// go\n" + idl_text(2)


def test_an_empty_idl_is_a_save_in_progress_not_an_empty_program(embedded):
    d, w, gen, root = embedded
    idl, go = root / "idl" / "user.rs", root / "idl" / "gen.go"
    before = go.read_text()
    idl.write_text("")  # truncate-then-write, caught half way
    w.replay(idl)
    settle(d, 1)
    assert gen.calls == 1 and go.read_text() == before
    assert d.states[(idl, go, None)].result == "empty"
    idl.write_text(idl_text(3))
    w.replay(idl)
    settle(d, 2)
    assert gen.calls == 2 and go.read_text() == "// go\n" + idl_text(3)
