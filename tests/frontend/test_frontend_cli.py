"""The CLI front door: exit statuses (0 ok, 1 user error, 2 usage error) and never a
traceback, whatever the input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def rust2go(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rust2go", *args], capture_output=True,
                          text=True, cwd=cwd)  # fmt: skip


def test_check_ok() -> None:
    r = rust2go("check", str(HERE / "ir" / "broad.rs"))
    assert r.returncode == 0, r.stderr
    assert "ok (5 structs, 2 enums, 3 traits" in r.stdout


def test_check_reports_every_error_and_exits_1() -> None:
    r = rust2go("check", str(HERE / "diagnostics" / "unsupported_types.rs"))
    assert r.returncode == 1
    assert r.stderr.count("error[") == 14
    assert "Traceback" not in r.stderr


def test_check_several_files_worst_status_wins() -> None:
    r = rust2go("check", str(HERE / "ir" / "broad.rs"), str(HERE / "diagnostics" / "enums.rs"))
    assert r.returncode == 1
    assert "broad.rs: ok" in r.stdout


def test_usage_errors_exit_2() -> None:
    assert rust2go("check").returncode == 2
    assert rust2go("no-such-command").returncode == 2
    assert rust2go().returncode == 2


def test_bad_paths_are_user_errors_not_tracebacks(tmp_path: Path) -> None:
    for target, words in ((tmp_path, "is a directory"), (tmp_path / "missing.rs", "no such file")):
        r = rust2go("check", str(target))
        assert r.returncode == 1
        assert words in r.stderr and "Traceback" not in r.stderr


def test_dump_ir_prints_the_golden_form() -> None:
    r = rust2go("dump-ir", "broad.rs", cwd=HERE / "ir")
    assert r.returncode == 0
    assert r.stdout == (HERE / "ir" / "broad.ir").read_text()


def test_warnings_do_not_fail_the_check(tmp_path: Path) -> None:
    idl = tmp_path / "warn.rs"
    idl.write_text("#[r2g]\npub trait T {\n    #[mem_call]\n    fn f(a: u8);\n}\n")
    r = rust2go("check", str(idl))
    assert r.returncode == 0
    assert "warning[unknown-attribute]" in r.stderr and "warn.rs:3:7" in r.stderr


def test_an_internal_error_is_one_line_and_exit_3(tmp_path: Path) -> None:
    """A bug in rust2go (simulated: the checker raises) is reported as one, never as a
    traceback, with the input to attach to the report."""
    idl = tmp_path / "api.rs"
    idl.write_text("pub struct S { pub a: u8 }\n")
    code = ("import sys, rust2go.commands.check as c\n"
            "def boom(*a, **k): raise KeyError('surprise')\n"
            "c.front_end = boom\n"
            "from rust2go.cli import main\n"
            f"sys.exit(main(['check', {str(idl)!r}]))\n")  # fmt: skip
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 3, r.stderr
    assert r.stderr.strip().count("\n") == 0 and "Traceback" not in r.stderr
    assert "internal error in `rust2go check` (KeyError: 'surprise'); please report it" in r.stderr
    assert str(idl) in r.stderr


def test_deeply_nested_braces_in_ignored_items_are_read(tmp_path: Path) -> None:
    """100,000 nested braces in a fn body the IDL ignores: no recursion limit, no error."""
    idl = tmp_path / "deep.rs"
    idl.write_text("fn f() " + "{" * 100_000 + "}" * 100_000 + "\npub struct S { pub a: u8 }\n")
    r = rust2go("check", str(idl))
    assert r.returncode == 0, r.stderr[-2000:]
    assert "ok (1 structs" in r.stdout


def test_generate_makes_every_output_from_one_pass(tmp_path: Path) -> None:
    """Go, Rust, build helper, Python peer and Go server in one command: each file written,
    the IDL's warning printed once (one front-end pass), and the server's go.mod beside it."""
    idl = tmp_path / "user.rs"
    idl.write_text(
        "pub struct Req { pub n: u32 }\n"
        "#[r2g]\npub trait Calc {\n"
        "    #[mem]\n    fn double(req: &Req) -> u32;\n"
        "    #[strange_attribute]\n    fn triple(req: &Req) -> u32;\n}\n"
    )
    outs = {"--go-out": "go/gen.go", "--rust-out": "src/gen.rs", "--build-helper": "r2g_build.rs",
            "--python-out": "py/peer.py", "--go-server": "server/main.go"}  # fmt: skip
    args = [a for flag, rel in outs.items() for a in (flag, str(tmp_path / rel))]
    r = rust2go("generate", str(idl), *args, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("warning[") == 1, r.stderr
    for rel in [*outs.values(), "server/go.mod"]:
        assert (tmp_path / rel).is_file(), rel
        assert f"wrote {tmp_path / rel}" in r.stdout
    # Again: nothing changes, and the go.mod now found is the server's own (left alone).
    again = rust2go("generate", str(idl), *args, cwd=tmp_path)
    assert again.stdout.count("unchanged") == len(outs) and "wrote" not in again.stdout


def test_parsing_stops_after_the_syntax_error_limit(tmp_path: Path) -> None:
    """A file of syntax errors gets the first MAX_SYNTAX_ERRORS of them and a last,
    located error that says parsing stopped there (the rest is not read)."""
    from rust2go.codegen.parser import MAX_SYNTAX_ERRORS

    idl = tmp_path / "broken.rs"
    idl.write_text("".join(f"pub struct S{i} {{ pub a: u32 pub b: u8 }}\n" for i in range(800)))
    r = rust2go("check", str(idl))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.count("error[unexpected-token]") == MAX_SYNTAX_ERRORS
    stop = f"error[too-many-errors]: parsing stopped after {MAX_SYNTAX_ERRORS} syntax errors"
    assert stop in r.stderr
    assert f"broken.rs:{MAX_SYNTAX_ERRORS + 1}:1" in r.stderr.split(stop)[1]  # the next struct
