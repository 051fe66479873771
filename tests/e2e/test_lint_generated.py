"""The generated code is clean under the languages' own linters and builds in the
--go118 form; the bindings are byte-stable (regenerating changes nothing)."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.e2e.crates import WORK, run, rust2go, sync_tree

pytestmark = pytest.mark.e2e


def test_go_vet_is_clean(roundtrip_crate):
    run(["go", "vet", "."], roundtrip_crate.dir / "go")


def test_cargo_clippy_denies_warnings(roundtrip_crate):
    run(["cargo", "clippy", "--release", "--quiet", "--", "-D", "warnings"], roundtrip_crate.dir)


def test_go_vet_is_clean_on_async_exports(async_crate):
    run(["go", "vet", "."], async_crate.dir / "go")


def test_cargo_clippy_denies_warnings_on_async_methods(async_crate):
    run(["cargo", "clippy", "--release", "--quiet", "--", "-D", "warnings"], async_crate.dir)


def test_regenerating_rewrites_nothing(roundtrip_crate):
    out = rust2go("generate", "idl/api.rs", "--go-out", "go/gen.go", "--rust-out", "src/api.rs",
                  cwd=roundtrip_crate.dir).stdout  # fmt: skip
    assert "wrote" not in out and out.count("unchanged") == 2


def build_go118(crate, name: str) -> str:
    """Regenerates the crate's Go side with --go118 in a `go 1.18` module, vets and builds
    it; returns the generated Go."""
    work = WORK / name
    shutil.rmtree(work, ignore_errors=True)
    sync_tree(crate.dir / "go", work)
    (work / "gen.go").unlink()
    shutil.rmtree(work / "r2gcall", ignore_errors=True)
    # The crate's module path: its Go code may import the fast-call package by it.
    module = re.search(r"^module (\S+)", (work / "go.mod").read_text(), re.M)[1]
    (work / "go.mod").write_text(f"module {module}\n\ngo 1.18\n")
    rust2go("generate", crate.dir / "idl" / "api.rs", "--go-out", "gen.go", "--go118", cwd=work)
    run(["go", "vet", "./..."], work)
    run(["go", "build", "-buildmode=c-archive", "-o", "lib.a", "."], work)
    return (work / "gen.go").read_text()


def test_go118_variant_builds_under_go_1_18_language_rules(roundtrip_crate):
    assert "reflect.StringHeader" in build_go118(roundtrip_crate, "go118")


def test_layout_drift_fails_both_builds_naming_the_idl_type(roundtrip_crate):
    """Tamper with the expected size of `Prims` on each side: go and rustc must refuse."""
    import subprocess

    from tests.e2e.crates import tool_env

    work = WORK / "drift"
    shutil.rmtree(work, ignore_errors=True)
    sync_tree(roundtrip_crate.dir / "go", work / "go")
    gen = work / "go" / "gen.go"
    text = gen.read_text()
    size = int(re.search(r"unsafe\.Sizeof\(C\.r2g_PrimsRef\{\}\)-(\d+)", text)[1])
    gen.write_text(text.replace(f"r2g_PrimsRef{{}})-{size}]", f"r2g_PrimsRef{{}})-{size - 8}]"))
    vet = subprocess.run(["go", "vet", "."], cwd=work / "go", env=tool_env(), capture_output=True,
                         text=True, check=False)  # fmt: skip
    assert vet.returncode != 0 and "gen.go" in vet.stderr, vet.stderr
    assert "r2g_layout_of_Prims " in text
    rust = (roundtrip_crate.dir / "src" / "api.rs").read_text()
    bad = work / "api.rs"
    checks = f'r2g_layout!(PrimsRef, "Prims", {size};'
    assert checks in rust
    bad.write_text(rust.replace(checks, f'r2g_layout!(PrimsRef, "Prims", {size - 8};'))
    rc = subprocess.run(["rustc", "--edition", "2024", "--crate-type", "lib", "--emit", "metadata",
                         "-o", str(work / "x.rmeta"), str(bad)], capture_output=True, text=True,
                        check=False)  # fmt: skip
    assert rc.returncode != 0 and "IDL struct `Prims`" in rc.stderr, rc.stderr


def test_go_vet_is_clean_on_go_to_rust_methods(bidir_crate):
    run(["go", "vet", "."], bidir_crate.dir / "go")


def test_cargo_clippy_denies_warnings_on_go_to_rust_entry_points(bidir_crate):
    run(["cargo", "clippy", "--release", "--quiet", "--", "-D", "warnings"], bidir_crate.dir)


def test_go118_variant_of_go_to_rust_methods_builds_under_go_1_18_rules(bidir_crate):
    assert "func (EchoImpl) lists(" in build_go118(bidir_crate, "go118_g2r")


NAMES_IDL = """
pub struct S { pub len: u32, pub string: String }
pub enum E { A, B }
#[rust2go::r2g]
pub trait Back {
    fn f(S: &S, E: E, len: u32, nil: u8, string: &String, C: u8, fmt: Vec<S>) -> S;
    fn g(S: S, append: Vec<String>) -> Result<E, String>;
    async fn h(S: &S, cap: u32) -> u32;
}
#[rust2go::g2r]
pub trait Forth {
    fn f(S: &S, E: E, len: u32, nil: u8, string: &String, C: u8, fmt: Vec<S>) -> S;
    #[cgo_call]
    fn g(S: S, append: Vec<String>) -> Result<E, String>;
}
"""


def names_crate(tmp_path, with_go_mod: bool) -> None:
    (tmp_path / "api.rs").write_text(NAMES_IDL)
    if with_go_mod:
        (tmp_path / "go.mod").write_text("module names\n\ngo 1.21\n")
    (tmp_path / "impl.go").write_text(
        "package main\n\ntype impl struct{}\n\nfunc init() { BackImpl = impl{} }\n\n"
        "func (impl) f(S *S, E *E, len *uint32, nil *uint8, string *string, C *uint8, fmt *[]S) S "
        "{ return *S }\n"
        "func (impl) g(S *S, append *[]string) (E, error) { return EA, nil }\n"
        "func (impl) h(S *S, cap *uint32) uint32 { return *cap }\n")  # fmt: skip
    rust2go("generate", "api.rs", "--go-out", "gen.go", cwd=tmp_path)


def test_parameters_named_like_go_builtins_packages_or_types_compile(tmp_path):
    """Names the generated Go bodies rely on are renamed there: go vet and a c-archive
    build accept the file (the interface keeps the IDL's names)."""
    names_crate(tmp_path, with_go_mod=True)
    gen = (tmp_path / "gen.go").read_text()
    assert "f(S *S, E *E, len *uint32" in gen  # the interface keeps the IDL's names
    assert '"names/r2gcall"' in gen
    run(["go", "vet", "./..."], tmp_path)
    run(["go", "build", "-buildmode=c-archive", "-o", "lib.a", "."], tmp_path)


def test_without_a_go_mod_fast_methods_use_the_runtime_routine_and_still_build(tmp_path):
    """No go.mod above the Go output: no import path for the fast-call package, so none
    is written and the fast method goes through runtime.asmcgocall, linknamed in gen.go."""
    names_crate(tmp_path, with_go_mod=False)
    gen = (tmp_path / "gen.go").read_text()
    assert "//go:linkname r2g_asmcgocall runtime.asmcgocall" in gen and "r2gcall" not in gen
    assert not (tmp_path / "r2gcall").exists()
    (tmp_path / "go.mod").write_text("module names\n\ngo 1.21\n")
    run(["go", "vet", "."], tmp_path)
    run(["go", "build", "-buildmode=c-archive", "-o", "lib.a", "."], tmp_path)
