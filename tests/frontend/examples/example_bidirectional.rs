// Feature-equivalent of rust2go's example-bidirectional / example-go2rust IDLs.
pub mod binding {
    rust2go::r2g_include_binding!();
}

#[derive(rust2go::R2G, Clone)]
pub struct DemoUser {
    pub name: String,
    pub age: u8,
}

#[derive(rust2go::R2G, Clone, Copy)]
pub struct DemoResponse {
    pub pass: bool,
}

#[rust2go::r2g]
pub trait DemoCall {
    fn demo_oneway(req: &DemoUser);
    fn demo_check(req: &DemoUser) -> DemoResponse;
}

#[rust2go::g2r]
pub trait G2RCall {
    fn demo_log(msg: String);
    #[cgo]
    fn demo_convert_name(user: DemoUser) -> String;
}

impl G2RCall for G2RCallImpl {
    fn demo_log(msg: String) {
        println!("[Go] {msg}");
    }
    fn demo_convert_name(user: DemoUser) -> String {
        format!("{}-{}", user.name, user.age)
    }
}
