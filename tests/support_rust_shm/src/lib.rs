//! Unit tests of the fixed Rust shm caller (codegen/support/rust/shm/), its files joined
//! in one module as the generator joins them (templates/rust/shm/caller.rs.j2), next to
//! the layout constants the generator emits (src/layout.rs, written from shm/layout.py by
//! test_support_rust_shm.py). No callee here: the tests build segments in anonymous
//! memory and play the callee's part on them.

// The generated `r2g_shm_layout` module, as every generated file carries it.
include!("layout.rs");

/// The support file `$f`, as if written here (the generator pastes it into its module).
macro_rules! support {
    ($f:literal) => {
        include!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../codegen/support/rust/shm/",
            $f
        ));
    };
}

#[allow(dead_code, clippy::missing_safety_doc)]
pub mod r2g_shm {
    support!("prelude.rs");
    support!("error.rs");
    support!("sys.rs");
    support!("names.rs");
    support!("mapping.rs");
    support!("header.rs");
    support!("ring.rs");
    support!("check.rs");
    support!("bell.rs");
    support!("slots.rs");
    support!("conn.rs");
    support!("reader.rs");
    support!("calls.rs");
    support!("static_api.rs");
    support!("codec.rs");

    #[cfg(test)]
    mod tests;
}
