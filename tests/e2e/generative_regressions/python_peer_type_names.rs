// The Python peer: types named like a Python keyword, a name the module imports and a
// Python built-in become classes with a trailing underscore; the codec keeps the IDL names.
#[derive(Clone, Copy)]
pub enum from { Ring }
#[derive(rust2go::R2G, Clone)]
pub struct Codec { pub f: from }
#[derive(rust2go::R2G, Clone)]
pub struct list { pub c: Codec }
#[rust2go::r2g(shm)]
pub trait T {
    fn put(l: list, f: from) -> Codec;
}
