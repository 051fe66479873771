// Type names the generated Go package needs for itself: rejected where they are written.
pub struct main {
    pub a: u8,
}
pub struct fmt {
    pub a: u8,
}
pub enum byte {
    A,
}
pub type any = u32;
#[rust2go::r2g]
pub trait init {
    fn f();
}
pub struct Fine {
    pub a: u8,
}
