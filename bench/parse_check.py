"""Front-end speed (run: `python -m bench.parse_check`): parse + check of a generated
1000-struct, 200-method IDL (goal ≤ 0.3 s), hostile nesting (linear), 2,000 errors
(≤ 0.5 s) and 1 MB files valid and full of errors (< 2 s each). Prints markdown rows."""

from __future__ import annotations

import platform
import statistics
import time

from bench.idl_gen import big_idl
from rust2go.codegen.api import check_source
from rust2go.codegen.source import SourceFile


def main(runs: int = 7) -> None:
    text = big_idl()
    check_source(SourceFile("big.rs", text))  # warm-up: grammar compiled once per process
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        program, diags = check_source(SourceFile("big.rs", text))
        times.append(time.perf_counter() - t0)
        assert program is not None, diags[:3]
    lines = text.count("\n")
    print(
        f"| parse+check 1000 structs / 200 methods ({lines} lines) | median {statistics.median(times) * 1e3:.0f} ms "
        f"| min {min(times) * 1e3:.0f} ms | max {max(times) * 1e3:.0f} ms | {platform.python_version()} |"
    )
    # Hostile shapes: the front end must stay linear. Doubling the nesting should double
    # the time (a ratio near 4 would be quadratic).
    nested = {n: _median_check(_nested_braces(n), 3) for n in (20_000, 40_000)}
    print(
        f"| 20,000 / 40,000 nested braces in a fn body | {nested[20_000] * 1e3:.0f} ms / "
        f"{nested[40_000] * 1e3:.0f} ms | ratio {nested[40_000] / nested[20_000]:.2f} (linear: 2) | | |"
    )
    # 2,000 structs with one error each (goal: reported in at most 0.5 s).
    errors_2k = "".join(
        f"pub struct Entry{i} {{ pub a: Entyr{i}, pub b: u32 }}\n" for i in range(2000)
    )
    print(
        f"| 2,000 structs, one unknown type each (2,000 errors) | median "
        f"{_median_check(errors_2k, 5) * 1e3:.0f} ms | goal ≤ 500 ms | | |"
    )
    # 1 MB files (goal: each answered in under 2 s): valid structs, and one unknown type
    # per struct (18,000+ errors, each wanting a "did you mean").
    valid = _megabyte("pub struct S{i} {{ pub a: u32, pub b: String, pub c: Vec<u64> }}\n")
    errors = _megabyte("pub struct Entry{i} {{ pub a: Entyr{i}, pub b: u32 }}\n")
    print(
        f"| 1 MB IDL: valid / full of errors | {_median_check(valid, 1):.2f} s / "
        f"{_median_check(errors, 1):.2f} s | goal < 2 s each | | |"
    )


def _megabyte(line: str) -> str:
    out, size, i = [], 0, 0
    while size < 1_000_000:
        out.append(line.format(i=i))
        size, i = size + len(out[-1]), i + 1
    return "".join(out)


def _nested_braces(n: int) -> str:
    return "fn f() " + "{" * n + "}" * n + "\npub struct S { pub a: u8 }\n"


def _median_check(text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        check_source(SourceFile("nested.rs", text))
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


if __name__ == "__main__":
    main()
