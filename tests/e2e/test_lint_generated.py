"""The generated code is clean under the languages' own linters and builds in the
--go118 form; the bindings are byte-stable (regenerating changes nothing)."""

from __future__ import annotations

import shutil

import pytest

from tests.e2e.crates import WORK, run, rust2go, sync_tree

pytestmark = pytest.mark.e2e


def test_go_vet_is_clean(roundtrip_crate):
    run(["go", "vet", "."], roundtrip_crate.dir / "go")


def test_cargo_clippy_denies_warnings(roundtrip_crate):
    run(["cargo", "clippy", "--release", "--quiet", "--", "-D", "warnings"], roundtrip_crate.dir)


def test_regenerating_rewrites_nothing(roundtrip_crate):
    out = rust2go("generate", "idl/api.rs", "--go-out", "go/gen.go", "--rust-out", "src/api.rs",
                  cwd=roundtrip_crate.dir).stdout  # fmt: skip
    assert "wrote" not in out and out.count("unchanged") == 2


def test_go118_variant_builds_under_go_1_18_language_rules(roundtrip_crate):
    work = WORK / "go118"
    shutil.rmtree(work, ignore_errors=True)
    sync_tree(roundtrip_crate.dir / "go", work)
    (work / "gen.go").unlink()
    (work / "go.mod").write_text("module r2g_e2e_go118\n\ngo 1.18\n")
    rust2go("generate", roundtrip_crate.dir / "idl" / "api.rs", "--go-out", "gen.go", "--go118",
            cwd=work)  # fmt: skip
    assert "reflect.StringHeader" in (work / "gen.go").read_text()
    run(["go", "vet", "."], work)
    run(["go", "build", "-buildmode=c-archive", "-o", "lib.a", "."], work)
