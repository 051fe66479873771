"""The fixed Rust runtime every generated binding carries (codegen/support/rust/), on its
own: its unit tests (src/rt/tests.rs) and clippy, through real cargo."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.e2e.crates import cargo

HERE = Path(__file__).parent


def test_runtime_unit_tests_pass() -> None:
    r = cargo(HERE, "test", "-q")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "8 passed" in r.stdout, r.stdout


def test_runtime_is_clippy_clean() -> None:
    r = cargo(HERE, "clippy", "-q", "--all-targets", "--", "-D", "warnings")
    assert r.returncode == 0, r.stderr


SUPPORT = HERE.parent.parent / "codegen" / "support" / "rust"


def _layout_errors(checks: str, tmp_path: Path) -> str:
    """rustc's errors for a Ref `PointRef { x: u32, r2g_int: u64 }` (IDL struct `Point`,
    field `int`) checked by `r2g_layout!(PointRef, "Point", <checks>)`."""
    includes = "".join(f'    include!("{SUPPORT / f}");\n' for f in
                       ("prelude.rs", "refs.rs", "buffer.rs", "wire.rs"))  # fmt: skip
    src = tmp_path / "layout.rs"
    src.write_text(
        "#![allow(dead_code)]\nmod rt {\n" + includes
        + "    #[repr(C)]\n    pub struct PointRef { pub x: u32, pub r2g_int: u64 }\n"
        + f'    r2g_layout!(PointRef, "Point", {checks});\n}}\n'
    )  # fmt: skip
    r = subprocess.run(["rustc", "--edition", "2021", "--crate-type", "lib", "--emit", "metadata",
                        "-o", str(tmp_path / "out.rmeta"), str(src)],
                       capture_output=True, text=True, check=False)  # fmt: skip
    return r.stderr if r.returncode else ""


def test_layout_checks_name_what_disagrees(tmp_path: Path) -> None:
    assert _layout_errors('16; x => 0, r2g_int("int") => 8', tmp_path) == ""
    wrong_field = _layout_errors('16; x => 0, r2g_int("int") => 4', tmp_path)
    assert "r2g: field `Point.int` has a different offset on the Go side" in wrong_field
    assert "Point.x" not in wrong_field
    wrong_size = _layout_errors('24; x => 0, r2g_int("int") => 8', tmp_path)
    assert (
        "r2g: the C layout of IDL struct `Point` disagrees with the generated Go side" in wrong_size
    )
    wrong_x = _layout_errors('16; x => 4, r2g_int("int") => 8', tmp_path)
    assert "r2g: field `Point.x` has a different offset on the Go side" in wrong_x
