"""The Python callee of the peer IDL as a process of its own (the corruption storm needs
each peer in its own process, so a crash shows as an exit status):

    python -m tests.shm_codegen.svc_callee SVC_SHM_PY

prints the segment name, serves `PythonSvc` until stdin closes or says "quit"."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from rust2go.runtime import ShmCallee
from tests.shm_codegen.interop import PythonSvc, load_module, peer_contract


async def main(svc_shm: str) -> None:
    mod = load_module(Path(svc_shm))
    callee = ShmCallee.create("r2g_storm", contract=peer_contract())
    handler = mod.Svc_handler(PythonSvc(), callee.seg.geometry.response_capacity)
    serving = asyncio.create_task(callee.serve(handler, workers=2))
    print(callee.name, flush=True)
    loop = asyncio.get_running_loop()
    while (await loop.run_in_executor(None, sys.stdin.readline)).strip() not in ("", "quit"):
        pass
    await callee.close()
    await serving


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
