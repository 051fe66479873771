"""Generated code changes only on purpose: the example IDLs' outputs match the fingerprints
committed with them (tests/emit/example_outputs.py says how to look at a change)."""

from __future__ import annotations

import json

from tests.emit.example_outputs import FINGERPRINTS, fingerprints


def test_example_outputs_match_their_fingerprints():
    want = json.loads(FINGERPRINTS.read_text())
    got = fingerprints()
    changed = sorted(
        f"{idl}: {name}"
        for idl in want.keys() | got.keys()
        for name in want.get(idl, {}).keys() | got.get(idl, {}).keys()
        if want.get(idl, {}).get(name) != got.get(idl, {}).get(name)
    )
    assert not changed, (
        "generated code changed: " + ", ".join(changed) + ". If intended, look at the diff "
        "(python -m tests.emit.example_outputs --write DIR on both revisions) and rewrite the "
        "fingerprints: python -m tests.emit.example_outputs"
    )
