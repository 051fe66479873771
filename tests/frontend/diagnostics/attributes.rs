pub struct User { name: String }
#[rust2go::r2g]
pub trait Calls {
    #[drop_safe]
    async fn by_ref(u: &User) -> u8;
    #[drop_safe]
    fn sync_drop_safe(u: User) -> u8;
    #[drop_safe] #[drop_safe_ret]
    async fn both(u: User) -> u8;
    async fn no_return(u: User);
    #[send]
    fn sync_send() -> u8;
    #[mem_call]
    async fn misspelt(u: User) -> u8;
    #[go_pass_struct(yes)]
    fn with_args(u: User);
    #[cgo_callback]
    fn oneway_callback(u: User);
}
#[g2r]
pub trait Back {
    async fn not_yet() -> u8;
    #[mem]
    fn shm_back(x: u8);
    // Chooses how Go calls it: no warning on a oneway Go→Rust method.
    #[cgo_call]
    fn log_back(x: u8);
}
