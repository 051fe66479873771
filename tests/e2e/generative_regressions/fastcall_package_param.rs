// A Go→Rust parameter named like the fast-call package the method body calls.
#[derive(rust2go::R2G, Clone)]
pub struct T { pub a: u8 }
#[rust2go::g2r]
pub trait Back {
    fn note(r2gcall: &Vec<Vec<T>>) -> Vec<Vec<u16>>;
}
