"""The typed Python module generated from tests/shm_codegen/idl/svc.rs, imported fresh."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path

from rust2go.codegen.api import load_program
from rust2go.codegen.emit.files import banner
from rust2go.codegen.emit.shm_files import python_module

IDL = Path(__file__).parent / "idl" / "svc.rs"
OUT = Path(__file__).resolve().parents[2] / ".cache" / "shm_codegen" / "svc_shm.py"


@cache
def svc():
    program = load_program(IDL)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(python_module(program, banner(program)))
    spec = importlib.util.spec_from_file_location("svc_shm", OUT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["svc_shm"] = mod  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(mod)
    return mod


def sample_all(m, n: int = 0):
    """One value reaching every IDL type kind (n varies it)."""
    return m.All(
        b=bool(n % 2), ch="é", f=1.5 + n, s=f"hello {n}", v=[1, 2, n % 256], vs=["a", "", "bc"],
        o=m.Inner("t", [5, 6, n]), op=None if n % 3 else -n,
        m={"k": [m.Point(1, -2, m.Color.Blue)], "z": []}, e=m.Color.Red,
        inner=[m.Inner("", []), m.Inner("x", [n])],
    )  # fmt: skip
