"""How real editors and tools save a file, replayed on the real filesystem. Each function
turns `path` into a file holding `text`, through the same sequence of system calls (as far
as the file system can tell) as the editor it is named after."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path


def write_in_place(path: Path, text: str) -> None:
    """Overwrite the bytes, then cut the tail (nano, many IDEs with safe-write off)."""
    with open(path, "r+") as f:
        f.write(text)
        f.truncate()


def truncate_and_write(path: Path, text: str) -> None:
    """O_TRUNC, then the content in two writes (VS Code's default, `cat > file`)."""
    half = len(text) // 2
    with open(path, "w") as f:
        f.write(text[:half])
        f.flush()
        f.write(text[half:])


def vim_save(path: Path, text: str) -> None:
    """vim with 'writebackup': swap file, the `4913` permission probe, rename the original
    to `file~`, write a new file, delete the backup."""
    swap = path.with_name(f".{path.name}.swp")
    swap.write_bytes(b"b0VIM 9.0")
    probe = path.with_name("4913")
    probe.write_bytes(b"")
    probe.unlink()
    backup = path.with_name(path.name + "~")
    os.rename(path, backup)
    path.write_text(text)
    backup.unlink()
    swap.unlink()


def atomic_rename_save(path: Path, text: str) -> None:
    """Write a temp sibling, rename over (VS Code `files.saveAtomic`, gedit, most tools)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def jetbrains_save(path: Path, text: str) -> None:
    """IntelliJ 'safe write': `___jb_tmp___`, rename original to `___jb_old___`, rename the
    temp into place, delete the old one."""
    tmp = path.with_name(path.name + "___jb_tmp___")
    old = path.with_name(path.name + "___jb_old___")
    tmp.write_text(text)
    os.rename(path, old)
    os.rename(tmp, path)
    old.unlink()


def emacs_save(path: Path, text: str) -> None:
    """emacs: lock symlink `.#file`, rename the original to `file~`, write a new file."""
    lock = path.with_name(f".#{path.name}")
    os.symlink("user@host.1234:1700000000", lock)
    os.replace(path, path.with_name(path.name + "~"))
    path.write_text(text)
    lock.unlink()


def delete_and_recreate(path: Path, text: str) -> None:
    path.unlink()
    path.write_text(text)


def directory_swap(path: Path, text: str) -> None:
    """The IDL's directory is replaced by another (a `git checkout` or a sync tool moving
    a freshly built directory into place)."""
    directory = path.parent
    fresh = directory.with_name(directory.name + ".new")
    shutil.copytree(directory, fresh)
    (fresh / path.name).write_text(text)
    old = directory.with_name(directory.name + ".old")
    os.rename(directory, old)
    os.rename(fresh, directory)
    shutil.rmtree(old)


PATTERNS: dict[str, Callable[[Path, str], None]] = {
    "write-in-place": write_in_place,
    "truncate+write": truncate_and_write,
    "vim": vim_save,
    "rename-over": atomic_rename_save,
    "jetbrains": jetbrains_save,
    "emacs": emacs_save,
    "delete+recreate": delete_and_recreate,
    "directory-swap": directory_swap,
}
