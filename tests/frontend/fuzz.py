"""Front-end fuzzer: mutated IDL through the in-process front end and the real CLI.

    python -m tests.frontend.fuzz                      # until Ctrl-C (or R2G_FUZZ_SECONDS)
    python -m tests.frontend.fuzz --seconds 600 --seed 7
    python -m tests.frontend.fuzz --replay tests/frontend/fuzz_regressions/<hash>.rs

Inputs are mutations of every IDL in the repository (token deletion, duplication and swaps,
splices of two files), deep nesting, NUL bytes, invalid UTF-8, byte-order marks, CRLF and
CR-only line ends, very long lines and names, and files up to about 1 MB. The oracle for
each input: the front end returns (it never raises), every diagnostic points inside the
input at a valid line:col and renders, a file with errors has no program, and the time
taken stays under a bound proportional to the size (superlinear behaviour shows up as a
timeout long before it becomes a hang). A failing input is written to
tests/frontend/fuzz_regressions/, which tests/frontend/test_fuzz.py replays on every run.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import random
import re
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from rust2go.codegen.api import check_source
from rust2go.codegen.diagnostics import Diagnostics
from rust2go.codegen.parser import parse
from rust2go.codegen.source import SourceFile, Span

ROOT = Path(__file__).resolve().parents[2]
REGRESSIONS = Path(__file__).parent / "fuzz_regressions"
CORPUS_GLOBS = [
    "tests/frontend/examples/*.rs",
    "tests/frontend/diagnostics/*.rs",
    "tests/frontend/ir/*.rs",
    "examples/*/idl/*.rs",
]

# Time bound per input, in CPU seconds of this process (a busy shared machine must not
# make findings): a fixed allowance plus a per-KB rate a few times what the front end
# needs on its slowest paths (deep nesting and syntax errors, parsed by lark), so
# superlinear growth crosses it long before a file gets large.
BASE_SECONDS = 1.0
SECONDS_PER_KB = 0.005
MAX_HUGE = 1_000_000


def corpus() -> list[str]:
    """Every IDL in the repository, as text (a file that is not UTF-8 on purpose is read
    as the front end reads it; the bytes mutator brings such bytes back)."""
    files = sorted(p for g in CORPUS_GLOBS for p in ROOT.glob(g))
    return [SourceFile.from_bytes(str(p), p.read_bytes()).text for p in files]


# ------------------------------------------------------------------ mutators

_TOKEN = re.compile(r"\s+|[A-Za-z_][A-Za-z0-9_]*|\d+|::|->|=>|\"(?:\\.|[^\"\\])*\"|.", re.S)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _token_edit(rng: random.Random, seeds: list[str]) -> str:
    toks = _tokens(rng.choice(seeds))
    if not toks:
        return ""
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(toks))
        op = rng.choice(("delete", "duplicate", "swap", "move"))
        if op == "delete":
            del toks[i : i + rng.randint(1, 3)]
        elif op == "duplicate":
            toks[i:i] = toks[i : i + rng.randint(1, 5)]
        elif op == "swap":
            j = rng.randrange(len(toks))
            toks[i], toks[j] = toks[j], toks[i]
        else:
            piece = toks[i : i + rng.randint(1, 8)]
            del toks[i : i + len(piece)]
            j = rng.randint(0, len(toks))
            toks[j:j] = piece
        if not toks:
            break
    return "".join(toks)


def _splice(rng: random.Random, seeds: list[str]) -> str:
    a, b = rng.choice(seeds), rng.choice(seeds)
    i, j = rng.randint(0, len(a)), rng.randint(0, len(b))
    if rng.random() < 0.5:
        return a[:i] + b[j:]
    k = rng.randint(j, min(len(b), j + 400))
    return a[:i] + b[j:k] + a[i:]


def _deep(rng: random.Random, seeds: list[str]) -> str:
    n = rng.choice((50, 300, 1000, 5000, 20000))
    shape = rng.choice(("generic", "option", "ref", "paren", "array", "braces", "attr",
                        "comment", "alias", "field_braces", "impl"))  # fmt: skip
    if shape == "generic":
        ty = "Vec<" * n + "u8" + ">" * n
        return f"pub struct S {{ pub a: {ty} }}\n"
    if shape == "option":
        ty = "Option<Vec<" * (n // 2) + "u8" + ">>" * (n // 2)
        return rng.choice(seeds) + f"\ntype A = {ty};\n"
    if shape == "ref":
        return f"#[r2g]\npub trait T {{ fn f(a: {'&' * n}u8); }}\n"
    if shape == "paren":
        return f"pub struct S {{ a: {'(' * n}u8{')' * n} }}\n"
    if shape == "array":
        return f"pub struct S {{ a: {'[' * n}u8{']' * n} }}\n"
    if shape == "braces":
        return "fn f() " + "{" * n + "}" * n + "\npub struct S { pub a: u8 }\n"
    if shape == "attr":
        return "#[a" + "(b" * n + ")" * n + "]\npub struct S { pub a: u8 }\n"
    if shape == "comment":
        return "/*" * n + "*/" * n + "\npub struct S { pub a: u8 }\n"
    if shape == "alias":
        return "".join(f"type A{i} = A{i + 1};\n" for i in range(min(n, 3000))) + "type A0x = u8;\n"
    if shape == "field_braces":
        return "pub struct S { a: " + "{" * n + "\n"  # unbalanced on purpose
    return (
        "#[r2g]\npub trait T { fn f() -> " + "impl Future<Output = " * n + "u8" + ">" * n + "; }\n"
    )


def _bytes(rng: random.Random, seeds: list[str]) -> bytes:
    data = bytearray(rng.choice(seeds).encode())
    for _ in range(rng.randint(1, 5)):
        i = rng.randint(0, len(data))
        junk = rng.choice((b"\x00", b"\x00" * 50, b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf",
                           b"\xf4\x90\x80\x80", b"\x80\x80", bytes(rng.randrange(256) for _ in range(8))))  # fmt: skip
        data[i:i] = junk
    return bytes(data)


def _line_ends(rng: random.Random, seeds: list[str]) -> str:
    text = rng.choice(seeds)
    ends = rng.choice(("\r\n", "\r", "\n\r", "\u2028", "\x0b", "\x0c"))
    out = text.replace("\n", ends)
    if rng.random() < 0.5:
        out = "\ufeff" + out
    if rng.random() < 0.3:
        i = rng.randint(0, len(out))
        out = out[:i] + "\ufeff" + out[i:]
    return out


def _long(rng: random.Random, seeds: list[str]) -> str:
    n = rng.choice((1000, 50_000, 300_000))
    what = rng.choice(
        ("ident", "field_ident", "spaces", "string", "number", "comment", "doc", "line")
    )
    if what == "ident":
        return f"pub struct {'S' * n} {{ pub a: u8 }}\n"
    if what == "field_ident":
        return f"pub struct S {{ pub {'a' * n}: {'T' * n} }}\n"
    if what == "spaces":
        return "pub struct S {" + " " * n + "a: u8 }\n"
    if what == "string":
        return 'const X: &str = "' + "x" * n + '";\npub struct S { a: ' + '"' + "\n"
    if what == "number":
        return "pub enum E { A = " + "9" * n + " }\n"
    if what == "comment":
        return "// " + "c" * n + "\npub struct S { a: u8 }\n"
    if what == "doc":
        return "/// " + "d" * n + "\npub struct S { a: Strng }\n"
    return rng.choice(seeds).replace("\n", " ")  # one long line


def _huge(rng: random.Random, seeds: list[str], limit: int = MAX_HUGE) -> str:
    size = rng.choice((limit // 8, limit // 2, limit))
    kind = rng.choice(("valid", "errors", "syntax", "corpus", "continued"))
    line = {
        "valid": "pub struct S{i} {{ pub a: u32, pub b: Vec<Option<String>>, pub c: S{j} }}\n",
        "errors": "pub struct E{i} {{ pub a: Entyr{i}, pub b: &u32, pub b: u8 }}\n",
        "syntax": "pub struct X{i} {{ pub a: u32 pub b: , }}\n",
        "continued": "pub struct C{i} {{ pub a: Vec<C{j}> }}\n",
    }.get(kind)
    out, total, i = [], 0, 0
    while total < size:
        if line is None:
            piece = rng.choice(seeds)
        else:
            piece = line.format(i=i, j=i + 1)
        out.append(piece)
        total, i = total + len(piece), i + 1
    text = "".join(out)
    if kind == "continued":  # an item that lark reads on past its end, then plain structs
        return (
            rng.choice(("type A = B<{1}\n", "trait T: X<{1}\n", "pub type A = B<{1}, C<{2}\n"))
            + text
        )
    return _token_edit(rng, [text]) if kind == "corpus" and rng.random() < 0.3 else text


MUTATORS = {
    "token": _token_edit,
    "splice": _splice,
    "deep": _deep,
    "bytes": _bytes,
    "line_ends": _line_ends,
    "long": _long,
    "huge": _huge,
}
# Weights: the cheap, broad mutators dominate; huge and deep inputs are rarer.
WEIGHTS = {"token": 40, "splice": 20, "deep": 8, "bytes": 10, "line_ends": 8, "long": 4, "huge": 1}


def make_case(
    rng: random.Random, seeds: list[str], huge_limit: int = MAX_HUGE
) -> tuple[str, bytes]:
    kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    if kind == "huge":
        out = _huge(rng, seeds, huge_limit)
    else:
        out = MUTATORS[kind](rng, seeds)
    data = out if isinstance(out, bytes) else out.encode("utf-8", errors="surrogatepass")
    return kind, data


# ------------------------------------------------------------------ oracle


@dataclass
class Failure:
    what: str
    data: bytes


def time_bound(size: int) -> float:
    return BASE_SECONDS + SECONDS_PER_KB * size / 1000


def check_input(data: bytes, name: str = "fuzz.rs") -> str | None:
    """None if the front end kept its contract on `data`, else what went wrong."""
    return judge(data, name)[0]


def judge(data: bytes, name: str = "fuzz.rs") -> tuple[str | None, str]:
    """(what went wrong or None, the outcome: "ok", "diagnostics" or "failed")."""
    what = _judge(data, name)
    if isinstance(what, str):
        return what, "failed"
    return None, "diagnostics" if what else "ok"


def _judge(data: bytes, name: str) -> str | bool:
    source = SourceFile.from_bytes(name, data)
    t0 = time.process_time()
    try:
        program, diags = check_source(source)
    except BaseException as e:  # noqa: BLE001 - anything escaping is the finding
        if isinstance(e, KeyboardInterrupt):
            raise
        return "check_source raised:\n" + "".join(traceback.format_exception(e))[-3000:]
    took = time.process_time() - t0
    if took > time_bound(len(data)):
        return f"took {took:.2f} CPU s for {len(data)} bytes (bound {time_bound(len(data)):.2f} s)"
    n = len(source.text)
    lines = source.text.count("\n") + 1
    for d in diags:
        if d.span is None:
            continue
        if not (0 <= d.span.start <= d.span.end <= n) or d.span.file is not source:
            return f"span {d.span.start}..{d.span.end} outside the input (length {n}): {d.code}"
        line, col = d.span.line, d.span.col
        if not (1 <= line <= lines and 1 <= col <= len(source.line_text(line)) + 1):
            return f"bad position {line}:{col} for {d.code}"
        try:
            d.render()
        except Exception as e:  # noqa: BLE001
            return f"rendering {d.code} raised {type(e).__name__}: {e}"
    if any(d.is_error for d in diags) == (program is not None):
        return "a program came back with errors, or none without one"
    if len(data) <= DIFF_LIMIT:
        what = _fast_path_differs(source)
        if what:
            return what
    return bool(diags)


# The parser's fast path is compared with lark alone on inputs up to this size (lark alone
# is the slow path: the comparison costs more than the check).
DIFF_LIMIT = 300_000


def _fast_path_differs(source: SourceFile) -> str | None:
    """The AST and the syntax diagnostics are the same with and without the parser's
    fast path (codegen/parse_fast.py)."""
    runs = []
    for fast in (True, False):
        sink = Diagnostics()
        tree = parse(source, sink, fast=fast)
        runs.append((tree, [(d.code, d.span, d.message, d.hint) for d in sink.items]))
    (fast_tree, fast_diags), (lark_tree, lark_diags) = runs
    if fast_diags != lark_diags:
        return f"the fast path reports {fast_diags[:3]}, lark alone {lark_diags[:3]}"
    a, b = _shape(fast_tree), _shape(lark_tree)
    if a != b:
        at = next(
            (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
        )
        near = slice(max(0, at - 8), at + 4)
        return f"the fast path builds another AST: {a[near]} where lark builds {b[near]}"
    return None


def _shape(node) -> list:
    """The AST as a flat list, walked without recursion (dataclass `==` recurses, and
    the input chooses the depth)."""
    out: list = []
    stack = [node]
    while stack:
        x = stack.pop()
        if isinstance(x, Span):
            out.append(("span", x.start, x.end))
        elif dataclasses.is_dataclass(x):
            out.append(type(x).__name__)
            stack.extend(reversed([getattr(x, f.name) for f in dataclasses.fields(x)]))
        elif isinstance(x, (list, tuple)):
            out.append(("seq", len(x)))
            stack.extend(reversed(x))
        else:
            out.append(x)
    return out


def check_cli(data: bytes, folder: Path) -> str | None:
    """The real `rust2go check` on `data`: exit 0 or 1, located messages, no traceback."""
    path = folder / ("input.rs")
    path.write_bytes(data)
    proc = subprocess.run(
        [sys.executable, "-m", "rust2go.cli", "check", str(path)],
        capture_output=True, text=True, errors="replace", timeout=60 + time_bound(len(data)),
        env={k: v for k, v in os.environ.items() if k != "RUST2GO_TRACEBACK"},
    )  # fmt: skip
    out = proc.stdout + proc.stderr
    if "Traceback" in out:
        return f"traceback from the CLI (exit {proc.returncode}):\n{out[-3000:]}"
    if proc.returncode not in (0, 1):
        return f"exit {proc.returncode}:\n{out[-2000:]}"
    if proc.returncode == 1 and not re.search(re.escape(str(path)) + r":\d+:\d+", out):
        return f"exit 1 without a file:line:col:\n{out[-2000:]}"
    return None


def save(data: bytes, folder: Path = REGRESSIONS) -> Path:
    folder.mkdir(exist_ok=True)
    try:
        data.decode("utf-8")
        ext = ".rs"
    except UnicodeDecodeError:
        ext = ".bin"
    path = folder / (hashlib.sha256(data).hexdigest()[:16] + ext)
    path.write_bytes(data)
    return path


def run(seed: int, cases: int | None, seconds: float | None, out=sys.stdout,
        huge_limit: int = MAX_HUGE, save_to: Path = REGRESSIONS) -> dict[str, int]:  # fmt: skip
    """Fuzz until `cases` inputs or `seconds` have passed (None: no limit). Failing inputs
    are saved as regressions. Returns outcome counts."""
    rng = random.Random(seed)
    seeds = corpus()
    counts: dict[str, int] = {"ok": 0, "diagnostics": 0, "failed": 0}
    deadline = time.monotonic() + seconds if seconds else None
    n = 0
    while (cases is None or n < cases) and (deadline is None or time.monotonic() < deadline):
        kind, data = make_case(rng, seeds, huge_limit)
        n += 1
        try:
            what, outcome = judge(data)
        except KeyboardInterrupt:
            n -= 1
            break
        counts[outcome] += 1
        if what is not None:
            path = save(data, save_to)
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            print(f"FAIL ({kind}) {what}\n  saved {shown}; reproduce with:\n"
                  f"  .venv/bin/python -m tests.frontend.fuzz --replay {shown}", file=out)  # fmt: skip
            continue
        counts[kind] = counts.get(kind, 0) + 1
        if n % 500 == 0:
            print(f"{n} cases: {counts}", file=out, flush=True)
    counts["cases"] = n
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m tests.frontend.fuzz", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--seed", type=int, default=None, help="default: random (printed)")
    ap.add_argument("--cases", type=int, default=None)
    ap.add_argument(
        "--seconds", type=float, default=float(os.environ.get("R2G_FUZZ_SECONDS", 0)) or None
    )
    ap.add_argument(
        "--replay", nargs="*", type=Path, help="check these inputs (in process and CLI)"
    )
    args = ap.parse_args(argv)
    if args.replay is not None:
        import tempfile

        bad = 0
        for p in args.replay or sorted(REGRESSIONS.glob("*")):
            data = p.read_bytes()
            with tempfile.TemporaryDirectory() as tmp:
                what = check_input(data, str(p)) or check_cli(data, Path(tmp))
            print(f"{p}: {'ok' if what is None else what}")
            bad += what is not None
        return 1 if bad else 0
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    print(f"fuzzing the front end with seed {seed} (Ctrl-C stops)", flush=True)
    t0 = time.monotonic()
    counts = run(seed, args.cases, args.seconds)
    print(f"{counts['cases']} cases in {time.monotonic() - t0:.0f} s: {counts}")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
