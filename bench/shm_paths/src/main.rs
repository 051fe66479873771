//! One call path of bench/shm_paths.py per run:
//!     r2g_bench_shm_paths PATH SIZE SECS [SEGMENT]
//! PATH: cgo-sync | cgo-async | shm-inproc | shm-xproc | floor. Latency: one caller, one
//! call at a time, for SECS (p50/p99 of every call). Throughput: the path's concurrent
//! form for SECS (sync: 2 threads; async: TASKS tokio tasks on 2 workers). Every reply is
//! checked. Prints one JSON line.
//!     r2g_bench_shm_paths shm-pairs SIZE SECS ROUNDS
//! The p50 goal's own run: ROUNDS back-to-back pairs of a SECS latency phase of the
//! floor and of the in-process sync shm call (order alternating), so each shm p50 is
//! divided by a floor measured next to it (a VM's vCPUs move between host cores, which
//! moves both figures by up to 4x from second to second).
#[allow(dead_code)]
mod api;

use api::{Ack, Cgo, CgoImpl, Msg, RingShm};
use std::hint::spin_loop;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TASKS: u64 = 1000;
const PIPE_TASKS: u64 = 2;
const PIPE_WINDOW: usize = 128; // x PIPE_TASKS = the shm paths' 256 slots

/// The callee's proof that it read every payload byte (go/impl.go has the same fold:
/// 8-byte words, one multiply each).
fn sum(seq: u64, payload: &[u8]) -> u64 {
    let mut h = seq.wrapping_mul(0x9E3779B97F4A7C15).wrapping_add(1);
    let mut words = payload.chunks_exact(8);
    for w in &mut words {
        h = (h ^ u64::from_le_bytes(w.try_into().expect("8 bytes"))).wrapping_mul(0x100000001B3);
    }
    for &b in words.remainder() {
        h = (h ^ b as u64).wrapping_mul(0x100000001B3);
    }
    h
}

fn payload(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i * 31) as u8).collect()
}

fn check(seq: u64, p: &[u8], a: &Ack) {
    assert!(
        a.seq == seq && a.sum == sum(seq, p),
        "call {seq}: wrong reply"
    );
}

/// Latencies of one caller doing `call(seq)` back to back for `secs`. Each reply is
/// checked after its call is timed: the check is the bench's, not the round trip's.
fn latency(secs: Duration, p: &[u8], mut call: impl FnMut(u64) -> Ack) -> (u64, u64) {
    let mut lats = Vec::with_capacity(1 << 16);
    let end = Instant::now() + secs;
    let mut seq = 0;
    while Instant::now() < end {
        let t = Instant::now();
        let ack = call(seq);
        lats.push(t.elapsed().as_nanos() as u64);
        check(seq, p, &ack);
        seq += 1;
    }
    lats.sort_unstable();
    (lats[lats.len() / 2], lats[lats.len() * 99 / 100])
}

/// Calls/s of `threads` threads doing `call(seq)` back to back for `secs`.
fn threads(secs: Duration, n: u64, call: impl Fn(u64) + Sync) -> f64 {
    let done = AtomicU64::new(0);
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..n {
            let (call, done) = (&call, &done);
            s.spawn(move || {
                let mut seq = t << 40;
                while start.elapsed() < secs {
                    call(seq);
                    seq += 1;
                }
                done.fetch_add(seq - (t << 40), Ordering::Relaxed);
            });
        }
    });
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// Calls/s of `n` tokio tasks on 2 workers, each running `body(first_seq, start)` to
/// the end of the run and returning how many calls it completed.
fn on_tasks<B, Fut>(n: u64, body: B) -> f64
where
    B: Fn(u64, Instant) -> Fut,
    Fut: std::future::Future<Output = u64> + Send + 'static,
{
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let start = Instant::now();
    let total: u64 = rt.block_on(async {
        let handles: Vec<_> = (0..n).map(|t| tokio::spawn(body(t << 40, start))).collect();
        let mut done = 0;
        for h in handles {
            done += h.await.expect("task");
        }
        done
    });
    total as f64 / start.elapsed().as_secs_f64()
}

/// Calls/s of TASKS tokio tasks each awaiting `call(seq)` in a loop.
fn tasks<F, Fut>(secs: Duration, call: F) -> f64
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let call = Arc::new(call);
    on_tasks(TASKS, move |first, start| {
        let call = Arc::clone(&call);
        async move {
            let mut seq = first;
            while start.elapsed() < secs {
                call(seq).await;
                seq += 1;
            }
            seq - first
        }
    })
}

/// Calls/s of a pipelined client: PIPE_TASKS tasks, each keeping PIPE_WINDOW calls in
/// flight (FuturesUnordered: each completion refills the window).
fn pipelined<F, Fut>(secs: Duration, call: F) -> f64
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    use futures::stream::{FuturesUnordered, StreamExt};
    let call = Arc::new(call);
    on_tasks(PIPE_TASKS, move |first, start| {
        let call = Arc::clone(&call);
        async move {
            let mut seq = first;
            let mut window = FuturesUnordered::new();
            for _ in 0..PIPE_WINDOW {
                window.push(call(seq));
                seq += 1;
            }
            let mut done = 0;
            while window.next().await.is_some() {
                done += 1;
                if start.elapsed() < secs {
                    window.push(call(seq));
                    seq += 1;
                }
            }
            done
        }
    })
}

/// Two threads bouncing a counter through one cache line each way, spinning: the floor.
fn floor(secs: Duration) -> (u64, u64, f64) {
    #[repr(align(128))]
    struct Line(AtomicU64);
    let (ping, pong) = (Line(AtomicU64::new(0)), Line(AtomicU64::new(0)));
    let stop = u64::MAX;
    let mut lats = Vec::with_capacity(1 << 20);
    let start = Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| loop {
            let v = ping.0.load(Ordering::Acquire);
            if v == stop {
                return;
            }
            if v != pong.0.load(Ordering::Relaxed) {
                pong.0.store(v, Ordering::Release);
            }
            spin_loop();
        });
        let mut i = 1;
        while start.elapsed() < secs {
            let t = Instant::now();
            ping.0.store(i, Ordering::Release);
            while pong.0.load(Ordering::Acquire) != i {
                spin_loop();
            }
            lats.push(t.elapsed().as_nanos() as u64);
            i += 1;
        }
        ping.0.store(stop, Ordering::Release);
    });
    let rate = lats.len() as f64 / start.elapsed().as_secs_f64();
    lats.sort_unstable();
    (lats[lats.len() / 2], lats[lats.len() * 99 / 100], rate)
}

fn msg(seq: u64, p: &[u8]) -> Msg {
    Msg {
        seq,
        payload: p.to_vec(),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// shm-pairs: p50 of the in-process sync shm call over the floor's, round by round.
fn pairs(size: usize, secs: Duration, rounds: usize) {
    let p = payload(size);
    let ring = RingShm::in_process_with(256, 8192, 8192).expect("in_process");
    let (mut shm, mut flo, mut ratios) = (vec![], vec![], vec![]);
    for r in 0..rounds {
        let shm_p50 = || latency(secs, &p, |s| ring.echo(msg(s, &p)).expect("echo")).0;
        let (s, f) = if r % 2 == 0 {
            let f = floor(secs).0;
            (shm_p50(), f)
        } else {
            (shm_p50(), floor(secs).0)
        };
        shm.push(s as f64);
        flo.push(f as f64);
        ratios.push(s as f64 / f as f64);
    }
    let (s, f) = (median(shm), median(flo));
    println!(
        "{{\"shm_p50_ns\":{s:.0},\"floor_p50_ns\":{f:.0},\"ratio_of_medians\":{:.3},\"median_of_ratios\":{:.3},\"rounds\":{rounds}}}",
        s / f,
        median(ratios)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let size: usize = args[2].parse().expect("SIZE");
    let secs = Duration::from_secs_f64(args[3].parse().expect("SECS"));
    if args[1] == "shm-pairs" {
        return pairs(size, secs, args[4].parse().expect("ROUNDS"));
    }
    let p = Arc::new(payload(size));
    let mut piped = 0.0; // the pipelined client's calls/s (async paths only)
    let (lat, rate, conc) = match args[1].as_str() {
        "cgo-sync" => {
            let lat = latency(secs, &p, |s| CgoImpl::echo(msg(s, &p)));
            (
                lat,
                threads(secs, 2, |s| check(s, &p, &CgoImpl::echo(msg(s, &p)))),
                "2 threads",
            )
        }
        "cgo-async" => {
            let lat = latency(secs, &p, |s| api::r2g_block_on(CgoImpl::echo_async(msg(s, &p))));
            let p2 = Arc::clone(&p);
            let rate = tasks(secs, move |s| {
                let p = Arc::clone(&p2);
                async move { check(s, &p, &CgoImpl::echo_async(msg(s, &p)).await) }
            });
            let p2 = Arc::clone(&p);
            piped = pipelined(secs, move |s| {
                let p = Arc::clone(&p2);
                async move { check(s, &p, &CgoImpl::echo_async(msg(s, &p)).await) }
            });
            (lat, rate, "1000 tokio tasks")
        }
        "shm-inproc" | "shm-xproc" => {
            let ring = Arc::new(if args[1] == "shm-inproc" {
                RingShm::in_process_with(256, 8192, 8192).expect("in_process")
            } else {
                RingShm::connect(&args[4]).expect("connect")
            });
            let lat = latency(secs, &p, |s| ring.echo(msg(s, &p)).expect("echo"));
            let (p2, r2) = (Arc::clone(&p), Arc::clone(&ring));
            let rate = tasks(secs, move |s| {
                let (p, ring) = (Arc::clone(&p2), Arc::clone(&r2));
                async move {
                    check(
                        s,
                        &p,
                        &ring.echo_async(msg(s, &p)).await.expect("echo_async"),
                    )
                }
            });
            let (p2, r2) = (Arc::clone(&p), Arc::clone(&ring));
            piped = pipelined(secs, move |s| {
                let (p, ring) = (Arc::clone(&p2), Arc::clone(&r2));
                async move {
                    check(
                        s,
                        &p,
                        &ring.echo_async(msg(s, &p)).await.expect("echo_async"),
                    )
                }
            });
            assert_eq!(ring.in_flight(), 0);
            (lat, rate, "sync for latency; 1000 tokio tasks, 256 slots")
        }
        "floor" => {
            let (p50, p99, rate) = floor(secs);
            ((p50, p99), rate, "2 threads spinning")
        }
        other => panic!("unknown path {other}"),
    };
    println!(
        "{{\"p50_ns\":{},\"p99_ns\":{},\"calls_per_s\":{rate:.0},\"pipelined_per_s\":{piped:.0},\"concurrency\":\"{conc}\"}}",
        lat.0, lat.1
    );
}
