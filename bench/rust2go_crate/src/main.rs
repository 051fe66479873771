//! Baseline benchmark: the original `rust2go` crate (crates.io) driving
//! bench/idl/bench.rs. Prints one JSON object on stdout.

use std::hint::black_box;
use std::time::{Duration, Instant};

// The shared IDL, used as is. The crate's `#[rust2go::r2g]` expands the trait
// into `BenchImpl`, whose methods call the bindgen'd Go exports.
#[path = "../../idl/bench.rs"]
#[allow(warnings)]
mod user;

use user::{Bench, BenchG2R, BenchG2RDriver, BenchG2RDriverImpl, BenchG2RImpl, BenchImpl, Small, SmallOut};

// The Go→Rust side: Go calls these through the crate's generated `BenchG2RImpl` methods.
impl BenchG2R for BenchG2RImpl {
    fn g2r_small(req: Small) -> SmallOut {
        SmallOut { id: req.id, score: req.score * 2.0, ok: req.flag }
    }
    fn g2r_strings(req: Vec<String>) -> u64 {
        req.iter().map(|s| s.len() as u64).sum()
    }
    fn g2r_noop() {}
}

/// Go→Rust calls per `g2r_loop` call: the one Rust→Go call around them costs <1% of a batch.
const G2R_BATCH: u64 = 1000;
/// Go→Rust rounds, timed as bench/g2r times the generated binding's: 101 rounds of
/// budget/202 each, so that the fastest and the median round of both sample alike.
const G2R_ROUNDS: u32 = 101;

fn g2r_time(warm: u64, budget: Duration, which: u32) -> Timed {
    black_box(BenchG2RDriverImpl::g2r_loop(which, warm));
    let slice = budget / (2 * G2R_ROUNDS);
    let (mut per_round, mut calls) = (Vec::new(), 0u64);
    for _ in 0..G2R_ROUNDS {
        let t0 = Instant::now();
        let mut n = 0u64;
        while t0.elapsed() < slice {
            black_box(BenchG2RDriverImpl::g2r_loop(which, G2R_BATCH));
            n += G2R_BATCH;
        }
        per_round.push(t0.elapsed().as_nanos() as f64 / n as f64);
        calls += n;
    }
    per_round.sort_by(|a, b| a.partial_cmp(b).unwrap());
    Timed { median_ns: per_round[per_round.len() / 2], min_ns: per_round[0], calls }
}

fn req(i: u64) -> Small {
    Small { id: i, score: i as f64 * 0.5, flag: i % 2 == 0, tag: i as u32 }
}

fn check(r: &Small, o: &SmallOut) {
    assert_eq!(o.id, r.id);
    assert_eq!(o.score, r.score * 2.0);
    assert_eq!(o.ok, r.flag);
}

fn secs_env(name: &str, default: f64) -> Duration {
    let v = std::env::var(name).ok().and_then(|s| s.parse::<f64>().ok()).unwrap_or(default);
    Duration::from_secs_f64(v)
}

/// Runs `f` for `warm` warm-up calls, then for `ROUNDS` rounds of
/// `budget / ROUNDS` each (in batches of 10,000 calls). Returns the median and
/// the minimum ns per call over the rounds, and the total number of timed calls.
/// The median of rounds damps noise from other processes on a 2-core machine.
const ROUNDS: u32 = 5;
struct Timed {
    median_ns: f64,
    min_ns: f64,
    calls: u64,
}
fn time_loop(warm: u64, budget: Duration, mut f: impl FnMut(u64)) -> Timed {
    for i in 0..warm {
        f(i);
    }
    const BATCH: u64 = 10_000;
    let round_budget = budget / ROUNDS;
    let mut per_round = Vec::new();
    let mut total = 0u64;
    for _ in 0..ROUNDS {
        let t0 = Instant::now();
        let mut n = 0u64;
        loop {
            for i in 0..BATCH {
                f(total + n + i);
            }
            n += BATCH;
            if t0.elapsed() >= round_budget {
                break;
            }
        }
        per_round.push(t0.elapsed().as_nanos() as f64 / n as f64);
        total += n;
    }
    per_round.sort_by(|a, b| a.partial_cmp(b).unwrap());
    Timed { median_ns: per_round[per_round.len() / 2], min_ns: per_round[0], calls: total }
}

fn median(v: &mut [u64]) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

fn pct(sorted: &[u64], p: f64) -> u64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

fn main() {
    let budget = secs_env("BENCH_SECONDS", 2.0);
    let async_budget = secs_env("BENCH_ASYNC_SECONDS", 2.0);
    let warm = 100_000;

    // --- first call on a fresh Rust thread (before anything else warms Go up
    // on those threads; the process-wide Go runtime is warmed by one call).
    let t0 = Instant::now();
    BenchImpl::noop();
    let first_call_process = t0.elapsed().as_nanos() as u64;
    let first_req = req(7);
    let mut firsts: Vec<u64> = (0..50)
        .map(|_| {
            let r = first_req.clone();
            std::thread::spawn(move || {
                let t0 = Instant::now();
                let o = BenchImpl::small(&r);
                let first = t0.elapsed().as_nanos() as u64;
                let t1 = Instant::now();
                let o2 = BenchImpl::small(&r);
                let second = t1.elapsed().as_nanos() as u64;
                check(&r, &o);
                check(&r, &o2);
                (first, second)
            })
            .join()
            .unwrap()
        })
        .map(|(first, _second)| first)
        .collect();
    let first_call_median = median(&mut firsts);
    let first_call_max = *firsts.last().unwrap();

    // --- sync small struct in / out
    let small = time_loop(warm, budget, |i| {
        let r = req(i);
        let o = BenchImpl::small(black_box(&r));
        black_box(&o);
        debug_assert_eq!(o.id, r.id);
    });
    for i in 0..1000 {
        let r = req(i);
        check(&r, &BenchImpl::small(&r));
    }

    // --- Vec<String>: 16 strings of 32 bytes
    let strs: Vec<String> = (0..16).map(|i| format!("{i:02}").repeat(16)).collect();
    assert!(strs.iter().all(|s| s.len() == 32));
    assert_eq!(BenchImpl::strings(&strs), 512);
    let strings = time_loop(warm, budget, |_| {
        black_box(BenchImpl::strings(black_box(&strs)));
    });
    assert_eq!(BenchImpl::strings(&Vec::new()), 0);

    // --- no arguments, no result
    let noop = time_loop(warm, budget, |_| BenchImpl::noop());

    // --- Go→Rust: checked once, then timed in Go's loop
    assert_eq!(BenchG2RDriverImpl::g2r_loop(0, 10), (0..10).sum::<u64>());
    assert_eq!(BenchG2RDriverImpl::g2r_loop(1, 10), 5120);
    let g2r_small = g2r_time(warm, budget, 0);
    let g2r_strings = g2r_time(warm, budget, 1);
    let g2r_noop = g2r_time(warm, budget, 2);

    // --- async: 1000 tokio tasks on a 2-worker multi-thread runtime
    let tasks = 1000usize;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let run_async = |dur: Duration| -> (u64, f64, Vec<u64>) {
        rt.block_on(async move {
            let t0 = Instant::now();
            let deadline = t0 + dur;
            let handles: Vec<_> = (0..tasks as u64)
                .map(|t| {
                    tokio::spawn(async move {
                        let mut lats = Vec::with_capacity(1024);
                        let mut i = t << 32;
                        loop {
                            let r = req(i);
                            let s = Instant::now();
                            let o = BenchImpl::small_async(r.clone()).await;
                            // One clock read ends the call's timing and tests the deadline.
                            let end = Instant::now();
                            lats.push((end - s).as_nanos() as u64);
                            check(&r, &o);
                            i += 1;
                            if end >= deadline {
                                break;
                            }
                        }
                        lats
                    })
                })
                .collect();
            let mut all = Vec::new();
            for h in handles {
                all.extend(h.await.unwrap());
            }
            let elapsed = t0.elapsed().as_secs_f64();
            (all.len() as u64, elapsed, all)
        })
    };
    let _ = run_async(Duration::from_millis(300)); // warm-up
    let (async_calls, async_secs, mut lats) = run_async(async_budget);
    lats.sort_unstable();

    let json = format!(
        concat!(
            "{{\"binding\":\"rust2go crate {ver}\",",
            "\"small_sync_ns\":{:.1},\"small_sync_min_ns\":{:.1},\"small_sync_calls\":{},",
            "\"strings_16x32_ns\":{:.1},\"strings_16x32_min_ns\":{:.1},\"strings_16x32_calls\":{},",
            "\"noop_ns\":{:.1},\"noop_min_ns\":{:.1},\"noop_calls\":{},\"sync_rounds\":{},",
            "\"first_call_fresh_thread_median_ns\":{},\"first_call_fresh_thread_max_ns\":{},\"first_call_threads\":50,",
            "\"async_tasks\":{},\"async_workers\":2,\"async_calls\":{},\"async_seconds\":{:.3},",
            "\"async_calls_per_sec\":{:.0},\"async_p50_ns\":{},\"async_p99_ns\":{},\"async_max_ns\":{},",
            "\"first_call_process_ns\":{},",
            "\"g2r_small_ns\":{:.1},\"g2r_strings_16x32_ns\":{:.1},\"g2r_noop_ns\":{:.1},",
            "\"g2r_small_min_ns\":{:.2},\"g2r_strings_16x32_min_ns\":{:.2},\"g2r_noop_min_ns\":{:.2},",
            "\"godebug\":{:?},\"go_version\":{:?},\"rustc_version\":{:?}}}"
        ),
        small.median_ns,
        small.min_ns,
        small.calls,
        strings.median_ns,
        strings.min_ns,
        strings.calls,
        noop.median_ns,
        noop.min_ns,
        noop.calls,
        ROUNDS,
        first_call_median,
        first_call_max,
        tasks,
        async_calls,
        async_secs,
        async_calls as f64 / async_secs,
        pct(&lats, 0.50),
        pct(&lats, 0.99),
        lats.last().copied().unwrap_or(0),
        first_call_process,
        g2r_small.median_ns,
        g2r_strings.median_ns,
        g2r_noop.median_ns,
        g2r_small.min_ns,
        g2r_strings.min_ns,
        g2r_noop.min_ns,
        std::env::var("GODEBUG").unwrap_or_default(),
        env!("BUILD_GO_VERSION"),
        env!("BUILD_RUSTC_VERSION"),
        ver = env!("RUST2GO_CRATE_VERSION"),
    );
    println!("{json}");
}
