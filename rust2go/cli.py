"""`rust2go` entry point. Each subcommand lives in rust2go/commands/<name>.py and exposes
`register(subparsers)`; this module discovers them so adding one touches no shared file.

Exit status: 0 success, 1 user error (bad IDL, failed run), 2 usage error."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from rust2go import __version__, commands

EXIT_OK, EXIT_USER, EXIT_USAGE = 0, 1, 2


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


if __name__ == "__main__":
    sys.exit(main())
