"""Every IDL the checker accepts generates code that builds: random IDL whose names come
from everything the generated Go and Rust could collide with (keywords, predeclared
names, imported packages, prelude names, the generator's own names) and whose traits use
every call kind is either rejected with located diagnostics or generated, and then the Go
is gofmt-clean, `go vet`-clean and builds as a c-archive together with a user's impl.go
written by the documented naming convention (and `go vet`s under Go 1.18 rules in its
--go118 form), the Rust passes `cargo clippy -D warnings` together with a user's code
naming every generated item it would use, and the Python peer imports and carries a
zero value of every shm method's parameters and reply through its codec.

`make test` runs a fixed handful of examples (derandomized); `make soak` runs
R2G_SOAK_EXAMPLES (default 200) random ones."""

from __future__ import annotations

import asyncio
import builtins
import importlib.util
import itertools
import keyword
import os
import py_compile
import shutil
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

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
PEERS = itertools.count()

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


def build(text: str, program: ir.Program) -> None:
    """Generates the bindings of `text` into the one work crate and builds both sides."""
    go, go118, py = CRATE / "go", CRATE / "go118", CRATE / "py"
    for d in (go, go118, py):
        shutil.rmtree(d, ignore_errors=True)  # no file of an earlier example may linger
        d.mkdir(parents=True)
    (go / "go.mod").write_text("module r2g_e2e_generative\n\ngo 1.21\n")
    (go118 / "go.mod").write_text("module r2g_e2e_generative\n\ngo 1.18\n")
    (CRATE / "src").mkdir(parents=True, exist_ok=True)
    for rel, body in {"Cargo.toml": CARGO_TOML, "src/lib.rs": LIB_RS, "src/user.rs": user_rust(program),
                      "idl/api.rs": text}.items():  # fmt: skip
        path = CRATE / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != body:
            path.write_text(body)
    rust2go("generate", "idl/api.rs", "--go-out", "go/gen.go", "--rust-out", "src/api.rs",
            "--python-out", "py/peer.py", cwd=CRATE)  # fmt: skip
    rust2go("generate", "idl/api.rs", "--go-out", "go118/gen.go", "--go118", cwd=CRATE)
    for d in (go, go118):  # the previous example's user file is not the generator's output
        (d / "impl.go").unlink(missing_ok=True)
    unformatted = run(["gofmt", "-l", "."], go).stdout.strip()
    assert not unformatted, f"gofmt would change: {unformatted}"
    for d in (go, go118):
        (d / "impl.go").write_text(user_go(program))
    run(["go", "vet", "./..."], go)
    run(["go", "build", "-buildmode=c-archive", "-o", str(CRATE / "libgo.a"), "."], go)
    run(["go", "vet", "./..."], go118)
    run(["cargo", "clippy", "--quiet", "--", "-D", "warnings"], CRATE)
    try:
        python_peer(py / "peer.py", program)
    except (Exception, SyntaxError) as e:  # noqa: BLE001 - any failure of the peer is the finding
        raise AssertionError(f"the Python peer fails: {type(e).__name__}: {e}") from e


def user_rust(program: ir.Program) -> str:
    """The user's side of every Go→Rust trait, as a user would write it (parameter names
    are the user's choice in an impl; the method names are the trait's)."""
    out = [
        "#![allow(unused_imports)]",
        "use super::api::*;",
        "use std::collections::{BTreeMap, HashMap};",
    ]
    for t in program.g2r_traits():
        out += ["#[allow(non_snake_case, clippy::too_many_arguments, clippy::ptr_arg)]",
                f"impl {t.name} for {t.name}Impl {{"]  # fmt: skip
        for m in t.methods:
            args = ", ".join(
                f"_a{i}: {'&' if p.by_ref else ''}{ir.type_text(p.ty)}"
                for i, p in enumerate(m.params)
            )
            ret = ""
            if m.ret:
                ret = ir.type_text(m.ret.ty)
                ret = f" -> Result<{ret}, String>" if m.ret.is_result else f" -> {ret}"
            out.append(f"    fn {m.name}({args}){ret} {{ unimplemented!() }}")
        out.append("}")
    # What a user names on the Rust side of every `#[r2g]` trait: the trait's methods on
    # its `{Trait}Impl`, and the shared-memory client's methods.
    out.append("#[allow(dead_code, non_snake_case)]\nfn r2g_user_names() {")
    for t in program.r2g_traits():
        out += [f"    let _ = <{t.name}Impl as {t.name}>::{m.name};" for m in t.methods]
        shm = [m for m in t.methods if m.shm]
        if shm:
            out += [f"    let _ = {t.name}Shm::{n};" for n in ("connect", "in_process", "name")]
            out += [f"    let _ = {t.name}Shm::{m.name};" for m in shm]
    out.append("}")
    return "\n".join(out) + "\n"


GO_PRIM = {"u8": "uint8", "u16": "uint16", "u32": "uint32", "u64": "uint64", "usize": "uint",
           "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64", "isize": "int",
           "f32": "float32", "f64": "float64", "bool": "bool", "char": "rune"}  # fmt: skip


def go_type(ty: ir.Type) -> str:
    """The Go spelling docs/idl.md gives each IDL type."""
    match ty:
        case ir.Prim(name):
            return GO_PRIM[name]
        case ir.Str():
            return "string"
        case ir.Vec(elem):
            return f"[]{go_type(elem)}"
        case ir.Opt(inner):
            return f"*{go_type(inner)}"
        case ir.Map(_, key, value):
            return f"map[{go_type(key)}]{go_type(value)}"
        case ir.StructT(name) | ir.EnumT(name):
            return name
    raise TypeError(ty)


def go_params(m: ir.Method) -> list[tuple[str, str]]:
    """(name, Go type) of each parameter: by pointer unless `#[go_pass_struct]`; an
    Option is a pointer already."""
    by_value = lambda p: m.go_pass_struct or isinstance(p.ty, ir.Opt)  # noqa: E731
    return [(p.name, ("" if by_value(p) else "*") + go_type(p.ty)) for p in m.params]


def user_go(program: ir.Program) -> str:
    """The impl.go a rust2go user writes: a type implementing each `#[r2g]` trait's Go
    interface (shm methods included) assigned to `{Trait}Impl`, calls of each `#[g2r]`
    method on `{Trait}Impl{}`, every struct field and enum constant by its IDL name."""
    out = ["package main", ""]
    for t in program.r2g_traits():
        user = f"r2g_user_{t.name}"
        out += [f"type {user} struct{{}}", "", f"func init() {{ {t.name}Impl = {user}{{}} }}", ""]
        for m in t.methods:
            params = ", ".join(f"{n} {ty}" for n, ty in go_params(m))
            ret = ""
            if m.ret:
                ret = (
                    f" (r2g_ret {go_type(m.ret.ty)}, r2g_err error)"
                    if m.ret.is_result
                    else f" (r2g_ret {go_type(m.ret.ty)})"
                )
            out += [
                f"func ({user}) {m.name}({params}){ret} {{",
                "\treturn" if m.ret else "",
                "}",
                "",
            ]
        if any(m.shm for m in t.methods):
            out += [f"var _ {t.name}Shm = {user}{{}}", f"var _ = {t.name}ShmServe", ""]
    for t in program.g2r_traits():
        out.append(f"func r2g_user_call_{t.name}() {{")
        for i, m in enumerate(t.methods):
            args = []
            for j, (p, (_, ty)) in enumerate(zip(m.params, go_params(m), strict=True)):
                pointer = ty.startswith("*") and not isinstance(p.ty, ir.Opt)
                out.append(f"\tvar r2g_a{i}_{j} {ty[1:] if pointer else ty}")
                args.append(f"{'&' if pointer else ''}r2g_a{i}_{j}")
            call = f"{t.name}Impl{{}}.{m.name}({', '.join(args)})"
            if m.ret is None:
                out.append(f"\t{call}")
            else:
                out.append(f"\t_{', _' if m.ret.is_result else ''} = {call}")
        out += ["}", ""]
    for s in program.structs:
        out.append(f"func r2g_user_fields_{s.name}(r2g_v *{s.name}) {{")
        out += [f"\t_ = r2g_v.{f.name}" for f in s.fields] + ["}", ""]
    for e in program.enums:
        out.append(f"var _ = []{e.name}{{{', '.join(e.name + v.name for v in e.variants)}}}")
    return "\n".join(out) + "\n"


def py_visible(name: str, role: str) -> str:
    """The Python peer's name for an IDL name (docs/idl.md): a Python keyword takes a
    trailing underscore, and so do a parameter named like the client method's own names,
    a method named like the client's `caller` attribute, and a type named like something
    the module imports or a Python built-in."""
    own = {"parameter": {"self", "timeout", "payload", "reply", "encode", "decode", "CODEC"},
           "method": {"caller"},
           # a class must not hide what the module imports or a Python built-in
           "type": {"enum", "dataclass", "annotations", "r2g_contract", "Block", "Codec",
                    "StructInfo", "decode", "encode", "ShmCaller", "CODEC", *dir(builtins)},
           }.get(role, set())  # fmt: skip
    bump = keyword.iskeyword(name) or name in own
    return (
        f"{name}_"
        if bump or (role == "parameter" and name.endswith(("_PARAMS", "_REPLY")))
        else name
    )


def py_zero(ty: ir.Type, peer):
    """The zero value of `ty` in the Python peer `peer` (its dataclasses and enums)."""
    match ty:
        case ir.Prim("f32" | "f64"):
            return 0.0
        case ir.Prim("bool"):
            return False
        case ir.Prim("char"):
            return "\0"
        case ir.Prim():
            return 0
        case ir.Str():
            return ""
        case ir.Vec(ir.Prim("u8")):
            return b""
        case ir.Vec():
            return []
        case ir.Opt():
            return None
        case ir.Map():
            return {}
        case ir.EnumT(name):
            return list(getattr(peer, py_visible(name, "type")))[0]
        case ir.StructT(name):
            s = next(s for s in peer.r2g_program.structs if s.name == name)
            return getattr(peer, py_visible(name, "type"))(
                **{py_visible(f.name, "field"): py_zero(f.ty, peer) for f in s.fields}
            )
    raise TypeError(ty)


def python_peer(path: Path, program: ir.Program) -> None:
    """The peer compiles and imports; each shm method's client, called with zero values,
    reaches the handler's `impl` with those values and returns its zero reply (a loopback
    caller in place of a segment)."""
    py_compile.compile(str(path), doraise=True)
    name = f"r2g_generative_peer_{next(PEERS)}"
    spec = importlib.util.spec_from_file_location(name, path)
    peer = importlib.util.module_from_spec(spec)
    sys.modules[name] = peer  # dataclasses look their module up
    try:
        spec.loader.exec_module(peer)
    finally:
        del sys.modules[name]
    peer.r2g_program = program
    for t in program.r2g_traits():
        if any(m.shm for m in t.methods):
            loopback(peer, t)


def loopback(peer, t: ir.Trait) -> None:
    shm = [m for m in t.methods if m.shm]
    seen: list[tuple[str, dict]] = []

    def method(m: ir.Method):
        def serve(**kw):
            seen.append((m.name, kw))
            return py_zero(m.ret.ty, peer) if m.ret else None

        return serve

    impl = SimpleNamespace(**{py_visible(m.name, "method"): method(m) for m in shm})
    handler = getattr(peer, f"{t.name}_handler")(impl, 1 << 20)

    async def call(method_id: int, payload: bytes, timeout=None) -> bytes:
        return handler(method_id, payload)

    geometry, contracts = SimpleNamespace(request_capacity=1 << 20), []
    seg = SimpleNamespace(geometry=geometry, check_contract=contracts.append)
    client = getattr(peer, f"{t.name}Client")(SimpleNamespace(seg=seg, call=call, oneway=call))
    assert contracts == [getattr(peer, f"{t.name}_CONTRACT")]  # the client checks its callee's
    for m in shm:
        args = {py_visible(p.name, "parameter"): py_zero(p.ty, peer) for p in m.params}
        got = asyncio.run(getattr(client, py_visible(m.name, "method"))(**args))
        assert got == (py_zero(m.ret.ty, peer) if m.ret else None), (t.name, m.name, got)
        assert seen[-1] == (m.name, args), (t.name, m.name, seen[-1:])


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
        assert program or not regression, "a regression IDL must be accepted:\n" + "".join(
            d.render() for d in diags
        )
        if program is None:
            errors = [d for d in diags if d.is_error]
            assert errors, text
            bad = [d.render() for d in errors if not located(d, text)]
            assert not bad, f"unlocated diagnostics for\n{text}\n" + "\n".join(bad)
            seen["rejected"] += 1
            return
        try:
            build(text, program)
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
