use std::collections::{BTreeMap, HashMap};
pub struct offset {
    pub a: u8,
}
#[rust2go::r2g]
pub trait T {
    #[drop_safe_ret]
    #[send]
    fn Demo(Back: Vec<Option<usize>>, delete: Vec<Option<BTreeMap<i64, i16>>>, Result: HashMap<String, i64>) -> impl Future<Output = Result<Option<Option<isize>>, String>>;
    async fn println() -> Result<Option<HashMap<i32, BTreeMap<i32, i16>>>, String>;
    #[mem]
    async fn m() -> Result<Option<HashMap<i32, BTreeMap<i32, i16>>>, String>;
}
#[rust2go::g2r]
pub trait G {
    fn g(a: &Vec<Option<HashMap<i32, BTreeMap<i32, i16>>>>) -> Result<Option<HashMap<i32, BTreeMap<i32, i16>>>, String>;
}
