//! ns per Go→Rust call: generated binding vs hand-written cgo, same process, same run.
//! Go times nothing: each round is one Rust→Go call that makes BATCH Go→Rust calls.
//! Prints one JSON object.

mod api;

use api::{BenchG2R, BenchG2RDriver, BenchG2RDriverImpl, BenchG2RImpl, Small, SmallOut};
use std::ffi::c_void;
use std::hint::black_box;
use std::time::{Duration, Instant};

impl BenchG2R for BenchG2RImpl {
    fn g2r_small(req: Small) -> SmallOut {
        SmallOut { id: req.id, score: req.score * 2.0, ok: req.flag }
    }
    fn g2r_strings(req: Vec<String>) -> u64 {
        req.iter().map(|s| s.len() as u64).sum()
    }
    fn g2r_strings_ref(req: &Vec<String>) -> u64 {
        req.iter().map(|s| s.len() as u64).sum()
    }
    fn g2r_noop() {}
    fn g2r_small_cgo(req: Small) -> SmallOut {
        Self::g2r_small(req)
    }
    fn g2r_strings_cgo(req: Vec<String>) -> u64 {
        Self::g2r_strings(req)
    }
    fn g2r_noop_cgo() {}
}

#[repr(C)]
pub struct HandSmall {
    id: u64,
    score: f64,
    flag: bool,
    tag: u32,
}

#[repr(C)]
pub struct HandSmallOut {
    id: u64,
    score: f64,
    ok: bool,
}

#[repr(C)]
pub struct HandStr {
    ptr: *const c_void,
    len: usize,
}

#[unsafe(no_mangle)]
pub extern "C" fn hand_g2r_small(req: HandSmall) -> HandSmallOut {
    let out = BenchG2RImpl::g2r_small(Small { id: req.id, score: req.score, flag: req.flag, tag: req.tag });
    HandSmallOut { id: out.id, score: out.score, ok: out.ok }
}

/// # Safety
/// `refs[..n]` are valid UTF-8 strings (Go's words are).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn hand_g2r_strings(refs: *const HandStr, n: usize) -> u64 {
    // The same owned Vec<String> the binding hands to the method.
    let refs = unsafe { std::slice::from_raw_parts(refs, n) };
    let words = refs
        .iter()
        .map(|r| {
            let b = unsafe { std::slice::from_raw_parts(r.ptr.cast::<u8>(), r.len) };
            String::from_utf8_lossy(b).into_owned()
        })
        .collect();
    BenchG2RImpl::g2r_strings(words)
}

#[unsafe(no_mangle)]
pub extern "C" fn hand_g2r_noop() {
    BenchG2RImpl::g2r_noop()
}

/// Go→Rust calls per Rust→Go call (as the crate baseline: its own call is noise then).
const BATCH: u64 = 1000;
const ROUNDS: usize = 101;

/// ns per Go→Rust call over one round of `slice`.
fn round(slice: Duration, which: u32) -> f64 {
    let t0 = Instant::now();
    let mut n = 0u64;
    while t0.elapsed() < slice {
        black_box(BenchG2RDriverImpl::g2r_loop(which, BATCH));
        n += BATCH;
    }
    t0.elapsed().as_nanos() as f64 / n as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Case `a` against `b` in interleaved rounds: medians of each and of the paired ratios,
/// and `a`'s fastest round.
fn time_pair(budget: Duration, a: u32, b: u32) -> (f64, f64, f64, f64) {
    BenchG2RDriverImpl::g2r_loop(a, 20_000);
    BenchG2RDriverImpl::g2r_loop(b, 20_000);
    let slice = budget / (2 * ROUNDS as u32);
    let (mut pa, mut pb) = (Vec::new(), Vec::new());
    for r in 0..ROUNDS {
        if r % 2 == 0 {
            pa.push(round(slice, a));
            pb.push(round(slice, b));
        } else {
            pb.push(round(slice, b));
            pa.push(round(slice, a));
        }
    }
    let ratios = pa.iter().zip(&pb).map(|(x, y)| x / y).collect();
    let fastest = pa.iter().copied().fold(f64::INFINITY, f64::min);
    (median(pa), median(pb), median(ratios), fastest)
}

fn main() {
    let secs: f64 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(2.0);
    let budget = Duration::from_secs_f64(secs);
    // Both sides answer alike before anything is timed.
    let sum = (0..10).sum::<u64>();
    for (ours, hand, want) in [(0, 1, sum), (2, 3, 5120), (6, 3, 5120), (4, 5, 0), (7, 1, sum), (8, 3, 5120), (9, 5, 0)] {
        assert_eq!(BenchG2RDriverImpl::g2r_loop(ours, 10), want);
        assert_eq!(BenchG2RDriverImpl::g2r_loop(hand, 10), want);
    }
    let small = time_pair(budget, 0, 1);
    let strings = time_pair(budget, 2, 3);
    let strings_ref = time_pair(budget, 6, 3);
    let noop = time_pair(budget, 4, 5);
    let small_cgo = time_pair(budget, 7, 1);
    let strings_cgo = time_pair(budget, 8, 3);
    let noop_cgo = time_pair(budget, 9, 5);
    println!(
        "{{\"ours_small_ns\":{:.1},\"hand_small_ns\":{:.1},\"small_ratio\":{:.4},\
\"ours_strings_16x32_ns\":{:.1},\"hand_strings_16x32_ns\":{:.1},\"strings_ratio\":{:.4},\
\"ours_strings_ref_16x32_ns\":{:.1},\"strings_ref_ratio\":{:.4},\
\"ours_noop_ns\":{:.1},\"hand_noop_ns\":{:.1},\"noop_ratio\":{:.4},\
\"cgo_small_ns\":{:.1},\"cgo_small_ratio\":{:.4},\"cgo_strings_16x32_ns\":{:.1},\"cgo_strings_ratio\":{:.4},\
\"cgo_noop_ns\":{:.1},\"cgo_noop_ratio\":{:.4},\
\"ours_small_min_ns\":{:.2},\"ours_strings_16x32_min_ns\":{:.2},\"ours_noop_min_ns\":{:.2}}}",
        small.0, small.1, small.2, strings.0, strings.1, strings.2, strings_ref.0, strings_ref.2,
        noop.0, noop.1, noop.2, small_cgo.0, small_cgo.2, strings_cgo.0, strings_cgo.2, noop_cgo.0,
        noop_cgo.2, small.3, strings.3, noop.3,
    );
}
