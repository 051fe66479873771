// A character Rust has no token for, and a byte literal left open.
pub struct S { pub a: u8 } \
fn f() { let c = b'ab; }
pub struct T { pub b: u8 }
