"""The parser's fast path (codegen/parse_fast.py) builds what lark builds, and is taken for
the structs it is meant for (the fuzzer compares both on every mutated input)."""

from __future__ import annotations

import pytest

from rust2go.codegen import parse_fast
from rust2go.codegen.diagnostics import Diagnostics
from rust2go.codegen.lexer import lex_raw
from rust2go.codegen.parser import _item_boundaries
from rust2go.codegen.source import SourceFile
from tests.frontend import fuzz

CORPUS = fuzz.corpus()


@pytest.mark.parametrize("index", range(len(CORPUS)))
def test_same_ast_and_diagnostics_as_lark(index: int) -> None:
    assert fuzz._fast_path_differs(SourceFile("corpus.rs", CORPUS[index])) is None


def test_taken_for_plain_structs_and_not_for_the_rest() -> None:
    text = (
        "/// doc\n#[derive(Debug, Clone)]\npub struct A { pub a: u32, #[serde(x)] b: Vec<Option<A>>, }\n"
        "pub(crate) struct B { c: ::std::collections::HashMap<String, &B> }\n"
        "struct C<T> { a: T }\n"
        "struct D { a: &'a u8 }\n"
        "struct E { a: [u8; 4] }\n"
        "struct F(u8);\n"
        "enum G { A }\n"
        "struct H { a: u8 b: u8 }\n"
    )
    source = SourceFile("fast.rs", text)
    tokens = lex_raw(source, Diagnostics())
    bounds = _item_boundaries(tokens)
    built = [
        parse_fast.item(tokens, a, b, source) for a, b in zip(bounds, bounds[1:], strict=False)
    ]
    assert [d.name if d else None for d in built] == ["A", "B", None, None, None, None, None, None]
    assert fuzz._fast_path_differs(source) is None


@pytest.mark.parametrize(
    "head", ["type A = B<{1}\n", "trait T: X<{1}\n", "pub type A = B<{1}, C<{2}\n"]
)
def test_an_item_lark_reads_past_its_boundary(head: str) -> None:
    # The first struct after such an item is, for lark, where the item goes wrong: the
    # fast path must give it back rather than take it.
    text = head + "".join(f"pub struct A{i} {{ pub a: u8 }}\n" for i in range(50))
    assert fuzz._fast_path_differs(SourceFile("cont.rs", text)) is None
