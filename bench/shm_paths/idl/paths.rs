// bench/shm_paths.py: one IDL for every call path. The callee answers the request's seq
// and a checksum of its payload, so every path does the same work on the same bytes.

pub struct Msg {
    pub seq: u64,
    pub payload: Vec<u8>,
}

pub struct Ack {
    pub seq: u64,
    pub sum: u64,
}

/// The cgo paths (one cgo transition per call).
#[r2g]
pub trait Cgo {
    fn echo(req: Msg) -> Ack;
    #[drop_safe]
    async fn echo_async(req: Msg) -> Ack;
}

/// The shared-memory paths (in process and across processes).
#[r2g(shm)]
pub trait Ring {
    fn echo(req: Msg) -> Ack;
    #[drop_safe]
    async fn echo_async(req: Msg) -> Ack;
}
