pub enum WithData { A(u8), B { x: u8 } }
pub enum Dup { A = 1, B = 1 }
#[repr(u8)]
pub enum TooBig { A = 255, B }
#[repr(u8)]
pub enum Negative { A = -1 }
#[repr(C)]
pub enum BadRepr { A }
pub enum NotLiteral { A = 1 << 2 }
pub enum Empty {}
