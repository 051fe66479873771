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

/// The shared-memory paths (in process and across processes). The argument is borrowed,
/// as the cgo paths' Go side borrows Rust memory: Go's handler reads the request copy in
/// place, and the copy is reused by the next call. `echo_async_owned` takes it owned: each
/// call's copy is given to the handler to keep (one allocation per call for Go's collector).
#[r2g(shm)]
pub trait Ring {
    fn echo(req: &Msg) -> Ack;
    async fn echo_async(req: &Msg) -> Ack;
    #[drop_safe]
    async fn echo_async_owned(req: Msg) -> Ack;
}
