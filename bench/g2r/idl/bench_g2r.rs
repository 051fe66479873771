// The Go→Rust part of bench/idl/bench.rs (same types and methods, called on Go's system
// stack: the default), plus `g2r_strings_ref` (the same strings lent to Rust as a
// `&Vec<String>` view instead of copied) and the `#[cgo_call]` twin of each method.

#[derive(Clone, Debug)]
pub struct Small {
    pub id: u64,
    pub score: f64,
    pub flag: bool,
    pub tag: u32,
}

#[derive(Clone, Debug)]
pub struct SmallOut {
    pub id: u64,
    pub score: f64,
    pub ok: bool,
}

#[rust2go::g2r]
pub trait BenchG2R {
    fn g2r_small(req: Small) -> SmallOut;
    fn g2r_strings(req: Vec<String>) -> u64;
    fn g2r_strings_ref(req: &Vec<String>) -> u64;
    fn g2r_noop();
    #[cgo_call]
    fn g2r_small_cgo(req: Small) -> SmallOut;
    #[cgo_call]
    fn g2r_strings_cgo(req: Vec<String>) -> u64;
    #[cgo_call]
    fn g2r_noop_cgo();
}

#[rust2go::r2g]
pub trait BenchG2RDriver {
    // `calls` Go→Rust calls of case `which` (see go/impl.go), timed by the Rust caller.
    fn g2r_loop(which: u32, calls: u64) -> u64;
}
