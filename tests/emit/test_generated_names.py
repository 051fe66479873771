"""The names the checker reserves for generated code are the names the generated code
declares: a list that falls behind its template lets a clash through to the compilers."""

from __future__ import annotations

import re

from rust2go.codegen.api import GenerateOptions, check_source
from rust2go.codegen.check.names import SHM_CLIENT_METHODS
from rust2go.codegen.emit import emit_all
from rust2go.codegen.source import SourceFile

IDL = """
#[rust2go::r2g]
pub trait Calls {
    #[mem]
    fn ping(a: u32) -> u32;
    #[mem]
    async fn later() -> u32;
}
"""


def test_shm_client_methods_are_the_reserved_ones():
    program, diags = check_source(SourceFile("x.rs", IDL))
    assert program is not None, diags
    rust = emit_all(program, GenerateOptions(fmt=False)).rust
    body = re.search(r"^impl CallsShm \{\n(.*?)^\}", rust, re.M | re.S)
    assert body, "no inherent impl of the shm client"
    own = set(re.findall(r"\bpub fn (\w+)", body[1])) - {"ping", "later"}
    assert {n for n in own if not n.startswith("r2g_")} == SHM_CLIENT_METHODS


def test_every_reserved_client_method_is_rejected_on_a_shm_method():
    for name in sorted(SHM_CLIENT_METHODS):
        text = IDL.replace("fn ping(", f"fn {name}(")
        program, diags = check_source(SourceFile("x.rs", text))
        assert program is None and [d.code for d in diags] == ["shm-method-name"], (name, diags)
        # the same name on a method called through cgo is the user's to take
        program, diags = check_source(SourceFile("x.rs", text.replace("#[mem]\n    fn", "fn", 1)))
        assert program is not None, (name, diags)
