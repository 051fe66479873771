// Written as for the original rust2go: `mod user` and `DemoCallImpl::method(..)`. Here
// src/user.rs is the generated std-only binding (`rust2go generate idl/user.rs ...`).
mod user;

use user::{DemoCall, DemoCallImpl, DemoComplicatedRequest, DemoUser};

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
    println!("all calls returned what Go computed");
}
