//! The cross-process example: a Go sidecar process serves `Kv` on a named shared-memory
//! segment; the Rust program connects by name. `#[mem]` puts one method on the rings.

#[r2g]
pub trait Kv {
    /// sync: stores a value, answers how many keys the server holds.
    #[mem]
    fn put(key: String, value: String) -> u64;
    #[mem]
    fn get(key: String) -> Option<String>;
    /// oneway: Go prints the line.
    #[mem]
    fn log(line: String);
    /// async: Go sleeps `ms` before answering (the call the demo leaves pending).
    #[mem]
    #[drop_safe]
    async fn slow(ms: u64) -> u64;
    /// The server's process id (to show a restarted server is a new process).
    #[mem]
    fn pid() -> u32;
}
