"""`rust2go shm ls` and `rust2go shm clean`: inspect and remove shared-memory segments."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict

from rust2go.shm import inventory

EXIT_OK, EXIT_USER = 0, 1


def register(sub) -> None:
    p = sub.add_parser("shm", help="list or clean rust2go shared-memory segments")
    p.set_defaults(func=lambda args: (p.print_help(sys.stderr), 2)[1])
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    ls = verbs.add_parser(
        "ls", help="list segments with owners, liveness, slots in use, ring depth"
    )
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.add_argument("--dir", default=inventory.SHM_DIR, help=argparse.SUPPRESS)
    ls.set_defaults(func=run_ls)
    cl = verbs.add_parser("clean", help="remove segments, semaphores and lock files of dead owners")
    cl.add_argument("--dry-run", action="store_true", help="only print what would be removed")
    cl.add_argument("--dir", default=inventory.SHM_DIR, help=argparse.SUPPRESS)
    cl.set_defaults(func=run_clean)


def _check_dir(path: str) -> bool:
    if not os.path.isdir(path):
        sys.stderr.write(f"error: {path}: no such directory (is POSIX shared memory mounted?)\n")
        return False
    return True


def run_ls(args) -> int:
    if not _check_dir(args.dir):
        return EXIT_USER
    infos = inventory.scan(args.dir)
    if args.json:
        print(json.dumps([asdict(i) for i in infos], indent=2))
        return EXIT_OK
    if not infos:
        print("no rust2go segments")
        return EXIT_OK
    head = ("SEGMENT", "CALLEE", "CALLER", "STATE", "SLOTS", "ABANDONED", "REQ", "COMP", "CONTRACT",
            "PROBLEM")  # fmt: skip
    rows = [head] + [
        (
            "/" + i.stem,
            f"{i.callee_pid} {i.callee}",
            f"{i.caller_pid} {i.caller}" if i.caller_pid else "-",
            f"{i.segment_state}/{i.caller_state}",
            str(i.slot_count),
            str(i.slots_abandoned),
            str(i.request_depth),
            str(i.completion_depth),
            i.contract,
            i.problem,
        )
        for i in infos
    ]
    widths = [max(len(r[c]) for r in rows) for c in range(len(head))]
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    return EXIT_OK


def run_clean(args) -> int:
    if not _check_dir(args.dir):
        return EXIT_USER
    removed = inventory.clean(args.dir, dry_run=args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    for path in removed:
        print(f"{verb} {path}")
    print(f"{verb} {len(removed)} file(s)")
    return EXIT_OK
