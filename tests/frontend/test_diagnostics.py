"""Golden diagnostics: each tests/frontend/diagnostics/<case>.rs is checked and its
rendered diagnostics compared with <case>.expected."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rust2go.codegen.api import check_source
from rust2go.codegen.source import SourceFile

HERE = Path(__file__).parent / "diagnostics"
CASES = sorted(p.stem for p in HERE.glob("*.rs"))


def render_case(name: str) -> tuple[object, str]:
    cwd = os.getcwd()
    os.chdir(HERE)  # paths in the messages stay relative and stable
    try:
        program, diags = check_source(SourceFile.read(f"{name}.rs"))
    finally:
        os.chdir(cwd)
    return program, "".join(d.render() for d in diags)


@pytest.mark.parametrize("name", CASES)
def test_golden_diagnostics(name: str, golden) -> None:
    program, text = render_case(name)
    if name.startswith("warnings_"):  # a clean file whose news is a warning
        assert program is not None and "warning[" in text, "a warnings_ case has warnings only"
    else:
        assert program is None, "every diagnostics case must contain at least one error"
    golden(text, HERE / f"{name}.expected")


def test_every_case_has_a_golden() -> None:
    assert CASES, "no cases found"
    for name in CASES:
        assert (HERE / f"{name}.expected").exists(), name


def test_diagnostics_are_sorted_by_position() -> None:
    _, text = render_case("unsupported_types")
    lines = [int(line.split(":")[1]) for line in text.splitlines() if "--> " in line]
    assert lines == sorted(lines) and len(lines) > 5


def test_invalid_utf8_is_an_error_not_a_crash(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rs"
    bad.write_bytes(b"pub struct S { a: u8 }\n// \xff\xfe broken\n")
    program, diags = check_source(SourceFile.read(bad))
    assert program is None
    assert [d.code for d in diags] == ["invalid-utf8"]
    assert diags[0].span.line == 2


def test_color_rendering_keeps_the_text() -> None:
    program, diags = check_source(SourceFile("x.rs", "pub struct S { a: Strng }\n"))
    plain, colored = diags[0].render(False), diags[0].render(True)
    assert "\x1b[" in colored and "\x1b[" not in plain
    assert "did you mean `String`?" in plain


def test_did_you_mean_stays_cheap_and_right_in_a_file_of_thousands_of_names():
    """Comparing each unknown name with every name was quadratic (a 1 MB file of unknown
    types took minutes). The suggester only compares names whose length allows the
    similarity, narrows a big pool to the same first letter, and stops after a budget."""
    from rust2go.codegen.check.names import Suggester

    names = [f"Entry{i}" for i in range(20_000)] + ["Order", "Customer", "u32"]
    s = Suggester(names)
    assert s.hint("Ordr") == "did you mean `Order`?"
    assert s.hint("Custmer") == "did you mean `Customer`?"
    assert s.hint("Entyr123") is not None  # found in the first-letter pool of a big set
    assert s.hint("zzzzzzzzzzzzzzzzzzzz") is None
    for _ in range(Suggester.BUDGET):
        s.hint("Ordr")
    assert s.hint("Ordr") is None  # budget spent: no more comparisons for this file


def test_unknown_types_in_a_big_file_still_get_hints(tmp_path):
    from rust2go.codegen.api import check_source
    from rust2go.codegen.source import SourceFile

    text = "".join(f"pub struct Entry{i} {{ pub a: u32 }}\n" for i in range(3000))
    text += "pub struct Use { pub a: Entyr7, pub b: Ordr }\npub struct Order { pub n: u8 }\n"
    _, diags = check_source(SourceFile("big.rs", text))
    hints = {d.message.split("`")[1]: d.hint for d in diags if d.is_error}
    assert hints["Ordr"] == "did you mean `Order`?", hints
    assert hints["Entyr7"] and hints["Entyr7"].startswith("did you mean `Entry"), hints
