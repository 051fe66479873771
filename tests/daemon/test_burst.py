"""A burst of 1000 saves in about 2 s: the outputs end up matching the last content,
regeneration runs far fewer times than there were saves, and a reader polling the
outputs throughout never sees a partial file."""

from __future__ import annotations

import hashlib
import re
import threading
import time

from daemon_harness import idl_text, wait_until
from save_patterns import atomic_rename_save, truncate_and_write

SAVES = 1000
SPAN = 2.0  # seconds


class OutputReader(threading.Thread):
    """Reads both outputs over and over (with a 1 ms pause: this is a 2-core machine),
    keeping each distinct content seen."""

    def __init__(self, paths):
        super().__init__(daemon=True)
        self.paths, self.seen, self.reads = paths, {}, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.001):
            for p in self.paths:
                data = p.read_bytes()
                self.seen.setdefault(hashlib.sha256(data).hexdigest(), (p, data))
                self.reads += 1


def test_burst_of_saves(project, start_daemon):
    d = start_daemon(project)
    reader = OutputReader([project.go, project.rust])
    reader.start()
    base = d.regenerations
    t0 = time.monotonic()
    for i in range(SAVES):
        # Alternate atomic saves with truncating ones: the daemon may catch an IDL half
        # written, which must cost an error message at most, never a bad output.
        save = atomic_rename_save if i % 2 else truncate_and_write
        save(project.idl, idl_text(1000 + i))
        pause = t0 + SPAN * (i + 1) / SAVES - time.monotonic()
        if pause > 0:
            time.sleep(pause)  # pacing the load, not synchronising
    burst = time.monotonic() - t0
    d.settle_after(base)
    reader.done.set()
    reader.join()

    runs = d.regenerations - base
    assert burst < SPAN * 2, f"the test machine is too slow to make the burst ({burst:.1f} s)"
    assert 1 <= runs <= SAVES // 20, f"{runs} regenerations for {SAVES} saves\n{d.log()}"
    assert reader.reads > 100
    assert project.outputs_current()
    last = d.of("regenerated")[-1]
    assert last["written"], "the last regeneration wrote the final outputs"

    # Every distinct content the reader saw must be a complete output of some version:
    # regenerate each version seen (daemon stopped, so it cannot interfere) and compare.
    d.terminate()
    found = {int(v) for _, data in reader.seen.values() for v in re.findall(rb"[vV](\d+)", data)}
    versions = {v for v in found if v == 1 or 1000 <= v < 1000 + SAVES}  # not "v0.1.0"
    complete = set()
    for v in sorted(versions):
        project.idl.write_text(idl_text(v))
        go, rust = project.expected()
        complete |= {
            hashlib.sha256(go.encode()).hexdigest(),
            hashlib.sha256(rust.encode()).hexdigest(),
        }
    partial = [p for h, (p, _) in reader.seen.items() if h not in complete]
    assert not partial, f"reader saw {len(partial)} partial/unknown outputs: {partial}"
    wait_until(lambda: project.temp_files() == [], "no temp files")
