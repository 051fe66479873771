// Feature-equivalent of rust2go's example-monoio-mem / example-tokio-mem IDL.
pub mod binding {
    rust2go::r2g_include_binding!();
}

#[derive(rust2go::R2G, Clone)]
pub struct DemoUser {
    pub name: String,
    pub age: u8,
}

#[derive(rust2go::R2G, Clone)]
pub struct DemoComplicatedRequest {
    pub users: Vec<DemoUser>,
    pub balabala: Vec<u8>,
}

#[derive(rust2go::R2G, Clone, Copy)]
pub struct DemoResponse {
    pub pass: bool,
}

#[rust2go::r2g(binding = binding, queue_size = 40960)]
pub trait DemoCall {
    #[mem]
    fn demo_oneway(req: &DemoUser);
    #[mem]
    fn demo_check_async(req: &DemoComplicatedRequest) -> impl std::future::Future<Output = DemoResponse>;
    #[drop_safe_ret]
    #[shm]
    fn demo_check_async_safe(req: DemoComplicatedRequest) -> impl std::future::Future<Output = DemoResponse>;
}
