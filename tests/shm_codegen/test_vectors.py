"""Conformance: the golden images match the Python oracle, and the generated Rust and Go
constants rebuild them byte for byte."""

from __future__ import annotations

from tests.e2e.crates import run
from tests.shm_codegen import vectors


def test_golden_images_match_the_python_oracle():
    for name, data in vectors.files().items():
        assert (vectors.DIR / name).read_bytes() == data, f"{name} drifted: regenerate"


def test_rust_constants_rebuild_the_golden_images(shm_crate):
    out = shm_crate.run("vectors", str(vectors.DIR))
    assert out.strip() == f"ok {len(vectors.images())}"


def test_go_constants_rebuild_the_golden_images(shm_crate):
    import os

    env_dir = str(vectors.DIR)
    os.environ["R2G_VECTORS"] = env_dir
    try:
        run(["go", "test", "-count=1", "-run", "TestGoldenImages", "."], shm_crate.dir / "go")
    finally:
        del os.environ["R2G_VECTORS"]
