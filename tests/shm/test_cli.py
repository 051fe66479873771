"""`rust2go shm ls` / `rust2go shm clean`."""

from __future__ import annotations

import json

from rust2go.cli import main as cli
from rust2go.shm.contract import Contract
from rust2go.shm.geometry import plan
from rust2go.shm.segment import Segment


def test_ls_shows_live_segment_and_clean_keeps_it(capsys):
    seg = Segment.create("pt_cli", geometry=plan(4))
    try:
        assert cli(["shm", "ls", "--json"]) == 0
        rows = {r["stem"]: r for r in json.loads(capsys.readouterr().out)}
        row = rows[seg.names.stem]
        assert row["callee"] == "alive" and row["slot_count"] == 4 and row["slots_abandoned"] == 0
        assert row["segment_state"] == "SERVING" and row["caller_state"] == "VACANT"
        assert row["contract"] == "-"  # created with no contract
        assert cli(["shm", "clean", "--dry-run"]) == 0
        assert seg.names.stem not in capsys.readouterr().out  # live owner: untouched
        assert cli(["shm", "ls"]) == 0
        assert "/" + seg.names.stem in capsys.readouterr().out
    finally:
        seg.unlink()
        seg.close()


def test_ls_names_the_contract_a_callee_serves(capsys):
    seg = Segment.create("pt_cli_contract", geometry=plan(4),
                         contract=Contract(0xABCDEF0123456789, "shop.rs"))  # fmt: skip
    try:
        assert cli(["shm", "ls"]) == 0
        line = next(x for x in capsys.readouterr().out.splitlines() if seg.names.stem in x)
        assert "abcdef0123456789 (shop.rs)" in line
    finally:
        seg.unlink()
        seg.close()


def test_clean_removes_a_dead_owners_objects(capsys):
    seg = Segment.create("pt_cli_dead", geometry=plan(4))
    seg.owner_lock.release(unlink=False)  # as if the callee had died: lock free, files stay
    seg.close()
    assert cli(["shm", "clean"]) == 0
    out = capsys.readouterr().out
    assert out.count(seg.names.stem) == 4  # segment, two semaphores, lock file


def test_usage_errors_exit_2_without_traceback(capsys):
    assert cli(["shm"]) == 2
    assert cli(["shm", "ls", "--dir", "/nonexistent"]) == 1
    assert "no such directory" in capsys.readouterr().err
