//! Shared by every Rust load harness: arguments, the log-bucket latency histogram (the
//! same bucketing as loadtest/histogram.py), reply checks and the stats stream
//! (one JSON line per interval on stdout, then one summary line).

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const SUB_BITS: u32 = 8;
const HALF: u64 = 1 << (SUB_BITS - 1);
pub const BUCKETS: usize = (64 - SUB_BITS as usize + 2) * HALF as usize;

pub fn bucket_of(v: u64) -> usize {
    if v < (1 << SUB_BITS) {
        return v as usize;
    }
    let m = (64 - v.leading_zeros()) - SUB_BITS;
    (m as u64 * HALF + (v >> m)) as usize
}

pub struct Histogram {
    counts: Vec<u64>,
    min: u64,
    max: u64,
}

impl Histogram {
    pub fn new() -> Histogram {
        Histogram { counts: vec![0; BUCKETS], min: u64::MAX, max: 0 }
    }

    pub fn record(&mut self, v: u64) {
        self.counts[bucket_of(v)] += 1;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    pub fn json(&self) -> String {
        let buckets: Vec<String> = self
            .counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, c)| format!("[{i},{c}]"))
            .collect();
        let min = if self.min == u64::MAX { 0 } else { self.min };
        format!(
            "{{\"sub_bits\":{SUB_BITS},\"min\":{min},\"max\":{},\"buckets\":[{}]}}",
            self.max,
            buckets.join(",")
        )
    }
}

pub struct Args {
    pub concurrency: u64,
    pub calls: u64, // 0: run for duration
    pub duration: Duration,
    pub payload: usize,
    pub interval: Duration,
}

impl Args {
    pub fn parse() -> Args {
        let mut a = Args {
            concurrency: 1,
            calls: 0,
            duration: Duration::from_secs(1),
            payload: 64,
            interval: Duration::from_millis(250),
        };
        let argv: Vec<String> = std::env::args().skip(1).collect();
        for pair in argv.chunks(2) {
            let v: u64 = pair[1].parse().expect("numeric argument");
            match pair[0].as_str() {
                "--concurrency" => a.concurrency = v.max(1),
                "--calls" => a.calls = v,
                "--duration-ms" => a.duration = Duration::from_millis(v),
                "--payload" => a.payload = v as usize,
                "--interval-ms" => a.interval = Duration::from_millis(v.max(10)),
                other => panic!("unknown argument {other}"),
            }
        }
        a
    }
}

/// FNV-1a 64 over seq (8 bytes, little-endian) then the payload; the Go callee computes
/// the same, so a matching reply proves Go read this very request.
pub fn checksum(seq: u64, payload: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in seq.to_le_bytes().iter().chain(payload) {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

pub fn make_payload(seq: u64, size: usize) -> Vec<u8> {
    let base = seq.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56;
    (0..size).map(|i| (base as usize + i * 31) as u8).collect()
}

/// The latencies of the current tick interval, one histogram per OS thread: each has a
/// single writer (a plain load and store count a call, no lock, no contention) and the
/// ticker only reads. A task that moves between threads counts where it runs.
struct Interval {
    counts: Box<[AtomicU64]>,
}

static INTERVALS: Mutex<Vec<Arc<Interval>>> = Mutex::new(Vec::new());

thread_local! {
    static MINE: Arc<Interval> = {
        let i = Arc::new(Interval { counts: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect() });
        INTERVALS.lock().unwrap().push(i.clone());
        i
    };
}

/// Counts one call's latency in the current tick interval (besides the run's histogram).
pub fn note(ns: u64) {
    MINE.with(|i| {
        let c = &i.counts[bucket_of(ns)];
        c.store(c.load(Relaxed) + 1, Relaxed);
    });
}

/// `[[bucket, count], ...]` of the latencies noted since the previous call; `seen` holds
/// the totals at that call (the ticker's own state).
pub fn interval_buckets(seen: &mut Vec<u64>) -> String {
    let mut now = vec![0u64; BUCKETS];
    for i in INTERVALS.lock().unwrap().iter() {
        for (n, c) in now.iter_mut().zip(i.counts.iter()) {
            *n += c.load(Relaxed);
        }
    }
    seen.resize(BUCKETS, 0);
    let out: Vec<String> = now
        .iter()
        .zip(seen.iter())
        .enumerate()
        .filter(|(_, (n, s))| n > s)
        .map(|(i, (n, s))| format!("[{i},{}]", n - s))
        .collect();
    *seen = now;
    format!("[{}]", out.join(","))
}

#[derive(Default)]
pub struct Counters {
    pub issued: AtomicU64,
    pub completed: AtomicU64,
    pub failed: AtomicU64,
    pub duplicated: AtomicU64,
    pub mismatched: AtomicU64,
    pub cancelled: AtomicU64,
}

impl Counters {
    fn answered(&self) -> u64 {
        self.completed.load(Relaxed)
            + self.failed.load(Relaxed)
            + self.duplicated.load(Relaxed)
            + self.mismatched.load(Relaxed)
            + self.cancelled.load(Relaxed)
    }

    fn errors(&self) -> u64 {
        self.failed.load(Relaxed) + self.duplicated.load(Relaxed) + self.mismatched.load(Relaxed)
    }
}

/// Classify one reply of worker `w` (of `n`) to the request `seq`: exact, an earlier
/// request of this worker answered again (duplicated), or anything else (mismatched).
pub fn verify(c: &Counters, w: u64, n: u64, seq: u64, want: u64, got: (u64, u64)) {
    let (rseq, rsum) = got;
    if rseq == seq && rsum == want {
        c.completed.fetch_add(1, Relaxed);
    } else if rseq != seq && rseq < seq && rseq % n == w {
        c.duplicated.fetch_add(1, Relaxed);
    } else {
        c.mismatched.fetch_add(1, Relaxed);
    }
}

fn emit(line: String) {
    let out = std::io::stdout();
    let mut out = out.lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Stream ticks until `stop`, then the summary (after the workers' histograms merged).
fn stream_ticks(c: &Counters, stop: &AtomicBool, start: Instant, interval: Duration) {
    let (mut last, mut seen) = (0, Vec::new());
    while !stop.load(Relaxed) {
        std::thread::sleep(interval);
        let done = c.answered();
        emit(format!(
            "{{\"type\":\"tick\",\"t_ms\":{},\"done\":{done},\"in_flight\":{},\"errors\":{},\"interval_calls\":{},\"buckets\":{}}}",
            start.elapsed().as_millis(),
            c.issued.load(Relaxed).saturating_sub(done),
            c.errors(),
            done - last,
            interval_buckets(&mut seen)
        ));
        last = done;
    }
}

pub fn summary(transport: &str, c: &Counters, elapsed: Duration, h: &Histogram, extra: &str) {
    let issued = c.issued.load(Relaxed);
    emit(format!(
        "{{\"type\":\"summary\",\"transport\":\"{transport}\",\"elapsed_ns\":{},\"issued\":{issued},\"completed\":{},\"failed\":{},\"lost\":{},\"duplicated\":{},\"mismatched\":{},\"cancelled\":{},\"histogram\":{}{extra}}}",
        elapsed.as_nanos(),
        c.completed.load(Relaxed),
        c.failed.load(Relaxed),
        issued.saturating_sub(c.answered()),
        c.duplicated.load(Relaxed),
        c.mismatched.load(Relaxed),
        c.cancelled.load(Relaxed),
        h.json()
    ));
}

/// Blocking calls from `concurrency` threads; worker w sends seq w, w+n, w+2n, ...
pub fn run_sync(transport: &str, a: &Args, call: fn(u64, Vec<u8>) -> Result<(u64, u64), String>) {
    std::panic::set_hook(Box::new(|_| {})); // a failed call is counted, not printed per call
    let c = Arc::new(Counters::default());
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let n = a.concurrency;
    let workers: Vec<_> = (0..n)
        .map(|w| {
            let (c, stop, calls, size) = (c.clone(), stop.clone(), a.calls, a.payload);
            std::thread::spawn(move || {
                let mut h = Histogram::new();
                let mut seq = w;
                while !stop.load(Relaxed) && (calls == 0 || seq < calls) {
                    let payload = make_payload(seq, size);
                    let want = checksum(seq, &payload);
                    c.issued.fetch_add(1, Relaxed);
                    let t0 = Instant::now();
                    let got = catch_unwind(AssertUnwindSafe(|| call(seq, payload)));
                    let ns = t0.elapsed().as_nanos() as u64;
                    h.record(ns);
                    note(ns);
                    match got {
                        Ok(Ok(reply)) => verify(&c, w, n, seq, want, reply),
                        _ => {
                            c.failed.fetch_add(1, Relaxed);
                        }
                    }
                    seq += n;
                }
                h
            })
        })
        .collect();
    let ticker = {
        let (c, stop, interval) = (c.clone(), stop.clone(), a.interval);
        std::thread::spawn(move || stream_ticks(&c, &stop, start, interval))
    };
    if a.calls == 0 {
        std::thread::sleep(a.duration);
        stop.store(true, Relaxed);
    }
    let mut h = Histogram::new();
    for w in workers {
        h.merge(&w.join().expect("worker thread"));
    }
    let elapsed = start.elapsed();
    stop.store(true, Relaxed);
    ticker.join().expect("ticker thread");
    summary(transport, &c, elapsed, &h, "");
}
