pub struct Open {
    a: u8,
