pub struct Keywords {
    func: u8,
    r#type: u8,
    range: u8,
    len: u8,
    r2g_internal: u8,
}
#[r2g]
pub trait Calls {
    fn go(x: u8);
    fn measure(len: u32, nil: u8, string: String);
}
