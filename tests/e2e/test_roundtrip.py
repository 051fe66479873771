"""Every type, both directions, through real go + cargo builds of the generated code."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("seed", [1, 2, 3, 20261121])
def test_random_values_round_trip_exactly(roundtrip_crate, seed):
    out = roundtrip_crate.run("roundtrip", str(seed), "300")
    assert f"ok roundtrip seed={seed}" in out


def test_edge_cases_empty_unicode_nan_extremes_16mib_deep(roundtrip_crate):
    assert "ok edges" in roundtrip_crate.run("edges")


def test_go_errors_and_panics_reach_rust(roundtrip_crate):
    assert "ok errors" in roundtrip_crate.run("errors")


def test_two_traits_with_the_same_method_names_link_and_stay_apart(roundtrip_crate):
    assert "ok two-traits" in roundtrip_crate.run("two-traits")


def test_a_million_sync_calls_keep_rss_flat(roundtrip_crate):
    out = roundtrip_crate.run("rss", "1000000", timeout=600)
    m = re.search(r"before_kib=(\d+) after_kib=(\d+)", out)
    assert m, out
    before, after = int(m[1]), int(m[2])
    # After warm-up (100k calls) the other 900k calls may not grow RSS beyond noise: a
    # leak of even 8 bytes per call would add ~7 MiB.
    assert after - before < 4 * 1024, f"RSS grew {after - before} KiB over 900k calls"
