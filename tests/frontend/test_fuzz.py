"""The front-end fuzzer (tests/frontend/fuzz.py) in `make test`: a fixed, seeded number of
cases in process, a handful through the real CLI, and every saved regression replayed.
`make fuzz` runs the same fuzzer without a bound."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from tests.frontend import fuzz

REGRESSIONS = sorted(fuzz.REGRESSIONS.glob("*"))


def test_bounded_fuzz_run_keeps_the_contract(tmp_path: Path) -> None:
    # Huge inputs are capped here (the bound per KB is what catches superlinear growth);
    # the seed makes the run the same on every machine.
    lines: list[str] = []

    class Out:
        def write(self, s: str) -> None:
            lines.append(s)

        def flush(self) -> None:
            pass

    counts = fuzz.run(seed=20260, cases=600, seconds=None, out=Out(), huge_limit=250_000,
                      save_to=tmp_path)  # fmt: skip
    assert counts["cases"] == 600
    assert counts["failed"] == 0, "".join(lines)
    # The mutators reach both outcomes and every kind of input.
    assert counts["ok"] > 0 and counts["diagnostics"] > 0
    assert all(counts.get(kind, 0) > 0 for kind in fuzz.MUTATORS), counts


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_regression_input(path: Path) -> None:
    assert fuzz.check_input(path.read_bytes(), str(path)) is None


def test_cli_on_hostile_inputs(tmp_path: Path) -> None:
    rng = random.Random(7)
    seeds = fuzz.corpus()
    inputs = [
        b"\xef\xbb\xbfpub struct S { a: u8 }\r\n",
        b"pub struct S { a: \x00u8 }\n",
        b"pub struct \xff\xfe { a: u8 }\n",
        ("pub struct S { pub a: " + "Vec<" * 5000 + "u8" + ">" * 5000 + " }\n").encode(),
        ("fn f() " + "{" * 20000 + "}" * 20000).encode(),
        b"\r".join(seeds[0].encode().split(b"\n")),
    ] + [fuzz.make_case(rng, seeds, huge_limit=50_000)[1] for _ in range(4)]
    failures = [what for data in inputs if (what := fuzz.check_cli(data, tmp_path))]
    assert failures == []


def test_the_oracle_can_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A front end that raises, mislocates or stalls is caught, and the input is saved."""
    import rust2go.codegen.api as api

    real = api.check_source

    def broken(source):
        if "boom" in source.text:
            raise RecursionError("deep")
        program, diags = real(source)
        past_end = source.span(len(source.text) + 5, len(source.text) + 5)
        return program, [dataclasses.replace(d, span=past_end) for d in diags]

    monkeypatch.setattr(fuzz, "check_source", broken)
    assert "RecursionError" in fuzz.check_input(b"pub struct boom {}")
    assert "outside the input" in fuzz.check_input(b"pub struct S { a: Strng }")
    monkeypatch.setattr(fuzz, "check_source", real)
    monkeypatch.setattr(fuzz, "time_bound", lambda size: 0.0)
    assert "took" in fuzz.check_input(b"pub struct S { a: u8 }")
    assert fuzz.save(b"\xff", tmp_path).suffix == ".bin"
