use std::collections::{BTreeMap, HashMap};
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(u8)]
pub enum Color { Red = 1, Blue = 7 }
#[derive(Clone, Debug, PartialEq)]
pub struct Inner { pub tag: String, pub vals: Vec<u32> }
#[derive(Clone, Debug, PartialEq)]
pub struct Point { pub x: i32, pub y: i32, pub c: Color }
#[derive(Clone, Debug, PartialEq)]
pub struct All {
    pub b: bool, pub ch: char, pub f: f64, pub s: String, pub v: Vec<u8>,
    pub vs: Vec<String>, pub o: Option<Inner>, pub op: Option<i64>,
    pub m: BTreeMap<String, Vec<Point>>, pub e: Color, pub inner: Vec<Inner>,
}
pub type Amount = i64;
/// Default repr (i32), negative values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Wide { Low = -3, High = 0x7fff_ffff }
#[derive(Clone, Debug, PartialEq)]
pub struct Empty {}
#[derive(Clone, Debug, PartialEq)]
pub struct Tree { pub label: String, pub kids: Vec<Tree> }
/// The kinds `All` lacks; field order leaves C padding between fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Kinds {
    pub a: u8, pub b: u16, pub c: u32, pub d: u64, pub e: usize,
    pub f: i8, pub g: i16, pub h: i32, pub i: Amount, pub j: isize, pub k: f32,
    pub flags: Vec<bool>, pub chars: Vec<char>, pub floats: Vec<f32>, pub wides: Vec<Wide>,
    pub nested: Vec<Vec<u16>>, pub os: Option<String>, pub ov: Option<Vec<String>>,
    pub oo: Option<Option<i8>>, pub oe: Option<Wide>, pub none: Option<Tree>,
    pub by_id: HashMap<u64, String>, pub by_char: BTreeMap<char, Empty>,
    pub empty: Empty, pub w: Wide, pub tree: Tree,
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
    fn kinds(k: &Kinds, tag: u8) -> Kinds;
    /// How many `check` calls Go ran: exactly-once means one per call made.
    fn checks() -> u64;
}
