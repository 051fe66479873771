"""The `rust2go.*` namespace is assembled from top-level folders by setuptools
package-dir. Both install modes must import from outside the repository and find package
data (the grammar, templates)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import importlib.resources as r, json, sys
import rust2go, rust2go.codegen, rust2go.daemon, rust2go.runtime, rust2go.shm, rust2go.cli
from rust2go.codegen.api import load_program
grammar = r.files("rust2go.codegen").joinpath("idl.lark")
program = load_program(sys.argv[1])
print(json.dumps({"codegen": rust2go.codegen.__file__, "grammar": grammar.is_file(),
                  "structs": [s.name for s in program.structs]}))
"""


def _probe(python: str, tmp_path: Path, env: dict | None = None) -> dict:
    import json

    idl = ROOT / "tests" / "frontend" / "examples" / "example_monoio.rs"
    out = subprocess.run([python, "-c", PROBE, str(idl)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(out.stdout)


def test_editable_install_imports_from_outside_the_repo(tmp_path: Path) -> None:
    info = _probe(sys.executable, tmp_path)
    assert Path(info["codegen"]).parent == ROOT / "codegen"
    assert info["grammar"] is True
    assert info["structs"] == ["DemoUser", "DemoComplicatedRequest", "DemoResponse"]


def test_regular_install_has_every_subpackage_and_its_data(tmp_path: Path) -> None:
    import os

    target = tmp_path / "site"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(ROOT)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    # Every data folder is a listed package: setuptools has nothing to warn about.
    assert "absent from the `packages` configuration" not in built.stderr, built.stderr[-3000:]
    env = dict(os.environ, PYTHONPATH=str(target))
    info = _probe(sys.executable, tmp_path, env)
    assert Path(info["codegen"]).is_relative_to(target), info["codegen"]
    assert info["grammar"] is True
    assert (target / "rust2go" / "codegen" / "idl.lark").is_file()
    for pkg in ("codegen/check", "codegen/lower", "codegen/emit", "codegen/support", "daemon",
                "runtime", "loadtest", "shm", "migrate"):  # fmt: skip
        assert (target / "rust2go" / pkg / "__init__.py").is_file(), pkg
    # Data the generators read at run time.
    assert (target / "rust2go" / "codegen" / "support" / "async_slot.rs").is_file()
    assert list((target / "rust2go" / "codegen" / "templates").rglob("*.j2"))
    assert (target / "rust2go" / "loadtest" / "idl" / "load.rs").is_file()
    support = target / "rust2go" / "codegen" / "support"  # the fixed sources templates include
    assert (support / "rust" / "wire.rs").is_file() and (
        support / "rust" / "shm" / "conn.rs"
    ).is_file()
    assert list((support / "go" / "shm").glob("*.go"))
    assert (target / "rust2go" / "loadtest" / "templates" / "stats.rs").is_file()
    assert list((target / "rust2go" / "shm").glob("_atomics*.so")), "the atomics C extension"
