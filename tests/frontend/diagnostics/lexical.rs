pub struct S { a: u8 }
/* an unterminated /* nested */ comment
pub struct T { b: u8 }
