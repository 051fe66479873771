"""The pieces of `rust2go migrate` on their own: splitting a module into items, reading an
original build.rs, editing manifests; and `generate` following go.mod's Go version."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rust2go.migrate import manifests
from rust2go.migrate.build_rs import Unrecognised, read_builder
from rust2go.migrate.items import split

MODULE = """//! Module docs.
#![allow(dead_code)]
use std::collections::HashMap;
use std::fmt::Write as _;

pub mod binding {
    rust2go::r2g_include_binding!();
}

/// A user.
#[derive(rust2go::R2G, Clone)]
pub struct User {
    pub name: String, // "}" in a comment
    pub tags: HashMap<String, u8>,
}

#[rust2go::r2g]
pub trait Call {
    fn f(u: &User) -> u8;
}

pub trait NotIdl {
    fn g(&self);
}

impl User {
    pub fn brace(&self) -> &str { "}{" }
}

pub const N: User = User { name: String::new(), tags: HashMap::new() };
macro_rules! m { () => {} }
pub(crate) async fn later() {}
"""


def test_items_split_where_rust_items_end_and_keep_every_byte():
    items = split(MODULE, "user.rs")
    assert "".join(it.text for it in items) == MODULE
    kinds = [(it.kind, it.idl) for it in items]
    assert kinds == [("inner", False), ("use", False), ("use", False),
                     ("mod", False), ("struct", True), ("trait", True), ("trait", False),
                     ("impl", False), ("other", False), ("other", False), ("fn", False)]  # fmt: skip
    assert items[3].binding_module
    assert items[4].text.lstrip().startswith("/// A user.")
    assert items[1].imported_names() == {"HashMap"}
    assert items[2].imported_names() == {"_"}


BUILD = """use std::path::PathBuf; // unused
fn main() {
    // regenerate on every build
    rust2go::Builder::new()
        .with_go_src("./go")
        .with_link(rust2go::LinkType::Dynamic)
        .with_binding("bindings.rs")
        .with_regen_arg(rust2go::RegenArgs {
            src: "./src/user.rs".into(),
            dst: "./go/gen.go".to_string(),
            go118: true,
            without_main: false,
            ..Default::default()
        })
        .build();
}
"""


def test_builder_chain_is_read():
    s = read_builder(BUILD)
    assert (s.go_src, s.idl, s.go_out, s.go118, s.without_main, s.dynamic) == (
        "./go", "./src/user.rs", "./go/gen.go", True, False, True)  # fmt: skip
    assert any("with_binding" in n for n in s.notes)


@pytest.mark.parametrize("text", [
    "fn main() { cc::Build::new().compile(\"x\"); rust2go::Builder::new().build(); }",
    "fn main() { rust2go::Builder::new().with_regen_arg(args()).build(); }",
    "fn main() { rust2go::Builder::new().with_something_new(1).build(); }",
    "fn helper() {}\nfn main() { rust2go::Builder::new().build(); }",
])  # fmt: skip
def test_anything_else_in_build_rs_is_not_guessed_at(text):
    with pytest.raises(Unrecognised):
        read_builder(text)


CARGO = """[package]
name = "x" # the name
edition = "2021"

[dependencies]
rust2go = "0.4"
serde = { version = "1" }

[build-dependencies]
rust2go = { version = "0.4",
    features = ["build"] }

[dependencies.rust2go-mem-ffi]
version = "0.2"
features = ["tokio"]

[workspace]
"""


def test_cargo_toml_loses_only_the_original_crates():
    text, removed = manifests.drop_crates(CARGO)
    assert text == ('[package]\nname = "x" # the name\nedition = "2021"\n\n[dependencies]\n'
                    'serde = { version = "1" }\n\n[workspace]\n')  # fmt: skip
    assert len(removed) == 3


def test_go_mod_and_go_sum_lose_the_original_module():
    mod = ("module x\n\ngo 1.18\n\nrequire (\n\tgithub.com/ihciah/rust2go v0.0.0-1 // indirect\n"
           "\tgolang.org/x/sys v0.1.0\n)\n")  # fmt: skip
    text, removed = manifests.drop_go_module(mod)
    assert removed and "ihciah" not in text and "golang.org/x/sys v0.1.0" in text
    only = "module x\n\ngo 1.18\n\nrequire github.com/ihciah/rust2go v0.0.0-1\n"
    assert manifests.drop_go_module(only) == ("module x\n\ngo 1.18\n", True)
    s = "github.com/ihciah/rust2go v1 h1:a=\ngithub.com/ihciah/rust2go v1/go.mod h1:b=\nx v1 h1:c=\n"
    assert manifests.drop_go_sums(s) == ("x v1 h1:c=\n", 2)


@pytest.mark.parametrize(("directive", "go118"), [("1.18", True), ("1.20", True), ("1.21", False)])
def test_generate_follows_the_go_directive_of_the_nearest_go_mod(tmp_path, directive, go118):
    (tmp_path / "go").mkdir()
    (tmp_path / "go" / "go.mod").write_text(f"module x\n\ngo {directive}\n")
    idl = tmp_path / "api.rs"
    idl.write_text("#[rust2go::r2g]\npub trait T { fn f(s: String) -> String; }\n")
    subprocess.run([sys.executable, "-m", "rust2go", "generate", str(idl), "--go-out",
                    str(tmp_path / "go" / "gen.go")], check=True, capture_output=True)  # fmt: skip
    assert ("reflect.StringHeader" in (tmp_path / "go" / "gen.go").read_text()) == go118
