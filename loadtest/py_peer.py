"""The python-shm callee as a child process: start, SIGKILL, restart, clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from dataclasses import dataclass

from rust2go.shm import inventory
from rust2go.shm.names import parse_name

START_TIMEOUT = 20.0


@dataclass
class PeerConfig:
    slots: int
    request_ring: int | None
    payload: int
    workers: int = 1


class Peer:
    def __init__(self, proc: asyncio.subprocess.Process, segment: str) -> None:
        self.proc = proc
        self.segment = segment

    @property
    def pid(self) -> int:
        return self.proc.pid

    @classmethod
    async def start(cls, cfg: PeerConfig) -> Peer:
        argv = [sys.executable, "-m", "rust2go.loadtest.py_callee",
                "--slots", str(cfg.slots), "--payload", str(cfg.payload),
                "--workers", str(cfg.workers)]  # fmt: skip
        if cfg.request_ring:
            argv += ["--request-ring", str(cfg.request_ring)]
        proc = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE)
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT)
            hello = json.loads(line)
        except (TimeoutError, ValueError):
            proc.kill()
            await proc.wait()
            raise RuntimeError(
                f"python-shm callee did not start (exit {proc.returncode})"
            ) from None
        return cls(proc, hello["segment"])

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)

    async def reap_and_clean(self) -> None:
        """After a SIGKILL: what `rust2go shm clean` does, for this peer's segment only
        (other runs on the machine may keep dead segments on purpose)."""
        await self.proc.wait()
        stem = parse_name(self.segment).stem
        for info in inventory.scan():
            if info.stem == stem:
                for path in inventory.removable(info):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(path)

    async def stop(self, timeout: float = 10.0) -> int | None:
        """Quit handshake via SIGTERM; SIGKILL only if it does not finish in time."""
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), timeout)
            except TimeoutError:
                self.kill()
                await self.proc.wait()
        return self.proc.returncode
