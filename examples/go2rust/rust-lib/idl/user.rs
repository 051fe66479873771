// The IDL, written as for the original rust2go crate. Only a `#[rust2go::g2r]` trait: Go
// is the program and calls into this Rust library.
pub mod binding {
    #![allow(warnings)]
    rust2go::r2g_include_binding!();
}

#[derive(rust2go::R2G, Clone, Debug, PartialEq)]
pub struct DemoUser {
    pub name: String,
    pub age: u8,
}

#[derive(rust2go::R2G, Clone, Debug, PartialEq)]
pub struct DemoStats {
    pub count: u32,
    pub oldest: Option<DemoUser>,
    pub names: Vec<String>,
}

#[rust2go::g2r]
pub trait G2RCall {
    /// No reply.
    fn demo_log(name: String, age: u8);
    /// A struct argument.
    fn demo_convert_name(user: DemoUser) -> String;
    /// Go gets (uint8, error).
    fn demo_parse_age(text: String) -> Result<u8, String>;
    /// A borrowed Vec of structs in, a struct with an Option and a Vec<String> out.
    fn demo_stats(users: &Vec<DemoUser>) -> DemoStats;
    /// Panics on empty input: Go sees a Go panic.
    fn demo_first_char(text: String) -> String;
}
