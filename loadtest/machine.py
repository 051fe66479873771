"""Machine and toolchain facts stated in every report (figures mean nothing without them)."""

from __future__ import annotations

import functools
import os
import platform
import subprocess


def _first_line(argv: list[str]) -> str:
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    lines = (r.stdout or r.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            names = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
        if names:
            return names[0]
    except OSError:
        pass
    return platform.processor() or platform.machine()


@functools.cache
def machine_facts() -> dict[str, str | int]:
    return {
        "cpu": _cpu(),
        "cores": os.cpu_count() or 0,
        "kernel": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "go": _first_line(["go", "version"]),
        "rust": _first_line(["rustc", "--version"]),
    }
