"""rust2go: call Go from Rust. This folder is only the command-line front door; the
work lives in rust2go.codegen, rust2go.shm, rust2go.runtime and rust2go.daemon."""

__version__ = "0.1.0"
