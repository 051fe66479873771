"""Formatting in pieces (emit/chunks.py): a regeneration that reuses formatted pieces
writes exactly the bytes of a full run, and formats only the pieces that changed."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from rust2go.codegen.api import GenerateOptions, check_source
from rust2go.codegen.emit import emit_all
from rust2go.codegen.emit.chunks import FRAME, ITEMS, ChunkCache, format_pieces, split
from rust2go.codegen.emit.files import banner, render_rust
from rust2go.codegen.emit.fmt import gofmt, rustfmt
from rust2go.codegen.lower.rust import lower_rust
from rust2go.codegen.source import SourceFile

# Every kind of piece: structs, an enum, an alias, sync/async/#[mem] methods, a Go→Rust
# trait (the runtime pieces of each come with them).
BASE = """
use std::collections::HashMap;
pub type Id = u64;
#[derive(Clone, Copy)]
pub enum Mood { Calm, Loud }
{structs}
#[r2g]
pub trait Api {
    fn plain(req: &S0, id: Id) -> S1;
    async fn later(req: S1) -> Vec<S0>;
    #[mem]
    fn shared(m: Mood, x: u32) -> u32;
}
#[g2r]
pub trait Back {
    fn echo(s: &S1) -> S1;
    fn tick();
}
"""


def idl(fields: list[list[str]]) -> str:
    structs = "".join(
        f"pub struct S{i} {{ {' '.join(f'pub {f},' for f in fs)} }}\n"
        for i, fs in enumerate(fields)
    )
    return BASE.replace("{structs}", structs)


def generate(text: str, cache: ChunkCache | None) -> tuple[str, str]:
    program, diags = check_source(SourceFile("user.rs", text))
    assert program is not None, [d.render(False) for d in diags]
    out = emit_all(program, GenerateOptions(go_import_path="example.com/m"), cache)
    return out.go, out.rust


FIELD_TYPES = ["u8", "u32", "String", "Vec<u64>", "Option<String>", "Mood", "Id",
               "HashMap<String, u32>"]  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2])
def test_reusing_pieces_writes_the_bytes_of_a_full_run(seed):
    rng = random.Random(seed)
    fields = [[f"f{j}: {rng.choice(FIELD_TYPES)}" for j in range(3)] for _ in range(6)]
    cache = ChunkCache()
    generate(idl(fields), cache)
    for _ in range(4):  # an edit per save: a field changes, appears or goes
        s = rng.randrange(len(fields))
        match rng.randrange(3):
            case 0:
                fields[s][0] = f"f0: {rng.choice(FIELD_TYPES)}"
            case 1:
                fields[s].append(f"g{len(fields[s])}: {rng.choice(FIELD_TYPES)}")
            case _ if len(fields[s]) > 1:
                fields[s].pop()
        text = idl(fields)
        go, rust = generate(text, cache)
        assert (go, rust) == generate(text, None)
    assert 0 < len(cache)
    # What the pieces make up is formatted as a whole file is: the formatters change nothing.
    assert gofmt(go) == go and rustfmt(rust) == rust


def test_only_the_changed_pieces_are_formatted_again():
    text = idl([["a: u32", "b: String"]] * 2 + [["c: Vec<u64>"]] * 6)
    seen: list[str] = []

    def spy(source: str) -> str:
        seen.append(source)
        return rustfmt(source)

    cache = ChunkCache()
    full = format_pieces("rustfmt", marked_rust(text), spy, cache)
    edited = marked_rust(text.replace("c: Vec<u64>", "c: Vec<u32>", 1))
    again = format_pieces("rustfmt", edited, spy, cache)
    assert again == format_pieces("rustfmt", edited, rustfmt, None) != full
    # The second run formatted the frame and the pieces of the one struct that changed.
    assert len(seen[1]) < len(seen[0]) / 4, (len(seen[1]), len(seen[0]))


def test_unformatted_output_carries_no_markers():
    program, _ = check_source(SourceFile("user.rs", idl([["a: u32"]] * 2)))
    out = emit_all(program, GenerateOptions(fmt=False), None)
    assert ITEMS not in out.go + out.rust and FRAME not in out.go + out.rust


def marked_rust(text: str) -> str:
    """The Rust file as its template writes it, markers and all."""
    program, _ = check_source(SourceFile("user.rs", text))
    return render_rust(lower_rust(program, banner=banner(program)))


def test_split_keeps_every_byte_and_names_each_piece():
    text = "head\n// r2g:items\na\nb\n    // r2g:frame\n}\n// r2g:items\n"
    pieces = split(text)
    assert [k for k, _ in pieces] == [FRAME, ITEMS, FRAME, ITEMS]
    assert [b for _, b in pieces] == ["head\n", "a\nb\n", "}\n", ""]


def test_a_formatter_that_loses_a_marker_is_reported():
    with pytest.raises(AssertionError, match="kept 0 of 1 piece markers"):
        format_pieces(
            "gofmt", "package p\n// r2g:items\nvar x = 1\n", lambda s: "package p\n", None
        )


def test_go_pieces_too():
    text = "package p\n\n// r2g:items\nvar  x = 1\n\n// r2g:items\nfunc f( ) {}\n"
    cache, seen = ChunkCache(), []
    out = format_pieces("gofmt", text, gofmt, cache)
    assert out == gofmt(text.replace("// r2g:items\n", ""))
    assert format_pieces("gofmt", text, lambda s: seen.append(s) or gofmt(s), cache) == out
    assert "x" not in seen[0] and "f(" not in seen[0]  # only the frame went to gofmt


EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*/idl/*.rs"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.parent.name)
def test_pieces_format_as_the_whole_file_does(path):
    """Formatting piece by piece writes what formatting the file at once writes."""
    program, diags = check_source(SourceFile.read(path))
    assert program is not None, diags
    options = GenerateOptions(go_import_path="example.com/m")
    pieces = emit_all(program, options, None)
    raw = emit_all(program, dataclasses.replace(options, fmt=False), None)
    assert (pieces.go, pieces.rust) == (gofmt(raw.go), rustfmt(raw.rust))


def test_batches_format_as_one_run_does(monkeypatch):
    """A cold run cut into batches (each its own formatter run) writes the bytes of one
    run over the whole file, for both formatters and with pieces at both depths."""
    from rust2go.codegen.emit import chunks

    text = idl([["a: u32", "b: String"], ["c: Vec<u64>"], ["d: Option<String>", "e: Mood"]] * 3)
    program, _ = check_source(SourceFile("user.rs", text))
    options = GenerateOptions(go_import_path="example.com/m")
    one = emit_all(program, options, None)
    monkeypatch.setattr(chunks, "BATCH_BYTES", 256)
    runs: list[str] = []

    def spy(source: str) -> str:
        runs.append(source)
        return rustfmt(source)

    marked = marked_rust(text)
    batched = chunks.format_pieces("rustfmt", marked, spy, None)
    assert len(runs) == chunks.MAX_BATCHES, len(runs)
    assert batched == rustfmt(chunks.strip_markers(marked))
    # Through the binding's own path, a cache filling up as it goes.
    cache = ChunkCache()
    assert (emit_all(program, options, cache).go, emit_all(program, options, cache).rust) == (
        one.go, one.rust,
    )  # fmt: skip
    raw = emit_all(program, dataclasses.replace(options, fmt=False), None)
    assert (one.go, one.rust) == (gofmt(raw.go), rustfmt(raw.rust))


def test_markers_are_found_only_on_lines_of_their_own():
    text = "a // r2g:items\n  // r2g:items\t\nb\n// r2g:itemsx\n\t// r2g:frame"
    assert split(text) == [(FRAME, "a // r2g:items\n"), (ITEMS, "b\n// r2g:itemsx\n"), (FRAME, "")]
