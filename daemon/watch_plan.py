"""What to watch for a given config: the directories to put watches on, and the exact
paths whose events matter. Everything else that happens in those directories (our own
outputs, editor scratch files, unrelated sources) is dropped on arrival.

Each IDL's directory is watched together with its ancestors up to the project root, so
that moving or recreating a directory on the way to an IDL is seen by the watch one level
up even though the watch inside the moved directory is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rust2go.daemon.config import Config


@dataclass(frozen=True)
class WatchPlan:
    directories: tuple[Path, ...]
    paths: frozenset[str]  # the watched files and every directory on the way to them

    def wants(self, path: str) -> bool:
        return path in self.paths


def plan_for(config: Config) -> WatchPlan:
    files = [t.idl for t in config.targets] + [config.path]
    directories: set[Path] = set()
    for f in files:
        directories.update(directory_chain(f.parent, config.root))
    paths = {str(f) for f in files} | {str(d) for d in directories}
    return WatchPlan(tuple(sorted(directories)), frozenset(paths))


def directory_chain(start: Path, root: Path) -> list[Path]:
    """`start` and its parents up to `root`; just `start` and its parent when `start` lies
    outside the project (an IDL shared from a sibling directory)."""
    if start != root and root not in start.parents:
        return [start, start.parent]
    chain = [start]
    while chain[-1] != root:
        chain.append(chain[-1].parent)
    return chain
