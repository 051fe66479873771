"""The transport registry: name -> Transport class, one per call path of the product."""

from __future__ import annotations

from rust2go.loadtest.transports.base import Transport, Unavailable
from rust2go.loadtest.transports.cgo_async import CgoAsync
from rust2go.loadtest.transports.cgo_sync import CgoSync
from rust2go.loadtest.transports.python_shm import PythonShm
from rust2go.loadtest.transports.shm_peer import ShmInproc, ShmXproc

REGISTRY: dict[str, type[Transport]] = {
    "cgo-sync": CgoSync,
    "cgo-async": CgoAsync,
    "shm-inproc": ShmInproc,
    "shm-xproc": ShmXproc,
    "python-shm": PythonShm,
}

# The method each transport drives in the default IDL (idl/load.rs).
DEFAULT_METHOD = {
    "cgo-sync": "Load::call",
    "cgo-async": "LoadAsync::call_async",
    "shm-inproc": "LoadShm::call_shm",
    "shm-xproc": "LoadShm::call_shm",
    "python-shm": "Load::call",
}

__all__ = ["DEFAULT_METHOD", "REGISTRY", "Transport", "Unavailable"]
