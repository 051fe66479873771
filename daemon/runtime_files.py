"""Where a project's daemon keeps its lock, pid file, control socket and (when detached)
its log: one private directory per project, outside the project tree so nothing shows up
in `git status` or in cargo's view of the crate.

    $XDG_RUNTIME_DIR/rust2go/<dirname>-<hash>/     (or /tmp/rust2go-<uid>/<dirname>-<hash>/)
        lock     flock()ed by the running daemon: one daemon per project
        pid      its pid, for messages and `rust2go stop` fallbacks
        sock     Unix socket answering `status` and `stop`
        log      stdout+stderr of a --detach'ed daemon

The hash is of the project directory's real path, so every way of naming the project
(symlinks, relative paths) finds the same daemon. Unix socket paths must fit in 108 bytes;
the name is kept short and the /tmp base is used when $XDG_RUNTIME_DIR is too deep.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

SOCKET_PATH_MAX = 107  # sizeof(sun_path) - 1 on Linux


class RuntimeDirError(Exception):
    pass


@dataclass(frozen=True)
class RuntimeFiles:
    directory: Path

    @property
    def lock(self) -> Path:
        return self.directory / "lock"

    @property
    def pid(self) -> Path:
        return self.directory / "pid"

    @property
    def socket(self) -> Path:
        return self.directory / "sock"

    @property
    def log(self) -> Path:
        return self.directory / "log"

    def read_pid(self) -> int | None:
        try:
            return int(self.pid.read_text().strip())
        except (OSError, ValueError):
            return None


def runtime_files(project_root: Path, create: bool = True) -> RuntimeFiles:
    real = os.path.realpath(project_root)
    digest = hashlib.sha256(real.encode()).hexdigest()[:16]
    leaf = f"{Path(real).name[:20] or 'root'}-{digest}"
    for base in candidate_bases():
        directory = base / leaf
        if len(os.fsencode(directory / "sock")) <= SOCKET_PATH_MAX:
            if create:
                make_private_dir(base)
                make_private_dir(directory)
            return RuntimeFiles(directory)
    raise RuntimeDirError(f"no runtime directory short enough for a Unix socket for {real}")


def candidate_bases() -> list[Path]:
    bases = []
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg and os.path.isabs(xdg):
        bases.append(Path(xdg) / "rust2go")
    bases.append(Path("/tmp") / f"rust2go-{os.getuid()}")
    return bases


def make_private_dir(path: Path) -> None:
    """Create `path` 0700, or check that an existing one is ours and private: in /tmp,
    another user could otherwise pre-create it and answer our status requests."""
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    st = path.lstat()
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid():
        raise RuntimeDirError(f"{path} is not a directory owned by you; remove it and retry")
    if st.st_mode & 0o077:
        os.chmod(path, 0o700)
