// Parameters named like constants of the generated glue's runtime: inside the glue a
// binding of that name would be a pattern matching the constant.
#[rust2go::r2g]
pub trait Calls {
    async fn later(STATUS_OK: Vec<u32>, STATUS_ERR: &String) -> u32;
}
#[rust2go::g2r]
pub trait Back {
    fn seen(STATUS_ERR: &Option<i8>, STATUS_PANIC: Vec<u8>) -> u32;
    #[cgo_call]
    fn seen_cgo(STATUS_OK: &Vec<String>) -> u32;
}
