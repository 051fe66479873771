"""What to watch for a given config: the directories to put watches on, and the exact
paths whose events matter. Everything else that happens in those directories (our own
outputs, editor scratch files, unrelated sources) is dropped on arrival.

Each IDL's directory is watched together with its ancestors up to the project root, so
that moving or recreating a directory on the way to an IDL is seen by the watch one level
up even though the watch inside the moved directory is gone.

With a `then` command, the crate's own sources are watched too (recursively): a change
there reruns the command without regenerating anything. By default they are `src/`,
`build.rs`, `Cargo.toml` and the directory of each Go output; `[watch] sources` replaces
that list. Our outputs (and the fast-call package written beside a Go output) never
count, nor do build directories (`target/`) and version-control metadata.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rust2go.codegen.lower.go import FASTCALL_PACKAGE
from rust2go.daemon.config import Config

DEFAULT_SOURCES = ("src", "build.rs", "Cargo.toml")
# Directory names under a source directory whose files are never sources.
NOT_SOURCES = frozenset({"target", ".git", ".hg", ".svn", "node_modules", "__pycache__"})


@dataclass(frozen=True)
class WatchPlan:
    directories: tuple[Path, ...]
    paths: frozenset[str]  # the watched files and every directory on the way to them
    sources: tuple[Path, ...] = ()  # source files, and directories meaning all below them
    generated: frozenset[str] = frozenset()  # outputs: never sources
    generated_dirs: tuple[str, ...] = ()  # directories of generated files (path + "/")

    def wants(self, path: str) -> bool:
        return path in self.paths

    @property
    def source_dirs(self) -> list[Path]:
        """The source directories there are now, to watch recursively (asked again at
        every batch: one created after the start is watched from then on)."""
        return [p for p in self.sources if p.is_dir()]

    def is_source(self, path: str) -> bool:
        """A change here reruns `then` (and nothing else). A directory's own events (made,
        removed) are not a change of source."""
        if path in self.generated or path.startswith(self.generated_dirs):
            return False
        for src in self.sources:
            root = str(src)
            if path == root or path.startswith(root + "/"):
                inner = path[len(root) + 1 :].split("/")[:-1]
                return not NOT_SOURCES.intersection(inner) and not os.path.isdir(path)
        return False


def plan_for(config: Config, sources: bool = False) -> WatchPlan:
    """`sources`: also plan the crate's sources (there is a `then` command to rerun)."""
    files = [t.idl for t in config.targets] + [config.path]
    directories: set[Path] = set()
    for f in files:
        directories.update(directory_chain(f.parent, config.root))
    paths = frozenset({str(f) for f in files} | {str(d) for d in directories})
    if not sources:
        return WatchPlan(tuple(sorted(directories)), paths)
    names = config.watch.sources
    if names is None:
        go_dirs = {t.go.parent for t in config.targets if t.go is not None}
        names = DEFAULT_SOURCES + tuple(str(d) for d in sorted(go_dirs))
    found = tuple(sorted({Path(os.path.normpath(config.root / n)) for n in names}))
    # A source file's directory gets a plain watch (the root already has one).
    files_at = {p.parent for p in found if not p.is_dir() and p.parent.is_dir()}
    outputs = {o for t in config.targets for o in t.outputs}
    fast_dirs = {t.go.parent / FASTCALL_PACKAGE for t in config.targets if t.go is not None}
    return WatchPlan(
        tuple(sorted(directories | files_at)),
        paths,
        sources=found,
        generated=frozenset(str(o) for o in outputs),
        generated_dirs=tuple(sorted(str(d) + "/" for d in fast_dirs)),
    )


def directory_chain(start: Path, root: Path) -> list[Path]:
    """`start` and its parents up to `root`; just `start` and its parent when `start` lies
    outside the project (an IDL shared from a sibling directory)."""
    if start != root and root not in start.parents:
        return [start, start.parent]
    chain = [start]
    while chain[-1] != root:
        chain.append(chain[-1].parent)
    return chain
