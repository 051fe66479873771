"""Property tests: generated valid IDL round-trips through parse -> IR, and mutated input
(deleted/duplicated tokens, random bytes, truncation) never raises anything but
diagnostics."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rust2go.codegen import ir
from rust2go.codegen.api import check_source
from rust2go.codegen.diagnostics import DiagnosticError
from rust2go.codegen.source import SourceFile
from tests.idl_strategies import programs

HERE = Path(__file__).parent
# Small seeds keep 10,000 mutants affordable; broad.rs covers the rest of the grammar.
SEEDS = [p.read_text() for p in sorted((HERE / "examples").glob("*.rs"))]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_generated_idl_round_trips(case) -> None:
    text, structs, methods = case
    program, diags = check_source(SourceFile("gen.rs", text))
    assert program is not None, text + "".join(d.render() for d in diags)
    assert diags == []
    got = {s.name: [(f.name, f.ty) for f in s.fields] for s in program.structs}
    assert got == {name: fields for name, fields in structs}
    (trait,) = program.traits
    for (name, params, kind, ret), m in zip(methods, trait.methods, strict=True):
        assert m.name == name
        assert [(p.name, p.ty, p.by_ref) for p in m.params] == params
        expected_kind = {"oneway": ir.CallKind.ONEWAY, "sync": ir.CallKind.SYNC}.get(
            kind, ir.CallKind.ASYNC
        )
        assert m.kind is expected_kind
        assert (m.ret.ty if m.ret else None) == ret
        assert m.future_send == (kind == "future")


# ------------------------------------------------------------------ mutation fuzzing


def _mutate(text: str, rng) -> str:
    n = len(text)
    i = rng.randint(0, n)
    j = rng.randint(i, min(n, i + 40))
    op = rng.choice(["delete", "duplicate", "bytes", "truncate", "splice"])
    if op == "delete":
        return text[:i] + text[j:]
    if op == "duplicate":
        return text[:j] + text[i:j] + text[j:]
    if op == "bytes":
        junk = "".join(chr(rng.randrange(1, 0x3000)) for _ in range(rng.randint(1, 6)))
        return text[:i] + junk + text[i:]
    if op == "truncate":
        return text[:i]
    k = rng.randint(0, n)
    return text[:i] + text[k : k + 10] + text[i:]


# Hypothesis draws only a seed file and a Random; the mutations use the Random, which keeps
# the per-example overhead low enough for 10,000 examples (and they still shrink/replay).
@settings(max_examples=10_000, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(st.sampled_from(range(len(SEEDS))), st.randoms(use_true_random=False), st.integers(1, 3))
def test_mutated_input_only_ever_yields_diagnostics(seed: int, rng, rounds: int) -> None:
    text = SEEDS[seed]
    for _ in range(rounds):
        text = _mutate(text, rng)
    program, diags = check_source(SourceFile("mutant.rs", text))
    if program is None:
        assert any(d.is_error for d in diags)
    for d in diags:
        rendered = d.render()  # rendering must not fail either
        assert rendered.startswith(("error[", "warning["))


def test_random_bytes_file(tmp_path: Path) -> None:
    import random

    rng = random.Random(7)
    for _ in range(200):
        blob = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
        p = tmp_path / "blob.rs"
        p.write_bytes(blob)
        program, diags = check_source(SourceFile.read(p))
        assert program is not None or any(d.is_error for d in diags)


def test_diagnostic_error_lists_everything() -> None:
    from rust2go.codegen.api import load_program

    bad = HERE / "diagnostics" / "unsupported_types.rs"
    try:
        load_program(bad)
    except DiagnosticError as e:
        assert len([d for d in e.diagnostics if d.is_error]) >= 10
        assert "unsupported_types.rs:2:11" in e.render()
    else:
        raise AssertionError("expected DiagnosticError")
