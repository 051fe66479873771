// The IDL, written as for the original rust2go crate: Rust calls Go through DemoCall
// (`#[rust2go::r2g]`), and Go calls back into Rust through G2RCall (`#[rust2go::g2r]`).
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
pub struct DemoAges {
    pub ages: Vec<u8>,
    pub errors: Vec<String>,
}

#[rust2go::r2g]
pub trait DemoCall {
    /// Go logs the user and renames it, both through Rust.
    fn demo_check(req: &DemoUser) -> DemoUser;
    /// Go parses each text with Rust's demo_parse_age and joins the bad ones with demo_join.
    fn demo_parse_all(texts: Vec<String>) -> DemoAges;
}

#[rust2go::g2r]
pub trait G2RCall {
    /// No reply.
    fn demo_log(name: String, age: u8);
    /// A struct argument.
    fn demo_convert_name(user: DemoUser) -> String;
    /// Go gets (uint8, error).
    fn demo_parse_age(text: String) -> Result<u8, String>;
    /// A Vec<String> argument.
    fn demo_join(words: Vec<String>, sep: String) -> String;
}
