"""An in-process callee serving a handler, and a caller connected to it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from rust2go.runtime import ShmCallee, ShmCaller


@contextlib.asynccontextmanager
async def served(handler, purpose: str, **create) -> AsyncIterator[tuple[ShmCallee, ShmCaller]]:
    """(callee, caller); `create` goes to ShmCallee.create. Both are closed on exit."""
    callee = ShmCallee.create(purpose, **create)
    serving = asyncio.create_task(callee.serve(handler))
    caller = await ShmCaller.connect(callee.name)
    try:
        yield callee, caller
    finally:
        await caller.close()
        await callee.close()
        await serving
