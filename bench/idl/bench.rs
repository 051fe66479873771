// Shared benchmark IDL (the sync, async and Go→Rust benchmarks).
//
// Written in the original rust2go crate's style so that the very same file is
// accepted by both toolchains:
//   * the crates.io `rust2go` crate (bench/rust2go_crate: `#[path]`-included
//     by src/main.rs and fed to the crate's Builder::with_regen in build.rs);
//   * our generator (`rust2go check bench/idl/bench.rs`).
//
// `#[send]` on the async method: the crate's futures are not `Send` without
// it, and the async benchmark spawns them on a multi-thread tokio runtime.
//
// Comments inside the trait are plain `//`, not `///`: in rust2go 0.4.x a doc
// comment on a method is an attribute that is not a `Meta::Path`, which makes
// the crate's `go_ptr` test (`attrs.all(|a| a is a Path other than
// go_pass_struct)`) false, so a documented method silently switches to
// by-value struct passing (the `#[go_pass_struct]` mode).

pub mod binding {
    rust2go::r2g_include_binding!();
}

#[derive(rust2go::R2G, Clone, Debug)]
pub struct Small {
    pub id: u64,
    pub score: f64,
    pub flag: bool,
    pub tag: u32,
}

#[derive(rust2go::R2G, Clone, Debug)]
pub struct SmallOut {
    pub id: u64,
    pub score: f64,
    pub ok: bool,
}

#[rust2go::r2g]
pub trait Bench {
    // Small struct in, small struct out: `SmallOut { id, score * 2, ok: flag }`.
    fn small(req: &Small) -> SmallOut;
    // Sum of the byte lengths of the strings.
    fn strings(req: &Vec<String>) -> u64;
    // Same as `small`, answered from a goroutine.
    #[drop_safe]
    #[send]
    async fn small_async(req: Small) -> SmallOut;
    // No arguments, no result.
    fn noop();
}

// Go→Rust: the same work answered by Rust (`BenchG2RImpl` in src/main.rs), timed in Go
// by `BenchG2RDriver::g2r_loop` (`which` 0: small, 1: strings, 2: noop; `calls` calls; the
// result is a checksum of the replies).
#[rust2go::g2r]
pub trait BenchG2R {
    fn g2r_small(req: Small) -> SmallOut;
    fn g2r_strings(req: Vec<String>) -> u64;
    fn g2r_noop();
}

#[rust2go::r2g]
pub trait BenchG2RDriver {
    fn g2r_loop(which: u32, calls: u64) -> u64;
}
