"""Names of a segment's OS objects, derived from layout.NAMING (one rule for every peer)."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass

from rust2go.shm import layout as L
from rust2go.shm.errors import ShmError

_PURPOSE = re.compile(L.NAMING.PURPOSE_PATTERN + r"\Z")
_STEM = re.compile(r"r2g-[A-Za-z0-9_-]{1,200}\Z")
_OWNED_STEM = re.compile(r"r2g-(\d+)-(" + L.NAMING.PURPOSE_PATTERN + r")-[0-9a-f]{8}\Z")


@dataclass(frozen=True)
class SegmentNames:
    stem: str
    lock_dir: str = L.NAMING.LOCK_DIR

    @property
    def segment(self) -> str:
        return L.NAMING.SEGMENT.format(stem=self.stem)

    @property
    def callee_doorbell(self) -> str:
        return L.NAMING.CALLEE_DOORBELL.format(stem=self.stem)

    @property
    def caller_doorbell(self) -> str:
        return L.NAMING.CALLER_DOORBELL.format(stem=self.stem)

    @property
    def callee_lock(self) -> str:
        return L.NAMING.CALLEE_LOCK.format(lock_dir=self.lock_dir, stem=self.stem)

    def caller_lock(self, pid: int) -> str:
        return L.NAMING.CALLER_LOCK.format(lock_dir=self.lock_dir, stem=self.stem, pid=pid)

    @property
    def owner_pid(self) -> int | None:
        """Creator pid encoded in a generated name (None for explicit names)."""
        m = _OWNED_STEM.match(self.stem)
        return int(m.group(1)) if m else None


def new_names(purpose: str, lock_dir: str = L.NAMING.LOCK_DIR) -> SegmentNames:
    if not _PURPOSE.match(purpose):
        raise ShmError(f"purpose {purpose!r} must match {L.NAMING.PURPOSE_PATTERN}")
    return SegmentNames(
        f"{L.NAMING.PREFIX}{os.getpid()}-{purpose}-{secrets.token_hex(4)}", lock_dir
    )


def parse_name(name: str, lock_dir: str = L.NAMING.LOCK_DIR) -> SegmentNames:
    """Accept '/r2g-…' or 'r2g-…'; refuse anything that could escape the naming scheme."""
    stem = name[1:] if name.startswith("/") else name
    if not _STEM.match(stem):
        raise ShmError(f"segment name {name!r} must look like /r2g-<letters, digits, _ or ->")
    return SegmentNames(stem, lock_dir)
