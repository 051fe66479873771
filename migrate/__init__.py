"""`rust2go migrate`: turns a crate built with the original rust2go crate into one built
with this toolchain (see docs/migrate.md)."""
