pub struct First { a: u8 }
pub struct Missing { a: u8 b: u16 }
pub struct Fine { c: u32 }
#[r2g]
pub trait Calls {
    fn f(a: u8) -> u8
    fn g();
}
pub struct AlsoChecked { d: Unknwn }
