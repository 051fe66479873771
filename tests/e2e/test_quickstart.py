"""The README's quickstart as a newcomer runs it: a fresh clone of this repository (its
committed HEAD), then the quickstart's `make demo` line, literally. (Its `make test` line is
this suite itself.) The clone gets its own .venv; the cargo target dir and Go build cache
are the suite's shared ones, so nothing is compiled twice."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.e2e.crates import need, run, tool_env

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]


def quickstart_lines() -> list[str]:
    text = (ROOT / "README.md").read_text()
    part = text.split("## Quickstart\n", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```sh\n(.*?)```", part, re.S)
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_make_demo_from_a_fresh_clone_works_as_the_readme_says(tmp_path):
    for tool in ("git", "make", "go", "cargo"):
        need(tool)
    lines = quickstart_lines()
    assert lines == ["make demo", "make test"], lines
    clone = tmp_path / "rust2go"
    run(["git", "clone", "--quiet", str(ROOT), str(clone)], tmp_path)
    env = tool_env()
    env.pop("VIRTUAL_ENV", None)
    r = subprocess.run(["bash", "-euc", lines[0]], cwd=clone, env=env, capture_output=True,
                       text=True, timeout=1500)  # fmt: skip
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-6000:]
    assert (clone / ".venv" / "bin" / "rust2go").is_file()
    for line in ("all calls returned what Go computed",  # examples/basic
                 "examples/basic/idl/user.rs: ok",  # the IDL check
                 "examples/sidecar",  # the shared-memory examples
                 "examples/bidirectional"):  # Go→Rust  # fmt: skip
        assert line in out, (line, out[-6000:])
    assert "Traceback" not in out and "BuildBackendWarning" not in out
    assert len(out.splitlines()) < 250, len(out.splitlines())  # readable, not a flood
