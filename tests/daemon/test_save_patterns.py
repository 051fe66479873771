"""Every editor save pattern, on real inotify events and with --poll: exactly one
regeneration per save, outputs equal to what the real generator makes of the new IDL,
and nothing triggered by the daemon's own writes."""

from __future__ import annotations

import pytest
from daemon_harness import idl_text
from save_patterns import PATTERNS


@pytest.mark.parametrize("mode", ["inotify", "poll"])
@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_one_regeneration_per_save(project, start_daemon, pattern, mode):
    d = start_daemon(project, *(["--poll"] if mode == "poll" else []))
    assert project.outputs_current()
    base = d.regenerations
    for version in (2, 3):  # two saves in a row: the watch survives the first one
        PATTERNS[pattern](project.idl, idl_text(version))
        d.settle_after(base)
        assert d.regenerations == base + 1, d.log()
        base += 1
    assert d.count("error", "missing") == 0, d.log()
    assert d.status()["counters"]["regenerations"] == base
    assert project.temp_files() == []
