use std::collections::{BTreeMap, HashMap};

pub type out = Vec<BTreeMap<char, i16>>;
pub struct buf {
    pub req: Option<Option<usize>>,
    pub Request: out,
}
#[rust2go::r2g]
pub trait E {
    fn Wire(B: &Option<Vec<Option<i8>>>, user: &Vec<Option<Option<i64>>>, core: Option<Option<Option<isize>>>) -> impl Future<Output = Option<HashMap<u16, Option<String>>>>;
    fn items(int8: buf, Eq: &Option<Option<Vec<u32>>>) -> Vec<Option<Option<String>>>;
}
