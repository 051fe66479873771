pub struct User { name: String, name: u8 }
pub struct User { other: u8 }
pub enum Color { Red, Red }
#[r2g]
pub trait Calls {
    fn ping(a: u8, a: u8) -> u8;
    fn ping() -> u8;
}
pub struct UserRef { x: u8 }
pub struct CallsImpl { x: u8 }
pub struct String { x: u8 }
