"""Golden IR dumps and the rust2go example IDLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from rust2go.codegen import ir
from rust2go.codegen.api import check_source, load_program
from rust2go.codegen.dump import dump
from rust2go.codegen.source import SourceFile

HERE = Path(__file__).parent
IR_CASES = sorted(p.stem for p in (HERE / "ir").glob("*.rs"))
EXAMPLES = sorted((HERE / "examples").glob("*.rs"))


@pytest.mark.parametrize("name", IR_CASES)
def test_golden_ir(name: str, golden) -> None:
    program = load_program(HERE / "ir" / f"{name}.rs")
    golden(dump(program), HERE / "ir" / f"{name}.ir")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_rust2go_example_idls_parse_clean(path: Path) -> None:
    program, diags = check_source(SourceFile.read(path))
    assert diags == [], "".join(d.render() for d in diags)
    assert program is not None and program.traits


def test_examples_cover_every_call_feature() -> None:
    methods = [m for p in EXAMPLES for t in load_program(p).traits for m in t.methods]
    kinds = {m.kind for m in methods}
    assert kinds == {ir.CallKind.ONEWAY, ir.CallKind.SYNC, ir.CallKind.ASYNC}
    for flag in ("drop_safe", "drop_safe_ret", "shm", "cgo_callback", "go_pass_struct"):
        assert any(getattr(m, flag) for m in methods), flag
    assert any(not m.params for m in methods), "a parameter-less method"
    directions = {t.direction for p in EXAMPLES for t in load_program(p).traits}
    assert directions == {ir.Direction.R2G, ir.Direction.G2R}


def test_structs_come_in_dependency_order() -> None:
    program = load_program(HERE / "ir" / "broad.rs")
    names = [s.name for s in program.structs]
    assert names.index("Person") < names.index("Envelope")


def test_aliases_are_expanded_everywhere() -> None:
    program = load_program(HERE / "ir" / "broad.rs")
    check = next(m for m in program.traits[0].methods if m.name == "check")
    assert check.params[1].ty == ir.Vec(ir.Str())
    envelope = program.struct("Envelope")
    assert next(f for f in envelope.fields if f.name == "total").ty == ir.Prim("i64")


def test_rust2go_derive_is_dropped_and_others_kept() -> None:
    program = load_program(HERE / "ir" / "broad.rs")
    person = program.struct("Person")
    assert person.derives == ["Clone", "Debug", "PartialEq"]
    envelope = program.struct("Envelope")
    assert [a.text for a in envelope.attrs] == ['#[serde(rename_all = "camelCase")]']
