//! ns per sync call: generated binding vs hand-written cgo, same process, same run.
//! Prints one JSON object.

mod api;

use api::{Bench, BenchImpl, Small, SmallOut};
use std::ffi::c_void;
use std::hint::black_box;
use std::time::{Duration, Instant};

#[repr(C)]
struct HandSmall {
    id: u64,
    score: f64,
    flag: bool,
    tag: u32,
}

#[repr(C)]
struct HandSmallOut {
    id: u64,
    score: f64,
    ok: bool,
}

#[repr(C)]
struct HandStr {
    ptr: *const c_void,
    len: usize,
}

unsafe extern "C" {
    fn hand_small(req: *const HandSmall, out: *mut HandSmallOut);
    fn hand_strings(ptr: *const HandStr, n: usize) -> u64;
    fn hand_noop();
}

fn hand_small_call(r: &Small) -> SmallOut {
    let req = HandSmall { id: r.id, score: r.score, flag: r.flag, tag: r.tag };
    let mut out = HandSmallOut { id: 0, score: 0.0, ok: false };
    unsafe { hand_small(&req, &mut out) };
    SmallOut { id: out.id, score: out.score, ok: out.ok }
}

fn hand_strings_call(v: &[String]) -> u64 {
    // The same one-allocation array of (ptr, len) views the binding builds.
    let refs: Vec<HandStr> = v.iter().map(|s| HandStr { ptr: s.as_ptr().cast(), len: s.len() }).collect();
    unsafe { hand_strings(refs.as_ptr(), refs.len()) }
}

const ROUNDS: u32 = 5;

/// Median and minimum ns per call over ROUNDS rounds of `budget / ROUNDS`.
fn time_loop(budget: Duration, mut f: impl FnMut(u64)) -> (f64, f64) {
    for i in 0..20_000 {
        f(i);
    }
    let mut per = Vec::new();
    for _ in 0..ROUNDS {
        let t0 = Instant::now();
        let mut n = 0u64;
        while t0.elapsed() < budget / ROUNDS {
            for i in 0..10_000 {
                f(n + i);
            }
            n += 10_000;
        }
        per.push(t0.elapsed().as_nanos() as f64 / n as f64);
    }
    per.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (per[per.len() / 2], per[0])
}

fn req(i: u64) -> Small {
    Small { id: i, score: i as f64 * 0.5, flag: i % 2 == 0, tag: i as u32 }
}

fn first_call_fresh_thread() -> (u64, u64) {
    let mut firsts: Vec<u64> = (0..50)
        .map(|i| {
            std::thread::spawn(move || {
                let r = req(i);
                let t0 = Instant::now();
                black_box(BenchImpl::small(&r));
                t0.elapsed().as_nanos() as u64
            })
            .join()
            .unwrap()
        })
        .collect();
    firsts.sort_unstable();
    (firsts[firsts.len() / 2], *firsts.last().unwrap())
}

fn main() {
    let secs: f64 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(2.0);
    let budget = Duration::from_secs_f64(secs);
    let t0 = Instant::now();
    BenchImpl::noop();
    let first_process = t0.elapsed().as_nanos();
    let (first_median, first_max) = first_call_fresh_thread();

    let words: Vec<String> = (0..16).map(|i| format!("{i:0>32}")).collect();
    let want: u64 = words.iter().map(|w| w.len() as u64).sum();
    let o = BenchImpl::small(&req(3));
    assert!(o.id == 3 && o.score == 3.0 && !o.ok);
    let h = hand_small_call(&req(3));
    assert!(h.id == 3 && h.score == 3.0 && !h.ok);
    assert_eq!(BenchImpl::strings(&words), want);
    assert_eq!(hand_strings_call(&words), want);

    let ours_small = time_loop(budget, |i| {
        black_box(BenchImpl::small(black_box(&req(i))));
    });
    let hand_small = time_loop(budget, |i| {
        black_box(hand_small_call(black_box(&req(i))));
    });
    let ours_strings = time_loop(budget, |_| {
        black_box(BenchImpl::strings(black_box(&words)));
    });
    let hand_strings = time_loop(budget, |_| {
        black_box(hand_strings_call(black_box(&words)));
    });
    let ours_noop = time_loop(budget, |_| BenchImpl::noop());
    let hand_noop = time_loop(budget, |_| unsafe { hand_noop() });
    println!(
        "{{\"ours_small_ns\":{:.1},\"ours_small_min_ns\":{:.1},\"hand_small_ns\":{:.1},\"hand_small_min_ns\":{:.1},\
\"ours_strings_16x32_ns\":{:.1},\"ours_strings_16x32_min_ns\":{:.1},\"hand_strings_16x32_ns\":{:.1},\"hand_strings_16x32_min_ns\":{:.1},\
\"ours_noop_ns\":{:.1},\"hand_noop_ns\":{:.1},\"first_call_process_ns\":{},\
\"first_call_fresh_thread_median_ns\":{},\"first_call_fresh_thread_max_ns\":{},\"godebug\":{:?}}}",
        ours_small.0, ours_small.1, hand_small.0, hand_small.1,
        ours_strings.0, ours_strings.1, hand_strings.0, hand_strings.1,
        ours_noop.0, hand_noop.0, first_process, first_median, first_max,
        std::env::var("GODEBUG").unwrap_or_default(),
    );
}
