// Names the generated code takes for itself: the Go constants of enum variants, the
// shared-memory client and server of a trait, the shm client's own methods, and the
// method names `go vet` holds to a standard signature.
pub enum mai { n, x }
pub enum AB { C }
pub enum A { BC }
pub enum tr { ue }
pub struct CallsShm { pub a: u32 }
pub struct CallsShmServe { pub a: u32 }
#[rust2go::r2g]
pub trait Calls {
    #[mem]
    fn connect(a: u32) -> u32;
    #[shm]
    fn in_flight();
    fn name() -> u32;
    fn ReadByte() -> u8;
}
#[rust2go::r2g(shm)]
pub trait Served {
    fn is_dead() -> bool;
}
#[rust2go::g2r]
pub trait Back {
    fn Unwrap() -> u32;
}
// No shm method: no client or server is generated, so these names are free.
pub struct PlainShm { pub a: u32 }
pub struct PlainShmServe { pub a: u32 }
#[rust2go::r2g]
pub trait Plain {
    fn call(a: u32) -> u32;
}
