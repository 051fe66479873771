"""Go→Rust calls (`#[g2r]`) inside Rust→Go calls, through real go + cargo builds: every
type both ways (owned and `&T` views), panics, errors, nesting, concurrency, leaks."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("seed", [1, 2, 20261206])
def test_random_values_cross_go_to_rust_and_back_exactly(bidir_crate, seed):
    out = bidir_crate.run("roundtrip", str(seed), "300")
    assert f"ok roundtrip seed={seed}" in out


def test_empty_huge_nan_and_non_utf8_arguments(bidir_crate):
    assert "ok edges" in bidir_crate.run("edges")


def test_rust_panics_and_errors_reach_go_as_panics_and_errors(bidir_crate):
    assert "ok errors" in bidir_crate.run("errors")


def test_the_same_through_the_runtime_routine(bidir_crate):
    # R2G_FASTCALL=runtime: fast methods go through runtime.asmcgocall, whose 32-bit result
    # cannot carry a frameless method's failure: Go lends the word Rust stores it in.
    assert "ok errors" in bidir_crate.run("errors", env={"R2G_FASTCALL": "runtime"})


def test_eight_goroutines_times_100k_checked_calls(bidir_crate):
    # switching=true: the fast calls went through the fast-call package's own stack switch
    # (its start-up check of the runtime layout passed), not the runtime.asmcgocall fallback.
    out = bidir_crate.run("hammer", "8", "100000")
    assert "ok hammer goroutines=8 calls=100000 switching=true" in out


def test_fast_methods_import_the_fast_call_package_written_beside_them(bidir_crate):
    gen = (bidir_crate.dir / "go" / "gen.go").read_text()
    assert '"r2g_e2e_bidir/r2gcall"' in gen and "r2gcall.Call(unsafe.Pointer(C." in gen
    assert "runtime.asmcgocall" not in gen
    package = sorted(p.name for p in (bidir_crate.dir / "go" / "r2gcall").iterdir())
    assert package == ["call.go", "call_amd64.s", "call_arm64.s", "other.go", "switch.go"]


def test_rust_go_rust_nesting_200_deep(bidir_crate):
    assert "ok descend depth=200" in bidir_crate.run("descend", "200")


def test_oneway_go_to_rust_calls_all_arrive(bidir_crate):
    assert "ok notes n=10000" in bidir_crate.run("notes", "10000")


def test_a_million_calls_with_string_and_vec_replies_keep_rss_flat(bidir_crate):
    out = bidir_crate.run("rss", "1000000", timeout=600)
    m = re.search(r"before_kib=(\d+) after_kib=(\d+)", out)
    assert m, out
    before, after = int(m[1]), int(m[2])
    # 600k calls between the two lowest samples: a leak of even 8 bytes per call would
    # add ~4.6 MiB.
    assert after - before < 4 * 1024, f"RSS grew {after - before} KiB over 600k calls: {out}"
