"""Which generated Go shm handlers keep their request copy (`r2g_w.keep()`): exactly those
with an owned argument that views it (strings and numeric slices, however deep), so a
value a Go method keeps never changes under it. The others reuse the copy without
allocating, including those whose viewing arguments are all borrowed (`&T`): those views
are lent for the call, as the Rust signature says."""

from __future__ import annotations

from rust2go.codegen.api import check_source
from rust2go.codegen.lower.shm_go import lower_go_shm
from rust2go.codegen.source import SourceFile

IDL = """
use std::collections::HashMap;
pub enum Color { Red, Blue }
pub struct Pt { pub x: i32, pub c: Color }
pub struct Named { pub name: String }
pub struct Node { pub n: u32, pub kids: Vec<Node> }
pub struct Labelled { pub n: u32, pub kids: Vec<Labelled>, pub label: Option<String> }
#[r2g]
pub trait Views {
    #[mem] fn scalars(a: u64, b: bool, c: char, d: Color) -> u64;
    #[mem] fn point(p: Pt, ps: Vec<Pt>, flags: Vec<bool>, o: Option<i64>);
    #[mem] fn tree(t: Node, by: HashMap<u32, Pt>);
    #[mem] fn text(s: String);
    #[mem] fn bytes(b: Vec<u8>);
    #[mem] fn floats(o: Option<Vec<f64>>);
    #[mem] fn nested(v: Vec<Named>);
    #[mem] fn keys(m: HashMap<String, u32>);
    #[mem] fn deep(t: Labelled);
    #[mem] fn lent(n: &Named, t: &Labelled, b: &Vec<u8>);
    #[mem] fn lent_and_owned(n: &Named, s: String);
    #[mem] fn lent_plain(p: &Pt, s: String);
}
"""

KEEPS = {"text", "bytes", "floats", "nested", "keys", "deep", "lent_and_owned", "lent_plain"}


def test_exactly_the_methods_with_an_owned_argument_that_views_the_request_keep_it():
    program, diags = check_source(SourceFile("views.rs", IDL))
    assert program is not None, diags
    (trait,) = lower_go_shm(program).traits
    assert {m.name: m.keeps for m in trait.methods} == {
        m.name: m.name in KEEPS for m in trait.methods
    }
    assert len(trait.methods) == 12
