"""Which generated Go shm handlers keep their request copy (`r2g_w.keep()`): exactly those
whose decoded arguments view it (strings and numeric slices, however deep), so a value a
Go method keeps never changes under it, and the others reuse the copy without allocating."""

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
}
"""

VIEWS = {"text", "bytes", "floats", "nested", "keys", "deep"}


def test_exactly_the_methods_whose_arguments_view_the_request_keep_it():
    program, diags = check_source(SourceFile("views.rs", IDL))
    assert program is not None, diags
    (trait,) = lower_go_shm(program).traits
    assert {m.name: m.views for m in trait.methods} == {
        m.name: m.name in VIEWS for m in trait.methods
    }
    assert len(trait.methods) == 9
