"""What the go.mod nearest a Go output says about it: the Go language version (older than
1.21 needs the `--go118` forms) and the package's import path (the Go→Rust fast-call
package is imported from beside the Go output by that path)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from rust2go.codegen.api import GenerateOptions


@dataclasses.dataclass(frozen=True)
class GoModule:
    root: Path  # the directory holding go.mod
    path: str  # the `module` line
    version: tuple[int, int] | None  # the `go` line

    def import_path(self, package_dir: Path) -> str:
        rel = package_dir.resolve().relative_to(self.root).as_posix()
        return self.path if rel == "." else f"{self.path}/{rel}"


def nearest(start: Path) -> GoModule | None:
    """The go.mod at or above directory `start`, or None."""
    start = start.resolve()
    for d in (start, *start.parents):
        mod = d / "go.mod"
        if mod.is_file():
            text = mod.read_text(errors="replace")
            m = re.search(r"^module\s+\"?([^\s\"]+)\"?", text, re.M)
            v = re.search(r"^go\s+(\d+)\.(\d+)", text, re.M)
            return GoModule(d, m[1] if m else "", (int(v[1]), int(v[2])) if v else None)
    return None


def before_1_21(start: Path) -> bool:
    """The nearest go.mod says `go 1.20` or older: generated Go must use the `--go118`
    forms (no unsafe.String, no clear, ...)."""
    mod = nearest(start)
    return bool(mod and mod.version and mod.version < (1, 21))


def options_for(
    options: GenerateOptions, go_out: str | Path | None
) -> tuple[GenerateOptions, list[str]]:
    """`options` completed from the go.mod nearest `go_out`: the `--go118` forms when it says
    go < 1.21, and the package's import path. Returns the options and notes for the user."""
    if go_out is None:
        return options, []
    out_dir = Path(go_out).resolve().parent
    mod = nearest(out_dir)
    if mod is None or not mod.path:
        return options, []
    notes = []
    if not options.go118 and mod.version and mod.version < (1, 21):
        options = dataclasses.replace(options, go118=True)
        notes.append(f"{go_out}: the nearest go.mod says go < 1.21; writing the --go118 form")
    if options.go_import_path is None:
        options = dataclasses.replace(options, go_import_path=mod.import_path(out_dir))
    return options, notes


def standalone_module(directory: Path) -> tuple[Path, str] | None:
    """The go.mod a standalone program in `directory` needs to build with `go build`
    there, or None when a go.mod is at or above it (the user's module wins)."""
    if nearest(directory) is not None:
        return None
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", directory.resolve().name).strip("._-") or "server"
    return directory / "go.mod", f"module {name}\n\ngo 1.21\n"
