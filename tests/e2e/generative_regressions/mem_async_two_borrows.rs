// A #[mem] async method with two borrowed arguments: the static API's future must not
// name the shorter of their lifetimes.
use std::collections::HashMap;
#[derive(Clone, Copy)]
pub enum Mood { Calm, Loud }
#[rust2go::r2g]
pub trait Store {
    #[mem]
    async fn put(a: &Option<Vec<Vec<Mood>>>, b: &Vec<Vec<usize>>) -> Result<Vec<HashMap<u64, isize>>, String>;
}
