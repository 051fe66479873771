pub struct Shapes {
    pair: (u32, u32),
    fixed: [u8; 4],
    boxed: Box<Shapes>,
    path: std::string::String,
    wide: u128,
    set: HashSet<u32>,
    nested: Vec<&u8>,
}
#[r2g]
pub trait Calls {
    fn by_str(s: &str);
    fn by_slice(b: &[u8]);
    fn by_mut(v: &mut Vec<u8>);
    fn with_lifetime(v: &'static String);
    fn unit() -> ();
    fn tuple_ret() -> (u8, u8);
}

// Qualified, and unsupported under any name: one message, the useful one.
pub struct QualifiedSet {
    pub s: std::collections::HashSet<u32>,
}
