#[rust2go::r2g(queue_size = 0, frobnicate, binding = my_binding)]
pub trait Calls {
    type Item;
    fn with_self(&self, x: u8);
    fn with_body() -> u8 { 1 }
    fn generic<T>(x: T);
    fn not_future() -> impl Iterator<Item = u8>;
    async fn both() -> impl std::future::Future<Output = u8>;
    fn pattern((a, b): (u8, u8));
}
#[r2g]
pub trait Generic<T> { fn f(); }
pub trait NotIdl<T> { fn anything(&self, x: impl Fn(u8) -> u8) -> Box<dyn Iterator<Item = T>> { todo!() } }
