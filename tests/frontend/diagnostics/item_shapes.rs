// Struct shapes the IDL cannot carry, and `#[r2g]` arguments it does not know.
pub struct Pair(u32, u32);
pub struct Marker;
#[rust2go::r2g(queue_size = 99999999, binding = m, shm, frob = 1, 7)]
pub trait Calls {
    fn f(a: u32) -> u32;
}
