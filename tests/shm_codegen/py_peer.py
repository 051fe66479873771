"""The typed Python modules generated from tests/shm_codegen/idl/svc.rs and from the live
peer's IDL (peer/idl/api.rs), imported fresh; the sample values of the golden payloads."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path

from rust2go.codegen.api import load_program
from rust2go.codegen.emit.files import banner
from rust2go.codegen.emit.shm_files import python_module

HERE = Path(__file__).parent
IDL = HERE / "idl" / "svc.rs"
PEER_IDL = HERE / "peer" / "idl" / "api.rs"
CACHE = Path(__file__).resolve().parents[2] / ".cache" / "shm_codegen"


def _generate(idl: Path, name: str):
    program = load_program(idl)
    out = CACHE / f"{name}.py"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(python_module(program, banner(program)))
    spec = importlib.util.spec_from_file_location(name, out)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(mod)
    return mod


@cache
def svc():
    return _generate(IDL, "svc_shm")


@cache
def peer():
    """The module of the IDL the Rust and Go peers are built from (golden payloads)."""
    return _generate(PEER_IDL, "peer_shm")


@cache
def method_ids() -> dict[str, int]:
    (trait,) = load_program(PEER_IDL).r2g_traits()
    return {m.name: m.index for m in trait.methods}


def sample_all(m, n: int = 0):
    """One value reaching every IDL type kind (n varies it)."""
    return m.All(
        b=bool(n % 2), ch="é", f=1.5 + n, s=f"hello {n}", v=bytes([1, 2, n % 256]), vs=["a", "", "bc"],
        o=m.Inner("t", [5, 6, n]), op=None if n % 3 else -n,
        m={"k": [m.Point(1, -2, m.Color.Blue)], "z": []}, e=m.Color.Red,
        inner=[m.Inner("", []), m.Inner("x", [n])],
    )  # fmt: skip


def sample_kinds(m):
    """The kinds `All` lacks (peer IDL only); extremes where a width could be truncated.
    Maps hold one entry: Go writes map entries in its random iteration order."""
    return m.Kinds(
        a=0xFF, b=0xBEEF, c=0xDEADBEEF, d=2**64 - 1, e=2**40 + 3, f=-128, g=-2, h=-(2**31),
        i=-(2**63), j=-7, k=-2.25, flags=[True, False, True], chars=["a", "é", "😀"],
        floats=[0.5, -1.0], wides=[m.Wide.Low, m.Wide.High], nested=[[1, 2], [], [65535]],
        os="opt", ov=["x", ""], oo=-5, oe=m.Wide.High, none=None, by_id={42: "answer"},
        by_char={"ß": m.Empty()}, empty=m.Empty(), w=m.Wide.Low,
        tree=m.Tree("root", [m.Tree("leaf", []), m.Tree("", [m.Tree("deep", [])])]),
    )  # fmt: skip
