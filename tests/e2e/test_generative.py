"""Every IDL the checker accepts generates code that builds: random IDL whose names come
from everything the generated Go and Rust could collide with (keywords, predeclared
names, imported packages, prelude names, the generator's own names) and whose traits use
every call kind is either rejected with located diagnostics or generated, and then the Go
is gofmt-clean, `go vet`-clean and builds as a c-archive, and the Rust passes
`cargo clippy -D warnings`.

`make test` runs a fixed handful of examples (derandomized); `make soak` runs
R2G_SOAK_EXAMPLES (default 200) random ones."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from rust2go.codegen import ir
from rust2go.codegen.api import check_source
from rust2go.codegen.source import SourceFile
from tests.e2e.crates import WORK, need, run, rust2go
from tests.idl_strategies import Program, hostile_programs

pytestmark = pytest.mark.e2e

SOAK = int(os.environ.get("R2G_SOAK_EXAMPLES", "0"))
EXAMPLES = SOAK or 12
CRATE = WORK / "generative"
REGRESSIONS = Path(__file__).parent / "generative_regressions"

CARGO_TOML = """[package]
name = "r2g_e2e_generative"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
path = "src/lib.rs"

[workspace]
"""
LIB_RS = "#[allow(dead_code)]\nmod api;\nmod user;\n"


def located(diag, text: str) -> bool:
    """An error names a line and column inside the file and says something about it."""
    if diag.span is None or not 1 <= diag.span.line <= text.count("\n") + 1:
        return False
    head = f"gen.rs:{diag.span.line}:{diag.span.col}"
    return head in diag.render()


def build(text: str, user_rust: str) -> None:
    """Generates the bindings of `text` into the one work crate and builds both sides."""
    go = CRATE / "go"
    shutil.rmtree(go, ignore_errors=True)  # no file of an earlier example may linger
    go.mkdir(parents=True)
    (go / "go.mod").write_text("module r2g_e2e_generative\n\ngo 1.21\n")
    (CRATE / "src").mkdir(parents=True, exist_ok=True)
    for rel, body in {"Cargo.toml": CARGO_TOML, "src/lib.rs": LIB_RS, "src/user.rs": user_rust,
                      "idl/api.rs": text}.items():  # fmt: skip
        path = CRATE / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != body:
            path.write_text(body)
    rust2go("generate", "idl/api.rs", "--go-out", "go/gen.go", "--rust-out", "src/api.rs", cwd=CRATE)
    unformatted = run(["gofmt", "-l", "."], go).stdout.strip()
    assert not unformatted, f"gofmt would change: {unformatted}"
    run(["go", "vet", "./..."], go)
    run(["go", "build", "-buildmode=c-archive", "-o", str(CRATE / "libgo.a"), "."], go)
    run(["cargo", "clippy", "--quiet", "--", "-D", "warnings"], CRATE)


def user_rust(program: ir.Program) -> str:
    """The user's side of every Go→Rust trait, as a user would write it (parameter names
    are the user's choice in an impl; the method names are the trait's)."""
    out = ["#![allow(unused_imports)]", "use super::api::*;", "use std::collections::{BTreeMap, HashMap};"]
    for t in program.g2r_traits():
        out += ["#[allow(non_snake_case, clippy::too_many_arguments, clippy::ptr_arg)]",
                f"impl {t.name} for {t.name}Impl {{"]  # fmt: skip
        for m in t.methods:
            args = ", ".join(f"_a{i}: {'&' if p.by_ref else ''}{ir.type_text(p.ty)}" for i, p in enumerate(m.params))
            ret = ""
            if m.ret:
                ret = ir.type_text(m.ret.ty)
                ret = f" -> Result<{ret}, String>" if m.ret.is_result else f" -> {ret}"
            out.append(f"    fn {m.name}({args}){ret} {{ unimplemented!() }}")
        out.append("}")
    return "\n".join(out) + "\n"


def call_kinds(program: ir.Program) -> set[str]:
    kinds = set()
    for t in program.traits:
        for m in t.methods:
            if t.direction is ir.Direction.G2R:
                kinds.add("g2r cgo_call" if m.cgo_callback else "g2r fast")
            elif m.shm or t.shm:
                kinds.add("shm")
            else:
                kinds.add(m.kind.value)
    return kinds


def test_every_accepted_idl_builds_on_every_path():
    for tool in ("go", "cargo", "gofmt", "rustfmt"):
        need(tool)
    seen: Counter[str] = Counter()

    def check_and_build(text: str, regression: bool = False) -> None:
        program, diags = check_source(SourceFile("gen.rs", text))
        assert program or not regression, "a regression IDL must be accepted:\n" + "".join(d.render() for d in diags)
        if program is None:
            errors = [d for d in diags if d.is_error]
            assert errors, text
            bad = [d.render() for d in errors if not located(d, text)]
            assert not bad, f"unlocated diagnostics for\n{text}\n" + "\n".join(bad)
            seen["rejected"] += 1
            return
        try:
            build(text, user_rust(program))
        except AssertionError as e:
            raise AssertionError(f"accepted IDL does not build:\n{text}\n{e}") from None
        seen["built"] += 1
        seen.update(call_kinds(program))

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=not SOAK, database=None,
              phases=[Phase.explicit, Phase.generate],  # a shrink step is a full build
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(hostile_programs())
    def generated(program: Program) -> None:
        check_and_build(program.text())

    # Each IDL here once found a generator bug: they run every time, before the random ones.
    for path in sorted(REGRESSIONS.glob("*.rs")):
        check_and_build(path.read_text(), regression=True)
    generated()
    print(f"\ngenerative: {dict(seen)}")
    # A generator whose IDL is nearly always rejected proves nothing about the builds.
    assert seen["built"] >= EXAMPLES // 3, dict(seen)
    for kind in ("oneway", "sync", "async", "shm", "g2r fast", "g2r cgo_call"):
        assert seen[kind] > 0, f"no built example had a {kind} method: {dict(seen)}"
