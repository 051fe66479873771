use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Copy)]
pub enum B {
    B,
    off,
    Iterator,
}
#[derive(rust2go::R2G, Clone)]
pub struct Item {
    pub error: Option<String>,
    pub Some: Vec<Option<Vec<u64>>>,
    pub x: Option<Vec<Option<f64>>>,
}
#[rust2go::r2g]
pub trait R2G_SHM {
    fn Bell(EB: &Vec<Option<usize>>) -> Result<Vec<Vec<i64>>, String>;
    fn Eq() -> Option<Vec<Option<i64>>>;
    async fn Ring() -> Option<Option<HashMap<i64, i64>>>;
    #[mem]
    fn BTreeMap(y: Vec<f32>, cell: Option<Option<Option<char>>>, G2RReply: &Option<Option<i16>>);
}
