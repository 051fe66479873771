//! Drives the generated shm caller against the generated Go callee (in this process or a
//! `--go-server`) or the Python callee; prints `ok <what>` lines the tests look for.
#[allow(dead_code)]
mod api;
mod golden;
mod storm;

use api::{All, Color, Inner, Point, SvcShm, r2g_shm::ShmError};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Poll, Wake};
use std::time::{Duration, Instant};

struct Flag(AtomicBool, std::thread::Thread);
impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::Release);
        self.1.unpark();
    }
}

type Checked = (u64, Vec<u8>, Result<u64, ShmError>);
type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Poll every future until all are ready (std only; one thread).
fn join_all<'a, T>(futs: Vec<Boxed<'a, T>>) -> Vec<T> {
    storm::join_until(futs, None).into_iter().map(|v| v.expect("all ready")).collect()
}

fn checksum(id: u64, data: &[u8]) -> u64 {
    let mut h = id.wrapping_mul(0x9E3779B97F4A7C15).wrapping_add(1);
    for &b in data {
        h = (h ^ b as u64).wrapping_mul(0x100000001B3);
    }
    h
}

fn sample() -> All {
    let mut m = BTreeMap::new();
    m.insert("k".to_string(), vec![Point { x: 1, y: -2, c: Color::Blue }]);
    m.insert(String::new(), vec![]);
    All {
        b: true,
        ch: 'é',
        f: 2.5,
        s: "héllo".into(),
        v: vec![1, 2, 3],
        vs: vec!["a".into(), String::new(), "ccc".into()],
        o: Some(Inner { tag: "t".into(), vals: vec![7, 8] }),
        op: None,
        m,
        e: Color::Red,
        inner: vec![Inner { tag: String::new(), vals: vec![] }],
    }
}

/// Call kinds, errors, panics, capacity refusal.
fn semantics(c: &SvcShm) {
    assert_eq!(c.add(40, 2).unwrap(), 42);
    assert_eq!(api::r2g_shm::block_on(c.echo_all(sample())).unwrap(), sample(), "echo_all");
    let before = c.notes().unwrap();
    c.note(Point { x: 5, y: 0, c: Color::Red }, "abc".into()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while c.notes().unwrap() != before + 8 {
        assert!(Instant::now() < deadline, "oneway note never reached Go");
        std::thread::sleep(Duration::from_millis(1));
    }
    match c.fail("nope".into()) {
        Err(ShmError::Remote(1, m)) => assert!(m.contains("refused: nope"), "{m}"),
        other => panic!("fail: {other:?}"),
    }
    match c.boom(1) {
        Err(ShmError::Remote(1, m)) => assert!(m.contains("boom"), "{m}"),
        other => panic!("boom: {other:?}"),
    }
    match c.big(1 << 20) {
        Err(ShmError::Remote(2, _)) => {}
        other => panic!("big: {other:?}"),
    }
    assert_eq!(c.big(100).unwrap().len(), 100);
    let huge = vec![0u8; 1 << 20];
    match api::r2g_shm::block_on(c.check(1, huge)) {
        Err(ShmError::TooLarge(_)) => {}
        other => panic!("too large: {other:?}"),
    }
    println!("ok semantics");
}

/// Requests and replies of every length across the largest payload a ring cell carries
/// itself (shorter ones travel in the cell, longer ones in the slot's areas): `check`
/// requests of 24..=128 bytes (its reply is the checksum of every byte), `fail` replies
/// of ~10..=110 bytes (the callee's message quotes the argument back).
fn lengths(c: &SvcShm) {
    for n in 0..=104u64 {
        let data: Vec<u8> = (0..n).map(|i| (i * 7 + 3) as u8).collect();
        let got = api::r2g_shm::block_on(c.check(1000 + n, data.clone())).expect("check");
        assert_eq!(got, checksum(1000 + n, &data), "check with {n} data bytes");
        let msg: String = (0..n).map(|i| (b'a' + (i % 26) as u8) as char).collect();
        match c.fail(msg.clone()) {
            Err(ShmError::Remote(1, m)) => assert!(m.contains(&format!("refused: {msg}")), "fail({n}): {m}"),
            other => panic!("fail({n}): {other:?}"),
        }
    }
    println!("ok lengths");
}

/// `calls` checksummed async calls, `threads` threads, 64 in flight per thread. Exactly
/// once: every reply is its own call's checksum, and the callee ran `check` `calls` times.
fn storm(c: &SvcShm, calls: u64, threads: u64) -> u64 {
    let ran_before = c.checks().expect("checks");
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            s.spawn(move || {
                let mut id = t;
                while id < calls {
                    let mut batch: Vec<Boxed<'_, Checked>> = Vec::new();
                    while batch.len() < 64 && id < calls {
                        let data: Vec<u8> = (0..(id % 48) as u8).collect();
                        let this = id;
                        let fut = c.check(this, data.clone());
                        batch.push(Box::pin(async move { (this, data, fut.await) }));
                        id += threads;
                    }
                    for (i, d, r) in join_all(batch) {
                        assert_eq!(r.expect("check"), checksum(i, &d), "call {i}: wrong reply");
                    }
                }
            });
        }
    });
    let secs = start.elapsed().as_secs_f64();
    let ran = c.checks().expect("checks") - ran_before;
    assert_eq!(ran, calls, "the callee ran check {ran} times for {calls} calls");
    println!("ok storm {calls} calls in {secs:.3} s ({:.0}/s), exactly once", calls as f64 / secs);
    calls
}

/// One xorshift64 step: the random choices of the cancellation runs (seeded, repeatable).
fn xorshift(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

/// Random cancellation: drop futures after a random number of polls; slots all return.
fn cancel(c: &SvcShm, rounds: u64) {
    let all = c.free_slots();
    let mut seed = 0x2545F4914F6CDD1Du64;
    for _ in 0..rounds {
        let mut futs: Vec<Boxed<'_, bool>> = Vec::new();
        for i in 0..32u64 {
            let polls = xorshift(&mut seed) % 4;
            let fut = c.nap(i % 3);
            futs.push(Box::pin(async move {
                let mut fut = Box::pin(fut);
                for _ in 0..polls {
                    if std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx).is_ready())).await {
                        return true;
                    }
                }
                false // dropped here: the slot word marked ABANDONED
            }));
        }
        join_all(futs);
    }
    // Dropped after the reply arrived but before it was read (the slot READY): the
    // drop frees the slot itself.
    let mut unread = 0;
    for _ in 0..8 {
        let mut fut = Box::pin(c.nap(0));
        let first = api::r2g_shm::block_on(std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx).is_ready())));
        if !first {
            unread += 1;
            std::thread::sleep(Duration::from_millis(20)); // the reader pops the reply
        }
        drop(fut);
    }
    assert!(unread > 0, "every nap(0) was answered on its first poll");
    let deadline = Instant::now() + Duration::from_secs(5);
    while c.in_flight() > 0 {
        assert!(Instant::now() < deadline, "{} slots never came back", c.in_flight());
        std::thread::sleep(Duration::from_millis(1));
    }
    // Every slot is back on the free list: a reply that was READY when its future was
    // dropped, and one that arrived after, were both freed.
    assert_eq!(c.free_slots(), all, "slots missing from the free list after cancellation");
    assert_eq!(c.add(1, 1).unwrap(), 2);
    println!("ok cancel in_flight 0");
}

/// Sync, async (some dropped half-way, some with their reply unread) and oneway calls
/// from four threads at once, for `secs`: the completions of each kind are popped by the
/// others' threads and slots are reused across threads at once. Every sync and awaited
/// reply is checked; afterwards nothing is in flight, every slot is back on the free
/// list, and the callee saw every oneway.
fn mixed(c: &SvcShm, secs: f64) {
    let all = c.free_slots();
    let notes_before = c.notes().expect("notes");
    let end = Instant::now() + Duration::from_secs_f64(secs);
    let (mut syncs, mut awaited, mut dropped, mut oneways) = (0, 0, 0, 0);
    std::thread::scope(|s| {
        let sync = |t: u64| {
            s.spawn(move || {
                let mut n = 0u64;
                while Instant::now() < end {
                    assert_eq!(c.add(t, n).expect("add"), t + n);
                    n += 1;
                }
                n
            })
        };
        let asyncs = |t: u64| {
            s.spawn(move || {
                let (mut seed, mut id, mut got, mut gone, mut sent) = (0x9E37_79B9_7F4A_7C15u64 ^ t, t << 40, 0u64, 0u64, 0u64);
                while Instant::now() < end {
                    xorshift(&mut seed);
                    let data: Vec<u8> = (0..(seed % 40) as u8).collect();
                    let mut fut = Box::pin(c.check(id, data.clone()));
                    match seed % 8 {
                        0 => {} // dropped before its first poll
                        1 | 2 => {
                            // dropped after one poll: SENT, or READY and never read
                            api::r2g_shm::block_on(std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx).is_ready())));
                            if seed % 16 == 1 {
                                std::thread::sleep(Duration::from_micros(50));
                            }
                        }
                        3 => {
                            c.note(Point { x: 0, y: 2, c: Color::Blue }, "m".into()).expect("note"); // notes() += 1
                            sent += 1;
                            continue;
                        }
                        _ => {
                            assert_eq!(api::r2g_shm::block_on(fut).expect("check"), checksum(id, &data));
                            got += 1;
                            id += 1;
                            continue;
                        }
                    }
                    drop(fut);
                    gone += 1;
                    id += 1;
                }
                (got, gone, sent)
            })
        };
        let hs = [sync(1), sync(2)];
        let ha = [asyncs(3), asyncs(4)];
        for h in hs {
            syncs += h.join().expect("sync thread");
        }
        for h in ha {
            let (g, d, o) = h.join().expect("async thread");
            (awaited, dropped, oneways) = (awaited + g, dropped + d, oneways + o);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    while c.in_flight() > 0 || c.free_slots() != all {
        assert!(Instant::now() < deadline, "in flight {}, free {} of {all}", c.in_flight(), c.free_slots());
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(c.notes().expect("notes") - notes_before, oneways, "oneways lost");
    assert!(syncs > 0 && awaited > 0 && dropped > 0 && oneways > 0);
    println!("ok mixed {syncs} sync, {awaited} awaited, {dropped} dropped, {oneways} oneway");
}

/// Polls `fut` once: Ready(its output) or Ready(Pending), never waiting.
fn poll_once<F: Future + Unpin>(fut: &mut F) -> impl Future<Output = Poll<F::Output>> + '_ {
    std::future::poll_fn(move |cx| Poll::Ready(Pin::new(&mut *fut).poll(cx)))
}

/// Pending once (waking itself), so the other futures of a join run in between.
async fn yield_once() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
    .await
}

/// Many more calls than slots (4), from three threads, each future dropped at a random
/// point (queued for a slot, granted one and not yet polled, sent, answered and unread)
/// or awaited, with blocking calls from a fourth thread queued among them: every
/// awaited reply is its own call's, no call waits for a slot for good, and afterwards
/// nothing is in flight and every slot is back on the free list.
fn queued(secs: f64) {
    let c = SvcShm::in_process_with(4, 4096, 4096).expect("in_process_with");
    let all = c.free_slots();
    assert_eq!(all, 4);
    let end = Instant::now() + Duration::from_secs_f64(secs);
    let (mut awaited, mut dropped, mut blocking) = (0u64, 0u64, 0u64);
    std::thread::scope(|s| {
        let c = &c;
        let hs: Vec<_> = (1..=3u64)
            .map(|t| {
                s.spawn(move || {
                    let (mut seed, mut id, mut got, mut gone) = (0x2545_F491_4F6C_DD1Du64 ^ t, t << 40, 0u64, 0u64);
                    while Instant::now() < end {
                        let mut futs: Vec<Boxed<'_, Option<Checked>>> = Vec::new();
                        for _ in 0..24 {
                            let polls = xorshift(&mut seed) % 6; // 5: awaited
                            let data: Vec<u8> = (0..(seed >> 8) as u8 % 40).collect();
                            let this = id;
                            id += 1;
                            let mut fut = Box::pin(c.check(this, data.clone()));
                            futs.push(Box::pin(async move {
                                if polls == 5 {
                                    return Some((this, data, fut.await));
                                }
                                for _ in 0..polls {
                                    if let Poll::Ready(r) = poll_once(&mut fut).await {
                                        return Some((this, data, r));
                                    }
                                    yield_once().await;
                                }
                                None // dropped here
                            }));
                        }
                        let deadline = Instant::now() + Duration::from_secs(10);
                        for r in storm::join_until(futs, Some(deadline)) {
                            match r.expect("a call still waiting after 10 s") {
                                Some((i, d, r)) => {
                                    assert_eq!(r.expect("check"), checksum(i, &d), "call {i}: wrong reply");
                                    got += 1;
                                }
                                None => gone += 1,
                            }
                        }
                    }
                    (got, gone)
                })
            })
            .collect();
        let hb = s.spawn(move || {
            let mut n = 0u64;
            while Instant::now() < end {
                assert_eq!(c.add(n, 1).expect("add"), n + 1);
                n += 1;
            }
            n
        });
        for h in hs {
            let (g, d) = h.join().expect("async thread");
            (awaited, dropped) = (awaited + g, dropped + d);
        }
        blocking = hb.join().expect("blocking thread");
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    while c.in_flight() > 0 || c.free_slots() != all {
        assert!(Instant::now() < deadline, "in flight {}, free {} of {all}", c.in_flight(), c.free_slots());
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(awaited > 0 && dropped > 0 && blocking > 0);
    assert_eq!(c.add(2, 2).unwrap(), 4);
    println!("ok queued {awaited} awaited, {dropped} dropped, {blocking} blocking on {all} slots");
}

/// Calls in flight while the server is SIGKILLed (the test says when on stdin).
fn killed(c: &SvcShm) {
    let futs: Vec<Boxed<'_, Result<u64, ShmError>>> = (0..16).map(|_| Box::pin(c.nap(60_000)) as Boxed<'_, _>).collect();
    let waiter = std::thread::spawn(|| {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).expect("stdin");
        Instant::now()
    });
    println!("pending");
    let results = join_all(futs);
    let done = Instant::now();
    let killed_at = waiter.join().expect("stdin thread");
    let ms = done.saturating_duration_since(killed_at).as_millis();
    for r in &results {
        assert!(matches!(r, Err(ShmError::PeerGone(_))), "{r:?}");
    }
    println!("ok failed {} calls {ms} ms after kill: {}", results.len(), results[0].as_ref().unwrap_err());
    assert!(matches!(c.add(1, 2), Err(ShmError::PeerGone(_))));
}

/// An idle caller whose server is killed and replaced under the same name while it
/// cannot look (the test stops it): once it runs again (stdin), its next call fails with
/// PeerGone, since its segment's callee is gone, whoever serves the name now.
fn replaced(c: &SvcShm) {
    assert_eq!(c.add(2, 3).expect("add"), 5);
    println!("idle");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).expect("stdin");
    let t = Instant::now();
    match c.add(2, 3) {
        Err(ShmError::PeerGone(m)) => println!("ok gone after {} ms: {m}", t.elapsed().as_millis()),
        other => println!("not gone: {other:?}"),
    }
}

/// Three calls pending while a hostile callee (the test) answers one, then writes a bad
/// completion and says so on stdin: the answered call keeps its result, the others fail
/// at once, naming the field.
fn hostile(c: &SvcShm) {
    let told = std::thread::spawn(|| {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).expect("stdin");
        Instant::now()
    });
    let outcomes: Vec<(Result<u64, ShmError>, Instant)> = std::thread::scope(|s| {
        let calls: Vec<_> = (0..3u64).map(|i| s.spawn(move || (c.add(i, 1), Instant::now()))).collect();
        calls.into_iter().map(|h| h.join().expect("call thread")).collect()
    });
    let told = told.join().expect("stdin thread");
    for (r, at) in &outcomes {
        let ms = at.saturating_duration_since(told).as_millis();
        match r {
            Ok(v) => println!("call ok {v}"),
            Err(ShmError::PeerGone(m)) => println!("call gone {ms} ms: {m}"),
            Err(e) => println!("call err: {e}"),
        }
    }
    assert!(matches!(c.add(1, 2), Err(ShmError::PeerGone(_))));
    println!("ok later calls fail");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    match arg(1) {
        "inproc" => {
            let c = SvcShm::in_process().expect("in_process");
            let name = c.name();
            semantics(&c);
            lengths(&c);
            cancel(&c, 20);
            mixed(&c, 1.5);
            storm(&c, arg(2).parse().unwrap_or(100_000), 2);
            queued(1.5);
            drop(c);
            assert!(!std::path::Path::new(&format!("/dev/shm{name}")).exists(), "segment left behind");
            println!("ok unlinked {name}");
        }
        "connect" => {
            let c = SvcShm::connect(arg(2)).expect("connect");
            semantics(&c);
            lengths(&c);
            cancel(&c, 10);
            storm(&c, arg(3).parse().unwrap_or(20_000), 2);
        }
        "interop" => {
            // Against any callee of this IDL (the Python one too): values and exactly-once.
            let c = SvcShm::connect(arg(2)).expect("connect");
            assert_eq!(c.add(40, 2).unwrap(), 42);
            assert_eq!(api::r2g_shm::block_on(c.echo_all(sample())).unwrap(), sample(), "echo_all");
            c.note(Point { x: 5, y: 0, c: Color::Red }, "abc".into()).unwrap();
            storm(&c, arg(3).parse().unwrap_or(2_000), 1);
        }
        "lengths" => lengths(&SvcShm::connect(arg(2)).expect("connect")),
        "golden" => golden::check(&SvcShm::connect(arg(2)).expect("connect")),
        "add" => {
            let c = SvcShm::connect(arg(2)).expect("connect");
            println!("ok add {}", c.add(arg(3).parse().unwrap(), arg(4).parse().unwrap()).unwrap());
        }
        "killed" => killed(&SvcShm::connect(arg(2)).expect("connect")),
        "replaced" => replaced(&SvcShm::connect(arg(2)).expect("connect")),
        "hostile" => hostile(&SvcShm::connect(arg(2)).expect("connect")),
        "storm" => storm::run(arg(2), arg(3).parse().expect("TRIALS"), arg(4).parse().expect("SEED")),
        _ => {
            eprintln!("usage: r2g_shm_peer inproc N | connect NAME N | interop NAME N | lengths NAME | golden NAME | add NAME A B | killed NAME | hostile NAME | storm NAME TRIALS SEED");
            std::process::exit(2);
        }
    }
}
