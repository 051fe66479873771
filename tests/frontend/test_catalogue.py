"""The diagnostics catalogue against the code that raises its entries: every code raised
is in the catalogue (a typo would otherwise surface as a KeyError on some user's input),
every entry is raised somewhere, and every raised code is shown in a golden case."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from rust2go.codegen.diagnostics import CATALOGUE

CODEGEN = Path(__file__).resolve().parents[2] / "codegen"
GOLDENS = Path(__file__).parent / "diagnostics"


def raised_codes() -> dict[str, list[str]]:
    """code -> where: the first argument of every `.error(...)` / `.warning(...)` call."""
    found: dict[str, list[str]] = {}
    for path in sorted(CODEGEN.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("error", "warning") and node.args):  # fmt: skip
                continue
            code = node.args[0]
            where = f"{path.relative_to(CODEGEN.parent)}:{node.lineno}"
            assert isinstance(code, ast.Constant) and isinstance(code.value, str), (
                f"{where}: a diagnostic code must be a string literal, to be checked here"
            )
            found.setdefault(code.value, []).append(where)
    return found


def test_every_raised_code_is_in_the_catalogue():
    unknown = {c: w for c, w in raised_codes().items() if c not in CATALOGUE}
    assert not unknown, f"raised but not in codegen/diagnostics.py CATALOGUE: {unknown}"


def test_every_catalogue_entry_is_raised():
    assert not set(CATALOGUE) - set(raised_codes()), "entries nothing raises: remove them"


# Codes whose case would make an unwieldy golden, and the test that shows them instead.
SHOWN_ELSEWHERE = {
    "too-many-errors": "test_frontend_cli.py::test_parsing_stops_after_the_syntax_error_limit",
}


def test_every_raised_code_has_a_golden_case():
    shown = set()
    for code, where in SHOWN_ELSEWHERE.items():
        path, test = where.split("::")
        text = (Path(__file__).parent / path).read_text()
        assert f"def {test}(" in text and code in text, f"{where} does not show {code}"
        shown.add(code)
    for expected in GOLDENS.glob("*.expected"):
        shown |= set(re.findall(r"^(?:error|warning)\[([a-z0-9-]+)\]", expected.read_text(), re.M))
    missing = sorted(set(raised_codes()) - shown)
    assert not missing, f"no golden case in tests/frontend/diagnostics/ shows: {missing}"
