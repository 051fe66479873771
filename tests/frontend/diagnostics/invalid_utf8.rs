// A file that is not UTF-8 (a Latin-1 é here) is refused before it is read.
pub struct S { pub a: u8 }
