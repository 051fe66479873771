#[rust2go::r2g]
pub trait X {
    async fn a(x: Option<u8>, b: &Vec<u8>, c: &Vec<u8>) -> i64;
    async fn d(x: Option<u8>, b: &Vec<u8>, core: &Vec<u8>) -> i64;
}
