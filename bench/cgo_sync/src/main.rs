//! ns per sync call: generated binding vs hand-written cgo, same process, same run.
//! Prints one JSON object.

mod api;

use api::{Bench, BenchImpl, Small, SmallOut};
use std::ffi::c_void;
use std::hint::black_box;
use std::ptr::null;
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
    // The same one-allocation array of (ptr, len) views the binding builds. An empty
    // String's pointer is Rust's dangling 0x1, which Go throws on ("invalid pointer found
    // on stack") if it sits in a stack slot when the stack grows, so a correct hand-written
    // call sends null for it, as the binding does.
    let refs: Vec<HandStr> = v
        .iter()
        .map(|s| HandStr { ptr: if s.is_empty() { null() } else { s.as_ptr().cast() }, len: s.len() })
        .collect();
    unsafe { hand_strings(refs.as_ptr(), refs.len()) }
}

/// Many short rounds: a neighbour's burst on this shared machine then spoils a few
/// adjacent pairs, not a whole median.
const ROUNDS: usize = 101;

/// ns per call over one round: batches of 1,000 calls until `slice` has passed.
fn round(slice: Duration, f: &mut impl FnMut(u64)) -> f64 {
    let t0 = Instant::now();
    let mut n = 0u64;
    while t0.elapsed() < slice {
        for i in 0..1_000 {
            f(n + i);
        }
        n += 1_000;
    }
    t0.elapsed().as_nanos() as f64 / n as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// `a` against `b`, measured in interleaved rounds (A B, B A, ...) so a change in machine
/// load hits both alike: the median ns per call of each, and the median over rounds of
/// a/b (each ratio taken between two rounds run back to back, so slow drifts cancel).
struct Pair {
    a: f64,
    b: f64,
    ratio: f64,
}

fn time_pair(budget: Duration, mut a: impl FnMut(u64), mut b: impl FnMut(u64)) -> Pair {
    for i in 0..20_000 {
        a(i);
        b(i);
    }
    let slice = budget / (2 * ROUNDS as u32);
    let (mut per_a, mut per_b) = (Vec::new(), Vec::new());
    for r in 0..ROUNDS {
        if r.is_multiple_of(2) {
            per_a.push(round(slice, &mut a));
            per_b.push(round(slice, &mut b));
        } else {
            per_b.push(round(slice, &mut b));
            per_a.push(round(slice, &mut a));
        }
    }
    let ratios = per_a.iter().zip(&per_b).map(|(x, y)| x / y).collect();
    Pair { a: median(per_a), b: median(per_b), ratio: median(ratios) }
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

// The measured calls, (a) and (b) of each case; `words` is the `Vec<String>` argument
// (the binding takes `&Vec<String>`).
type Case = fn(u64, &Vec<String>);

fn run_ours_small(i: u64, _: &Vec<String>) {
    black_box(BenchImpl::small(black_box(&req(i))));
}
fn run_hand_small(i: u64, _: &Vec<String>) {
    black_box(hand_small_call(black_box(&req(i))));
}
fn run_ours_strings(_: u64, words: &Vec<String>) {
    black_box(BenchImpl::strings(black_box(words)));
}
#[allow(clippy::ptr_arg)] // the signature every Case shares
fn run_hand_strings(_: u64, words: &Vec<String>) {
    black_box(hand_strings_call(black_box(words)));
}
fn run_ours_noop(_: u64, _: &Vec<String>) {
    BenchImpl::noop();
}
fn run_hand_noop(_: u64, _: &Vec<String>) {
    unsafe { hand_noop() }
}

/// Name, (a), (b) of each case, for `only` (main times the same functions, called directly).
const CASES: [(&str, Case, Case); 3] = [
    ("small", run_ours_small, run_hand_small),
    ("strings", run_ours_strings, run_hand_strings),
    ("noop", run_ours_noop, run_hand_noop),
];

fn words() -> Vec<String> {
    (0..16).map(|i| format!("{i:0>32}")).collect()
}

/// Runs one side of one case (`ours_<case>` or `hand_<case>`) `calls` times:
/// bench/cgo_sync.py counts the instructions this takes under callgrind, a figure the
/// machine's load cannot move.
fn only(name: &str, calls: u64) {
    let run = CASES
        .iter()
        .find_map(|&(case, ours, hand)| match name.split_once('_') {
            Some(("ours", c)) if c == case => Some(ours),
            Some(("hand", c)) if c == case => Some(hand),
            _ => None,
        })
        .unwrap_or_else(|| panic!("unknown case {name:?}"));
    let words = words();
    for i in 0..calls {
        run(i, &words);
    }
}

fn main() {
    if let Ok(case) = std::env::var("R2G_BENCH_ONLY") {
        let calls = std::env::var("R2G_BENCH_CALLS").ok().and_then(|s| s.parse().ok());
        only(&case, calls.expect("R2G_BENCH_CALLS=<number of calls>"));
        return;
    }
    let secs: f64 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(2.0);
    let budget = Duration::from_secs_f64(secs);
    let t0 = Instant::now();
    BenchImpl::noop();
    let first_process = t0.elapsed().as_nanos();
    let (first_median, first_max) = first_call_fresh_thread();

    let words = words();
    let want: u64 = words.iter().map(|w| w.len() as u64).sum();
    let o = BenchImpl::small(&req(3));
    assert!(o.id == 3 && o.score == 3.0 && !o.ok);
    let h = hand_small_call(&req(3));
    assert!(h.id == 3 && h.score == 3.0 && !h.ok);
    assert_eq!(BenchImpl::strings(&words), want);
    assert_eq!(hand_strings_call(&words), want);

    // Direct calls, not through CASES' fn pointers: the timed loops must not pay an
    // indirect call the real caller does not.
    let small = time_pair(budget, |i| run_ours_small(i, &words), |i| run_hand_small(i, &words));
    let strings = time_pair(budget, |i| run_ours_strings(i, &words), |i| run_hand_strings(i, &words));
    let noop = time_pair(budget, |i| run_ours_noop(i, &words), |i| run_hand_noop(i, &words));
    println!(
        "{{\"ours_small_ns\":{:.1},\"hand_small_ns\":{:.1},\"small_ratio\":{:.4},\
\"ours_strings_16x32_ns\":{:.1},\"hand_strings_16x32_ns\":{:.1},\"strings_ratio\":{:.4},\
\"ours_noop_ns\":{:.1},\"hand_noop_ns\":{:.1},\"noop_ratio\":{:.4},\"first_call_process_ns\":{first_process},\
\"first_call_fresh_thread_median_ns\":{first_median},\"first_call_fresh_thread_max_ns\":{first_max},\"godebug\":{:?}}}",
        small.a,
        small.b,
        small.ratio,
        strings.a,
        strings.b,
        strings.ratio,
        noop.a,
        noop.b,
        noop.ratio,
        std::env::var("GODEBUG").unwrap_or_default(),
    );
}
