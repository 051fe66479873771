//! Unit tests of the fixed runtime every generated Rust binding carries
//! (codegen/support/rust/), its files joined in one module as the generator joins them
//! (templates/rust/runtime.rs.j2). No Go here: the tests play Go's part where one is
//! needed (a reply block from malloc, Refs read back as Go would write them).

/// The support file `$f`, as if written here (the generator pastes it into its module).
macro_rules! support {
    ($f:literal) => {
        include!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../codegen/support/rust/",
            $f
        ));
    };
}

#[allow(dead_code)]
mod rt {
    support!("prelude.rs");
    support!("refs.rs");
    support!("buffer.rs");
    support!("wire.rs");
    support!("maps.rs");
    support!("reply.rs");

    #[cfg(test)]
    mod tests;
}
