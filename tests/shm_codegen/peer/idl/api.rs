use std::collections::BTreeMap;
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(u8)]
pub enum Color { Red = 1, Blue = 7 }
pub struct Inner { pub tag: String, pub vals: Vec<u32> }
pub struct Point { pub x: i32, pub y: i32, pub c: Color }
pub struct All {
    pub b: bool, pub ch: char, pub f: f64, pub s: String, pub v: Vec<u8>,
    pub vs: Vec<String>, pub o: Option<Inner>, pub op: Option<i64>,
    pub m: BTreeMap<String, Vec<Point>>, pub e: Color, pub inner: Vec<Inner>,
}
/// Every call kind over shared memory (ids are the positions below).
#[r2g(shm)]
pub trait Svc {
    fn add(a: u64, b: u64) -> u64;
    #[drop_safe]
    async fn echo_all(a: All) -> All;
    fn note(p: Point, name: String);
    fn notes() -> u64;
    #[drop_safe]
    async fn check(id: u64, data: Vec<u8>) -> u64;
    fn fail(msg: String) -> Result<u64, String>;
    fn boom(n: u64) -> u64;
    #[drop_safe]
    async fn nap(ms: u64) -> u64;
    fn big(n: u64) -> Vec<u8>;
}
