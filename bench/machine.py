"""Machine facts every benchmark table states: CPU, cores, toolchain versions, date."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess


def _version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
        return out.splitlines()[0] if out else "unknown"
    except (OSError, subprocess.TimeoutExpired):
        return "not found"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def facts() -> dict[str, str]:
    return {
        "date": datetime.date.today().isoformat(),
        "cpu": cpu_model(),
        "cores": str(os.cpu_count()),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "go": _version(["go", "version"]),
        "rustc": _version(["rustc", "--version"]),
    }


def markdown() -> str:
    f = facts()
    return (
        f"Machine: {f['cpu']}, {f['cores']} cores, Linux {f['kernel']}; "
        f"{f['go']}; {f['rustc']}; Python {f['python']}; measured {f['date']}."
    )


if __name__ == "__main__":
    print(markdown())
