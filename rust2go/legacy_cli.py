"""`rust2go-cli`: the original rust2go CLI's flags, for build scripts written against it.

    rust2go-cli --src src/user.rs --dst go/gen.go [--rust-dst src/gen.rs]
                [--go118] [--without-main] [--no-fmt] [--go-package NAME]

The original produced only the Go file (its Rust side came from proc macros); ours also
needs the std-only Rust file, written when `--rust-dst` is given."""

from __future__ import annotations

import argparse
import sys

from rust2go import __version__
from rust2go.commands.generate import add_go_options, emit_files, options_from


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rust2go-cli", description="Generate Go bindings.")
    p.add_argument("--version", action="version", version=f"rust2go-cli {__version__}")
    p.add_argument("-s", "--src", required=True, metavar="PATH", help="IDL Rust file")
    p.add_argument("-d", "--dst", required=True, metavar="PATH", help="Go file to write")
    p.add_argument("--rust-dst", metavar="PATH", help="std-only Rust binding to write")
    add_go_options(p)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return emit_files(args.src, options_from(args), go_out=args.dst, rust_out=args.rust_dst)


if __name__ == "__main__":
    sys.exit(main())
