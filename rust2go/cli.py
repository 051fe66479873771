"""`rust2go` entry point. Each subcommand lives in rust2go/commands/<name>.py and exposes
`register(subparsers)`; this module discovers them so adding one touches no shared file.

Exit status: 0 success, 1 user error (bad IDL, failed run), 2 usage error, 3 internal
error (a bug of rust2go: one line saying so, the traceback only with RUST2GO_TRACEBACK=1)."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from rust2go import __version__, commands

EXIT_OK, EXIT_USER, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rust2go", description="Call Go from Rust.")
    parser.add_argument("--version", action="version", version=f"rust2go {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"rust2go.commands.{info.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except RecursionError:
        return _internal(args, "the input is nested too deeply for this version")
    except Exception as e:  # noqa: BLE001 - any escape is a bug, reported as one
        return _internal(args, f"{type(e).__name__}: {e}")


def _internal(args: argparse.Namespace, what: str) -> int:
    """A bug: say so in one line, with what to attach to the report."""
    import os
    import traceback

    inputs: list[str] = []
    for key in ("idl", "files", "dir", "file"):
        value = getattr(args, key, None)
        inputs += (
            [str(v) for v in value] if isinstance(value, list) else [str(value)] if value else []
        )
    sys.stderr.write(f"internal error in `rust2go {args.command}` ({what}); please report it "
                     f"with the input {' '.join(inputs) or '(none)'}\n")  # fmt: skip
    if os.environ.get("RUST2GO_TRACEBACK"):
        traceback.print_exc()
    return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
