"""Writing outputs so that nobody notices more than they must.

- Content-gated: an output whose bytes are already right is not touched at all, so its
  mtime stays and cargo/go rebuild nothing (the original rust2go rebuilt needlessly for exactly this reason).
- Atomic: the new content goes to a temp file in the same directory, is fsynced, then
  os.replace()d over the target, so a concurrent reader sees the old file or the new one,
  never a partial one.
- Tidy: temp files carry a recognisable name (`.NAME.rust2go-PID.tmp`) so the watcher
  ignores them and a crashed daemon's leftovers can be swept on the next start.
"""

from __future__ import annotations

import os
from pathlib import Path

TEMP_MARK = ".rust2go-"
TEMP_SUFFIX = ".tmp"


def temp_path_for(target: Path, pid: int | None = None) -> Path:
    return target.with_name(f".{target.name}{TEMP_MARK}{pid or os.getpid()}{TEMP_SUFFIX}")


def is_temp_name(name: str) -> bool:
    return name.startswith(".") and TEMP_MARK in name and name.endswith(TEMP_SUFFIX)


def write_if_changed(target: Path, content: str) -> bool:
    """Make `target` hold `content`. Returns True if the file was written."""
    data = content.encode("utf-8")
    try:
        if target.read_bytes() == data:
            return False
    except (FileNotFoundError, IsADirectoryError):
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path_for(target)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            keep_mode(fd, target)
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_directory(target.parent)
    return True


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def keep_mode(fd: int, target: Path) -> None:
    """Keep the permissions of the file being replaced; new files get the umask default."""
    try:
        os.fchmod(fd, target.stat().st_mode & 0o7777)
    except FileNotFoundError:
        pass


def fsync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry is; harmless where unsupported.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sweep_temp_files(directories: set[Path]) -> list[Path]:
    """Remove temp files a previous (killed) daemon left next to its outputs. Only called
    while holding the project lock, so no live writer owns them."""
    removed = []
    for directory in directories:
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            if is_temp_name(entry.name) and entry.is_file(follow_symlinks=False):
                Path(entry.path).unlink(missing_ok=True)
                removed.append(Path(entry.path))
    return removed
