pub struct S { name: String }
const X: &str = "never closed;
