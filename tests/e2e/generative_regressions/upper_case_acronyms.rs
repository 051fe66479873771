pub struct QUEUE {
    pub a: u8,
}
pub enum HTTP {
    A,
}
pub type URL = u8;
#[rust2go::r2g]
pub trait RPC {
    #[mem]
    fn f(q: QUEUE, h: HTTP, u: URL) -> u8;
}
#[rust2go::g2r]
pub trait API {
    fn g() -> u8;
}
