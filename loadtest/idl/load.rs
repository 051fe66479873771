//! Default IDL of `rust2go loadtest` (used when --idl is omitted).
//!
//! The load contract: the method takes one struct with `seq: u64` and `payload: Vec<u8>`
//! and returns one with `seq: u64` and `checksum: u64`; the callee answers with the
//! request's seq and FNV-1a-64 over seq (8 bytes, little-endian) followed by the payload.
//! One trait per call kind, so each transport has a default method.

pub struct LoadRequest {
    pub seq: u64,
    pub payload: Vec<u8>,
}

pub struct LoadReply {
    pub seq: u64,
    pub checksum: u64,
}

/// cgo-sync (and python-shm, which only needs the contract).
#[r2g]
pub trait Load {
    fn call(req: LoadRequest) -> LoadReply;
}

/// cgo-async: owned argument, so the future may be dropped at any time.
#[r2g]
pub trait LoadAsync {
    #[drop_safe]
    async fn call_async(req: LoadRequest) -> LoadReply;
}

/// shm-inproc / shm-xproc.
#[r2g]
pub trait LoadShm {
    #[mem]
    async fn call_shm(req: LoadRequest) -> LoadReply;
}
