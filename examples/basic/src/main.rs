// Written as for the original rust2go: `mod user` and `DemoCallImpl::method(..)`. Here
// src/user.rs is the generated std-only binding (`rust2go generate idl/user.rs ...`).
mod user;

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;
use std::time::{Duration, Instant};
use user::{r2g_block_on, DemoCall, DemoCallImpl, DemoComplicatedRequest, DemoNap, DemoUser};

/// Awaits two futures at once (std only; with tokio you would write `tokio::join!`).
async fn join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut ra, mut rb) = (None, None);
    poll_fn(|cx| {
        if ra.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        if ra.is_some() && rb.is_some() { Poll::Ready(()) } else { Poll::Pending }
    })
    .await;
    (ra.unwrap(), rb.unwrap())
}

fn main() {
    let alice = DemoUser { name: "Alice".into(), age: 30 };
    let bob = DemoUser { name: "Bob".into(), age: 17 };

    println!("oneway  demo_oneway(&alice)");
    DemoCallImpl::demo_oneway(&alice);

    let req = DemoComplicatedRequest { users: vec![alice.clone(), bob.clone()], balabala: vec![1, 2, 3] };
    let resp = DemoCallImpl::demo_check(&req);
    println!("sync    demo_check(2 users) -> pass={}", resp.pass);
    assert!(!resp.pass);

    let n = DemoCallImpl::demo_get_n();
    println!("no args demo_get_n() -> {n}");
    assert_eq!(n, 42);

    let greeting = DemoCallImpl::demo_greet(alice.clone(), 2);
    println!("by val  demo_greet(alice, 2) -> {greeting:?}");
    assert_eq!(greeting, "hello Alice hello Alice");

    let ok = DemoCallImpl::demo_parse_age(" 41 ".into());
    let err = DemoCallImpl::demo_parse_age("forty".into());
    println!("result  demo_parse_age(\" 41 \") -> {ok:?}; demo_parse_age(\"forty\") -> {err:?}");
    assert_eq!(ok, Ok(41));
    assert!(err.is_err());

    let profile = DemoCallImpl::demo_profile(&alice, Some("Al".into()));
    println!("option  demo_profile(&alice, Some(\"Al\")) -> {profile:?}");
    let profile = profile.expect("a profile");
    assert_eq!(profile.user, alice);
    assert_eq!(profile.tags["letters"], 5);
    let none = DemoCallImpl::demo_profile(&DemoUser { name: String::new(), age: 1 }, None);
    println!("option  demo_profile(&nobody, None) -> {none:?}");
    assert!(none.is_none());

    // Async: no executor needed; the binding's std-only block_on drives the futures.
    let start = Instant::now();
    let naps = join(
        DemoCallImpl::demo_nap(DemoNap { who: "first".into(), ms: 1000 }),
        DemoCallImpl::demo_nap(DemoNap { who: "second".into(), ms: 1000 }),
    );
    let (a, b) = r2g_block_on(naps);
    let took = start.elapsed();
    println!("async   two demo_nap(1000 ms) at once -> {a:?}, {b:?}: {:.2} s in total", took.as_secs_f64());
    assert!(took < Duration::from_millis(1500), "the naps ran one after the other");
    // Safety: `req` outlives the future, which block_on drives to completion.
    let adults = r2g_block_on(unsafe { DemoCallImpl::demo_count_adults(&req) });
    println!("async   demo_count_adults(&req) -> {adults} (an unsafe fn: it borrows)");
    assert_eq!(adults, 1);
    println!("all calls returned what Go computed");
}
