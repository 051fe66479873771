//! Async call throughput of the generated binding: 1000 tokio tasks on a 2-worker
//! multi-thread runtime, each awaiting `small_async` in a loop (the same loop as
//! bench/rust2go_crate). Prints one JSON line.

#[allow(dead_code)]
mod api;

use api::{Bench, BenchImpl, Small, SmallOut};
use std::time::{Duration, Instant};

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

fn main() {
    let tasks = 1000u64;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let run = |dur: Duration| -> (u64, f64, Vec<u64>) {
        rt.block_on(async move {
            let t0 = Instant::now();
            let deadline = t0 + dur;
            let handles: Vec<_> = (0..tasks)
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
            (all.len() as u64, t0.elapsed().as_secs_f64(), all)
        })
    };
    let _ = run(Duration::from_millis(300)); // warm-up
    let (calls, secs, mut lats) = run(secs_env("BENCH_ASYNC_SECONDS", 2.0));
    lats.sort_unstable();
    let pct = |p: f64| lats[((lats.len() - 1) as f64 * p) as usize];
    assert_eq!(api::r2g_live_slots(), 0);
    println!(
        "{{\"async_tasks\":{tasks},\"async_workers\":2,\"async_calls\":{calls},\"async_seconds\":{secs:.3},\"async_calls_per_sec\":{:.0},\"async_p50_ns\":{},\"async_p99_ns\":{}}}",
        calls as f64 / secs,
        pct(0.50),
        pct(0.99)
    );
}
