"""A mapped segment: header access, the two rings, the slot table and both doorbells.

The callee creates (and on clean close unlinks) the segment, its two semaphores and its
lock file; a caller opens it by name and validates every header field first."""

from __future__ import annotations

import contextlib
import mmap
import os

import posix_ipc

from rust2go.shm import layout as L
from rust2go.shm._atomics import AtomicView
from rust2go.shm.contract import Contract, check
from rust2go.shm.doorbell import Doorbell
from rust2go.shm.errors import ShmError, ShmLayoutError
from rust2go.shm.geometry import Geometry, plan
from rust2go.shm.hotpath import CALLEE, CALLER, COMPLETION, REQUEST, open_wire
from rust2go.shm.liveness import Liveness, LockProbe, OwnerLock, probe
from rust2go.shm.names import SegmentNames, new_names, parse_name
from rust2go.shm.records import pack, unpack
from rust2go.shm.ring import Ring
from rust2go.shm.slots import SlotTable
from rust2go.shm.validate import read_geometry

H = {f.name: f for f in L.HEADER.fields}


class Segment:
    def __init__(self, names: SegmentNames, mm: mmap.mmap, geometry: Geometry,
                 callee_sem: posix_ipc.Semaphore, caller_sem: posix_ipc.Semaphore) -> None:  # fmt: skip
        self.names = names
        self.geometry = geometry
        self._mm = mm
        self.atom = AtomicView(mm)
        self.mem = memoryview(mm)
        g = geometry
        self.wire = open_wire(mm, geometry)
        self.request_ring = Ring("request_ring", self.atom, self.wire, REQUEST,
                                 g.request_ring_offset, g.request_ring_capacity)  # fmt: skip
        self.completion_ring = Ring("completion_ring", self.atom, self.wire, COMPLETION,
                                    g.completion_ring_offset, g.completion_ring_capacity)  # fmt: skip
        self.slots = SlotTable(self.atom, geometry)
        self.callee_bell = Doorbell(
            self.atom, H["callee_parked"].offset, callee_sem, self.wire, CALLEE
        )
        self.caller_bell = Doorbell(
            self.atom, H["caller_parked"].offset, caller_sem, self.wire, CALLER
        )
        self.owner_lock: OwnerLock | None = None
        # A caller's descriptor of its callee's lock file (Segment.open), opened before
        # the segment: the callee creates its lock first, so this is the file of the
        # segment's own callee or of an earlier one, never of a later one.
        self.callee_probe: LockProbe | None = None
        self._opened = False  # mapped by Segment.open: the callee is watched through callee_probe

    @property
    def name(self) -> str:
        return self.names.segment

    # -- header words ------------------------------------------------------------------
    def load(self, field: str) -> int:
        f = H[field]
        return self.atom.load_u32(f.offset) if f.kind == "u32" else self.atom.load_u64(f.offset)

    def store(self, field: str, value: int) -> None:
        f = H[field]
        (self.atom.store_u32 if f.kind == "u32" else self.atom.store_u64)(f.offset, value)

    def cas(self, field: str, expected: int, desired: int) -> bool:
        f = H[field]
        return (self.atom.cas_u32 if f.kind == "u32" else self.atom.cas_u64)(
            f.offset, expected, desired
        )

    def fetch_add(self, field: str, delta: int) -> int:
        return self.atom.fetch_add_u32(H[field].offset, delta)

    # -- life cycle --------------------------------------------------------------------
    @classmethod
    def create(cls, purpose: str = "calls", *, name: str | None = None,
               geometry: Geometry | None = None, lock_dir: str = L.NAMING.LOCK_DIR,
               contract: Contract | None = None) -> Segment:  # fmt: skip
        """Create segment, semaphores and callee lock (mode 0600); state ends SERVING.
        `contract`: the IDL the served payloads follow (None: a raw callee, header 0)."""
        names = parse_name(name, lock_dir) if name else new_names(purpose, lock_dir)
        g = geometry or plan()
        if name:
            _remove_if_stale(names)
        with contextlib.ExitStack() as undo:
            lock = OwnerLock(names.callee_lock)
            undo.callback(lock.release)
            sems = []
            for sem_name in (names.callee_doorbell, names.caller_doorbell):
                sem = posix_ipc.Semaphore(sem_name, posix_ipc.O_CREX, L.NAMING.MODE, 0)
                undo.callback(_unlink_semaphore, sem)
                sems.append(sem)
            shm = posix_ipc.SharedMemory(
                names.segment, posix_ipc.O_CREX, L.NAMING.MODE, g.segment_size
            )
            undo.callback(_quiet, posix_ipc.unlink_shared_memory, names.segment)
            try:
                mm = mmap.mmap(shm.fd, g.segment_size)
            finally:
                shm.close_fd()
            seg = cls(names, mm, g, sems[0], sems[1])
            seg._write_header(g, contract)
            seg.owner_lock = lock
            seg.store("segment_state", L.SegmentState.SERVING)
            undo.pop_all()
        return seg

    def _write_header(self, g: Geometry, contract: Contract | None) -> None:
        self.mem[: L.HEADER.size] = pack(
            L.HEADER, **g.header_fields(), **(contract.header_fields() if contract else {}),
            segment_state=L.SegmentState.CREATING, callee_pid=os.getpid(),
        )  # fmt: skip
        self.reset_session()

    def reset_session(self) -> None:
        """Callee only, with no caller attached and no local work in flight."""
        self.request_ring.initialise()
        self.completion_ring.initialise()
        self.slots.initialise()
        self.store("caller_pid", 0)
        self.store("caller_parked", 0)

    @classmethod
    def open(cls, name: str, lock_dir: str = L.NAMING.LOCK_DIR) -> Segment:
        """Map an existing segment after validating its header (raises ShmLayoutError)."""
        names = parse_name(name, lock_dir)
        callee_probe = LockProbe.open(names.callee_lock)  # before the segment (see __init__)
        try:
            seg = cls._map(names)
        except BaseException:
            if callee_probe is not None:
                callee_probe.close()
            raise
        seg.callee_probe, seg._opened = callee_probe, True
        return seg

    @classmethod
    def _map(cls, names: SegmentNames) -> Segment:
        try:
            shm = posix_ipc.SharedMemory(names.segment)
        except posix_ipc.ExistentialError:
            raise ShmError(f"no shared-memory segment named {names.segment}") from None
        try:
            size = os.fstat(shm.fd).st_size
            if size < L.HEADER.size:
                raise ShmLayoutError(
                    f"segment size {size} is smaller than the {L.HEADER.size}-byte header"
                )
            mm = mmap.mmap(shm.fd, size)
        finally:
            shm.close_fd()
        try:
            g = read_geometry(mm, size)
            sems = [posix_ipc.Semaphore(n) for n in (names.callee_doorbell, names.caller_doorbell)]
        except posix_ipc.ExistentialError:
            mm.close()
            raise ShmError(
                f"segment {names.segment} has no doorbell semaphores (half cleaned up?)"
            ) from None
        except BaseException:
            mm.close()
            raise
        return cls(names, mm, g, sems[0], sems[1])

    def check_contract(self, mine: Contract | None) -> None:
        """Raise ContractMismatch unless the callee serves `mine` (None: checks nothing)."""
        check(self.name, unpack(L.HEADER, self.mem), mine)

    def callee_liveness(self) -> Liveness:
        """Whether this segment's callee lives: for a segment mapped by Segment.open,
        through the descriptor opened with it (no file then: missing, whatever file the
        path names later); for one this process created, by the path."""
        if not self._opened:
            return probe(self.names.callee_lock)
        return Liveness.MISSING if self.callee_probe is None else self.callee_probe.liveness()

    def close(self) -> None:
        """Unmap and close handles; OS objects stay (see unlink)."""
        if self._mm.closed:
            return
        if self.callee_probe is not None:
            self.callee_probe.close()
        self.atom.release()
        self.wire.release()
        self.mem.release()
        self._mm.close()
        for bell in (self.callee_bell, self.caller_bell):
            _quiet(bell.sem.close)

    def unlink(self) -> None:
        """Remove the segment's OS objects (callee, on clean close)."""
        unlink_names(self.names)
        if self.owner_lock is not None:
            self.owner_lock.release()
            self.owner_lock = None


def unlink_names(names: SegmentNames) -> None:
    _quiet(posix_ipc.unlink_shared_memory, names.segment)
    for sem_name in (names.callee_doorbell, names.caller_doorbell):
        _quiet(posix_ipc.unlink_semaphore, sem_name)


def _remove_if_stale(names: SegmentNames) -> None:
    """An explicit name may be reused once its previous callee is dead."""
    if probe(names.callee_lock) is Liveness.ALIVE:
        raise ShmError(f"segment {names.segment} is served by a live callee")
    unlink_names(names)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(names.callee_lock)


def _unlink_semaphore(sem: posix_ipc.Semaphore) -> None:
    _quiet(sem.unlink)
    _quiet(sem.close)


def _quiet(fn, *args) -> None:
    with contextlib.suppress(posix_ipc.ExistentialError, OSError):
        fn(*args)
