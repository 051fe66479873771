"""What `rust2go shm ls` shows and `rust2go shm clean` removes: every rust2go object in
/dev/shm grouped by segment stem, with owner liveness from the lock files."""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass, field

from rust2go.shm import layout as L
from rust2go.shm.contract import header_idl_name
from rust2go.shm.errors import ShmLayoutError
from rust2go.shm.liveness import Liveness, pid_exists, probe, remove_if_dead
from rust2go.shm.names import SegmentNames
from rust2go.shm.records import unpack
from rust2go.shm.validate import read_geometry

SHM_DIR = "/dev/shm"
_SEM = re.compile(r"sem\.(r2g-[A-Za-z0-9_-]+)\.wake-(callee|caller)\Z")
_LOCK = re.compile(r"(r2g-[A-Za-z0-9_-]+)\.lock-(callee|caller-(\d+))\Z")
_SEG = re.compile(r"(r2g-[A-Za-z0-9_-]+)\Z")


@dataclass
class SegmentInfo:
    stem: str
    files: list[str] = field(default_factory=list)
    size: int = 0
    callee_pid: int = 0
    callee: str = Liveness.MISSING.value
    caller_pid: int = 0
    caller: str = "-"
    segment_state: str = "-"
    caller_state: str = "-"
    slots_abandoned: int = 0  # calls the caller gave up on whose completion is still due
    slot_count: int = 0
    request_depth: int = 0
    completion_depth: int = 0
    contract: str = "-"  # "<hash hex> (<idl name>)", or "-" when the callee declared none
    problem: str = ""


def _group(shm_dir: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for entry in sorted(os.listdir(shm_dir)):
        m = _SEM.match(entry) or _LOCK.match(entry) or _SEG.match(entry)
        if m:
            groups.setdefault(m.group(1), []).append(os.path.join(shm_dir, entry))
    return groups


def _read_segment(info: SegmentInfo, path: str) -> None:
    with open(path, "rb") as f:
        data = f.read(1 << 30)
    info.size = len(data)
    try:
        g = read_geometry(data, len(data))
    except ShmLayoutError as e:
        info.problem = str(e)
        if len(data) >= L.HEADER.size:
            info.callee_pid = unpack(L.HEADER, data)["callee_pid"]
        return
    h = unpack(L.HEADER, data)
    info.callee_pid, info.caller_pid = h["callee_pid"], h["caller_pid"]
    info.segment_state = L.SegmentState(h["segment_state"]).name
    info.caller_state = L.CallerState(h["caller_state"]).name
    info.slot_count = g.slot_count
    if h["contract"]:
        info.contract = f"{h['contract']:016x} ({header_idl_name(h['idl_name'])})"
    info.slots_abandoned = sum(
        unpack(L.SLOT, data, g.slot_offset(i))["state"] != L.SlotState.FREE
        for i in range(g.slot_count)
    )
    for name, off in (("request", g.request_ring_offset), ("completion", g.completion_ring_offset)):
        r = unpack(L.RING, data, off)
        setattr(info, f"{name}_depth", max(0, r["enqueue_pos"] - r["dequeue_pos"]))


def _liveness(lock_path: str, pid: int) -> str:
    state = probe(lock_path)
    if state is Liveness.MISSING and pid and pid_exists(pid):
        return "alive?"  # no lock file but the pid runs: maybe reused, maybe a foreign peer
    return state.value


def scan(shm_dir: str = SHM_DIR) -> list[SegmentInfo]:
    out = []
    for stem, files in _group(shm_dir).items():
        info = SegmentInfo(stem, files)
        names = SegmentNames(stem, shm_dir)
        seg_path = os.path.join(shm_dir, stem)
        if seg_path in files:
            _read_segment(info, seg_path)
        else:
            info.problem = "segment missing (leftover semaphores or lock files)"
        info.callee_pid = info.callee_pid or names.owner_pid or 0
        info.callee = _liveness(names.callee_lock, info.callee_pid)
        if info.caller_pid:
            info.caller = probe(names.caller_lock(info.caller_pid)).value
        out.append(info)
    return out


def removable(info: SegmentInfo) -> list[str]:
    """Files `clean` may delete: everything of a dead owner, else dead callers' locks."""
    if info.callee in (Liveness.DEAD.value, Liveness.MISSING.value):
        return list(info.files)
    return [p for p in info.files if _LOCK.match(os.path.basename(p))
            and "lock-caller-" in p and probe(p) is Liveness.DEAD]  # fmt: skip


def clean(shm_dir: str = SHM_DIR, dry_run: bool = False) -> list[str]:
    removed = []
    for info in scan(shm_dir):
        for path in removable(info):
            if dry_run:
                removed.append(path)
            elif _LOCK.match(os.path.basename(path)):
                if remove_if_dead(path):  # not a lock a new owner took meanwhile
                    removed.append(path)
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
                removed.append(path)
    return removed
