pub struct FastCall {
    pub Drop: Vec<Vec<String>>,
}
#[rust2go::r2g(binding)]
pub trait XShmServe {
    #[mem]
    async fn new() -> Vec<Option<i8>>;
    #[mem]
    fn to_vec(into_iter: FastCall) -> u8;
    #[mem]
    fn next(from: &FastCall) -> FastCall;
    fn neg() -> u8;
    fn as_ref(clone: u8) -> u8;
}
#[rust2go::g2r]
pub trait G {
    fn new() -> u32;
    fn is_empty(to_owned: u8) -> bool;
}
