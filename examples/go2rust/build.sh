#!/bin/sh
# Builds the Rust staticlib, puts it where go/link.go looks (go/lib) and builds the Go
# program as go/go2rust. Run `rust2go generate` first (see README.md).
set -eu
cd "$(dirname "$0")"
(cd rust-lib && cargo build --release --quiet)
# Ask cargo where it built: CARGO_TARGET_DIR or a .cargo/config may move the target dir.
target=$(cd rust-lib && cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
[ -n "$target" ] || { echo "build.sh: cargo metadata named no target directory" >&2; exit 1; }
mkdir -p go/lib
cp "$target/release/libr2g_example_go2rust.a" go/lib/
# go build does not hash libraries named in #cgo LDFLAGS: while the Go sources are
# unchanged it keeps an existing go2rust with the old archive in it, so remove it first.
(cd go && rm -f go2rust && go build -o go2rust .)
echo "built go/go2rust"
