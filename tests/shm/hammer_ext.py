"""Build and load the test-only hammer extension (tests/shm/hammer/_hammer.c) together with
the shipped hot-path sources of rust2go.shm._atomics, so the hammer drives exactly the
ring and doorbell code users run, while the shipped extension carries no test code.

Built once per source content into .cache/test-ext/ (the name carries a hash of every
source), so the test process and its peer processes share one build."""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import subprocess
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHM = ROOT / "shm"
HAMMER = Path(__file__).with_name("hammer") / "_hammer.c"


def _sources() -> list[Path]:
    # Every C file of the hot path except the AtomicView module (it has its own PyInit).
    return [HAMMER, *sorted(p for p in SHM.glob("_*.c") if p.name != "_atomics.c")]


def _built() -> Path:
    sources = _sources()
    digest = hashlib.sha256()
    for p in [*sources, SHM / "_wire.h"]:
        digest.update(p.name.encode() + b"\0" + p.read_bytes())
    out = ROOT / ".cache" / "test-ext" / digest.hexdigest()[:16]
    target = out / ("_hammer" + sysconfig.get_config_var("EXT_SUFFIX"))
    if target.exists():
        return target
    out.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    cmd = ["gcc", "-O2", "-std=c11", "-D_GNU_SOURCE", "-shared", "-fPIC",
           f"-I{sysconfig.get_paths()['include']}", f"-I{SHM}",
           *map(str, sources), "-o", str(tmp)]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"building the hammer extension failed:\n{' '.join(cmd)}\n{done.stderr}")
    tmp.replace(target)  # atomic: a concurrent builder's result is the same bytes
    return target


def load():
    """The `_hammer` module: hammer() and its own Wire type over the shipped sources."""
    path = _built()
    loader = importlib.machinery.ExtensionFileLoader("_hammer", str(path))
    spec = importlib.util.spec_from_file_location("_hammer", path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def wire_of(module, seg):
    """A Wire of the hammer module over a segment's mapping (release it before seg.close())."""
    from rust2go.shm.errors import ShmLayoutError
    from rust2go.shm.hotpath import wire_spec

    return module.Wire(seg.mem, wire_spec(seg.geometry), ShmLayoutError)
