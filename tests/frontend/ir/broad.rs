//! A broad valid IDL: every accepted type, item and attribute.
use std::collections::{BTreeMap, HashMap};
use std::future::Future;

pub mod binding {
    rust2go::r2g_include_binding!();
}

/// Declared before its dependency on purpose: order must not matter.
#[derive(rust2go::R2G, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// Who sent it.
    pub sender: Person,
    pub maybe: Option<Person>,
    pub history: Vec<Vec<Person>>,
    #[serde(default)]
    pub labels: HashMap<String, Vec<u8>>,
    pub by_id: BTreeMap<u64, String>,
    pub flags: BTreeMap<char, bool>,
    pub mood: Mood,
    pub total: Amount,
}

#[derive(rust2go::R2G, Clone, Debug, PartialEq)]
pub struct Person {
    pub name: String,
    pub age: u8,
    pub initials: char,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct AllPrimitives {
    a: u8, b: u16, c: u32, d: u64, e: usize,
    f: i8, g: i16, h: i32, i: i64, j: isize,
    k: f32, l: f64, m: bool, n: char, s: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tree {
    pub value: i32,
    pub children: Vec<Tree>,
    pub index: HashMap<String, Tree>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Empty {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Mood {
    #[default]
    Happy,
    Sad = 5,
    Meh,
}

#[derive(Clone, Copy, Debug)]
pub enum Signed { Low = -3, High = 0x7fff_ffff }

pub type Amount = i64;
type Names = Vec<String>;

impl Person {
    fn greeting(&self) -> String { format!("hi {}: {}", self.name, '}') }
}

macro_rules! ignored { ($x:expr) => { $x }; }

#[rust2go::r2g(my_binding, queue_size = 1024)]
pub trait Service {
    fn notify(p: &Person);
    fn check(e: &Envelope, names: Names) -> Result<Tree, String>;
    fn no_params() -> i32;
    #[go_pass_struct]
    #[cgo_callback]
    fn sum(a: i32, b: i32) -> i32;
    #[drop_safe]
    #[send]
    async fn fetch(id: u64) -> Option<Person>;
    #[drop_safe_ret]
    fn fetch_ret(p: Person) -> impl Future<Output = Vec<Person>> + Send + Sync + 'static;
    fn borrowed_async(p: &Person) -> impl std::future::Future<Output = bool>;
    #[mem]
    async fn shm_call(data: Vec<u8>) -> Vec<u8>;
    #[shm]
    fn shm_oneway(mood: Mood);
    fn moods(all: Vec<Mood>) -> HashMap<String, Mood>;
    fn everything(p: AllPrimitives, s: Signed, e: Empty) -> AllPrimitives;
}

#[r2g(shm)]
trait WholeTraitOverShm {
    fn ping(n: u32) -> u32;
}

#[g2r]
pub trait Callbacks {
    fn log(message: String);
    fn convert(p: Person) -> String;
}

pub trait NotIdl {
    fn anything<T: Clone>(&self, x: impl Fn(u8) -> u8) -> Box<dyn Iterator<Item = T>>;
}
