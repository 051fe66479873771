//! The in-process shared-memory example: every method of `Shop` goes over the rings
//! (`#[r2g(shm)]` on the trait; `#[mem]` on single methods does the same per method).

pub struct Order {
    pub id: u64,
    pub item: String,
    pub qty: u32,
}

pub struct Receipt {
    pub id: u64,
    pub total_cents: u64,
    pub lines: Vec<String>,
}

#[r2g(shm)]
pub trait Shop {
    /// sync: the calling thread spins, then parks, until Go answers.
    fn price(item: String) -> Result<u64, String>;
    /// async: a future completed from the completion ring; owned argument, drop-safe.
    #[drop_safe]
    async fn checkout(order: Order) -> Receipt;
    /// oneway: returns once the request is in the ring; Go runs it.
    fn audit(line: String);
    fn audited() -> u64;
}
