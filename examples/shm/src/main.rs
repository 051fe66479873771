//! Rust and Go in one process: one cgo call at start-up hands Go a shared-memory
//! segment; every call after that goes through the rings, with no cgo transition.
#[allow(dead_code)]
mod shop;

use shop::{r2g_shm::block_on, Order, ShopShm};
use std::time::{Duration, Instant};

fn main() {
    let shop = ShopShm::in_process().expect("start the Go callee");
    let name = shop.name();
    println!("started the Go callee in this process on segment {name} (one cgo call)");

    println!("sync   price(\"tea\") = {:?}", shop.price("tea".into()));
    match shop.price("coffee".into()) {
        Err(e) => println!("sync   price(\"coffee\") -> Go's error: {e}"),
        Ok(p) => println!("sync   price(\"coffee\") unexpectedly {p}"),
    }

    // Two async calls in flight at once, awaited together with the std-only block_on.
    let a = shop.checkout(Order {
        id: 1,
        item: "cake".into(),
        qty: 2,
    });
    let b = shop.checkout(Order {
        id: 2,
        item: "scone".into(),
        qty: 3,
    });
    let (ra, rb) = block_on(async { (a.await, b.await) });
    for r in [ra, rb] {
        let r = r.expect("checkout");
        println!(
            "async  checkout #{} -> total {} cents, {:?}",
            r.id, r.total_cents, r.lines
        );
    }

    shop.audit("checked out two orders".into()).expect("audit");
    let deadline = Instant::now() + Duration::from_secs(5);
    while shop.audited().expect("audited") == 0 {
        assert!(
            Instant::now() < deadline,
            "the oneway call never reached Go"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    println!("oneway audit(...) reached Go (audited = 1)");

    let n = 20_000u64;
    let start = Instant::now();
    for i in 0..n {
        assert_eq!(
            shop.price(if i % 2 == 0 { "tea" } else { "cake" }.into())
                .unwrap(),
            if i % 2 == 0 { 350 } else { 420 }
        );
    }
    let took = start.elapsed();
    println!(
        "{n} sync calls over the rings in {:.0} ms ({:.2} µs per round trip)",
        took.as_secs_f64() * 1e3,
        took.as_secs_f64() * 1e6 / n as f64
    );

    drop(shop); // quit handshake (the second and last cgo call); segment unlinked
    let gone = !std::path::Path::new(&format!("/dev/shm{name}")).exists();
    println!("dropped the client: Go stopped, segment {name} unlinked: {gone}");
    assert!(gone, "segment left in /dev/shm");
}
