// The async part of bench/idl/bench.rs (same types, same attributes), for bench/cgo_async.py.

#[derive(Clone, Debug)]
pub struct Small {
    pub id: u64,
    pub score: f64,
    pub flag: bool,
    pub tag: u32,
}

pub struct SmallOut {
    pub id: u64,
    pub score: f64,
    pub ok: bool,
}

#[r2g]
pub trait Bench {
    // Same as `small`, answered from a goroutine.
    #[drop_safe]
    #[send]
    async fn small_async(req: Small) -> SmallOut;
}
