// The Python peer: Python keywords and the client's own names as fields, methods and
// parameters of shared-memory methods.
#[derive(rust2go::R2G, Clone)]
pub struct S { pub pass: u32, pub None: u8 }
#[rust2go::r2g(shm)]
pub trait T {
    fn def(lambda: S, timeout: u32, encode: u32, caller: u32) -> S;
    fn caller() -> u32;
}
