// An alias chain longer than the front end follows.
pub type A0 = A1;
pub type A1 = A2;
pub type A2 = A3;
pub type A3 = A4;
pub type A4 = A5;
pub type A5 = A6;
pub type A6 = A7;
pub type A7 = A8;
pub type A8 = A9;
pub type A9 = A10;
pub type A10 = A11;
pub type A11 = A12;
pub type A12 = A13;
pub type A13 = A14;
pub type A14 = A15;
pub type A15 = A16;
pub type A16 = A17;
pub type A17 = A18;
pub type A18 = A19;
pub type A19 = A20;
pub type A20 = A21;
pub type A21 = A22;
pub type A22 = A23;
pub type A23 = A24;
pub type A24 = A25;
pub type A25 = A26;
pub type A26 = A27;
pub type A27 = A28;
pub type A28 = A29;
pub type A29 = A30;
pub type A30 = A31;
pub type A31 = A32;
pub type A32 = A33;
pub type A33 = A34;
pub type A34 = A35;
pub type A35 = A36;
pub type A36 = A37;
pub type A37 = A38;
pub type A38 = A39;
pub type A39 = A40;
pub type A40 = u32;
pub struct Uses { pub a: A0 }
#[rust2go::r2g]
pub trait T { fn f(u: &Uses); }
