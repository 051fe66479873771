// The Go shm callee's handler and codec: its own variables must not hide the IDL's types
// or its parameters' names (a struct `v`, a parameter `req`).
use std::collections::HashMap;

#[derive(Clone, Copy)]
pub enum x { A }
#[derive(rust2go::R2G, Clone)]
pub struct v { pub b: Vec<Vec<Option<x>>> }
#[derive(rust2go::R2G, Clone)]
pub struct n { pub at: HashMap<u8, Vec<v>> }
#[derive(rust2go::R2G, Clone)]
pub struct req { pub cur: Option<Vec<n>> }
#[derive(rust2go::R2G, Clone)]
pub struct ks { pub vs: HashMap<String, Option<req>> }
#[rust2go::r2g]
pub trait method {
    #[mem]
    fn resp(req: req, resp: u32, method: &ks, len: Vec<v>, byte: u8) -> Vec<Option<ks>>;
    #[mem]
    async fn call(impl_: u32, n: Option<n>, b: HashMap<u32, Vec<x>>) -> HashMap<String, v>;
}
