// Parameters Rust would read as the prelude's enum variants; fields and methods may use
// these names.
pub struct S {
    pub Some: u8,
}
#[rust2go::r2g]
pub trait T {
    fn None(Some: u8, Ok: &S);
}
#[rust2go::g2r]
pub trait G {
    fn f(Err: u32, None: String) -> u32;
}
