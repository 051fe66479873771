pub struct S {
    r: Result<u8, String>,
    m: HashMap<f64, u8>,
    k: BTreeMap<S2, u8>,
    wrong: Vec<u8, u8>,
    bare: Vec,
}
pub struct S2 { a: u8 }
#[r2g]
pub trait Calls {
    fn bad_err() -> Result<u8, i32>;
    fn ok() -> Result<Vec<S2>, String>;
    fn param(r: Result<u8, String>);
}
