// The sync part of bench/idl/bench.rs (same types and methods; the async method is
// measured by bench/cgo_async).

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

#[rust2go::r2g]
pub trait Bench {
    // Small struct in, small struct out: `SmallOut { id, score * 2, ok: flag }`.
    fn small(req: &Small) -> SmallOut;
    // Sum of the byte lengths of the strings.
    fn strings(req: &Vec<String>) -> u64;
    // No arguments, no result.
    fn noop();
}
