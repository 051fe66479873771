// Feature-equivalent of rust2go's example-tokio IDL (async fn form, #[send], #[drop_safe]).
use std::future::Future;

pub mod binding {
    rust2go::r2g_include_binding!();
}

#[derive(rust2go::R2G, Clone, Debug)]
pub struct DemoUser {
    pub name: String,
    pub age: u8,
}

#[derive(rust2go::R2G, Clone, Debug)]
pub struct DemoComplicatedRequest {
    pub users: Vec<DemoUser>,
    pub balabala: Vec<u8>,
}

#[derive(rust2go::R2G, Clone, Copy, Debug)]
pub struct DemoResponse {
    pub pass: bool,
}

#[rust2go::r2g]
pub trait DemoCall {
    fn demo_oneway(req: &DemoUser);
    fn demo_check(req: &DemoComplicatedRequest) -> DemoResponse;
    #[send]
    #[drop_safe]
    async fn demo_check_async(req: DemoComplicatedRequest) -> DemoResponse;
    #[send]
    fn demo_check_async_boxed(req: &DemoComplicatedRequest) -> impl Future<Output = DemoResponse> + Send + Sync + 'static;
}
