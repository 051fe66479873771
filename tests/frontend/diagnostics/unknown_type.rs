#[derive(rust2go::R2G)]
pub struct User {
    pub name: Strng,
    pub friends: Vec<Usr>,
}
pub struct Usr2 { a: u8 }
