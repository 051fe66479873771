//! One call path of bench/shm_paths.py per run:
//!     r2g_bench_shm_paths PATH SIZE SECS [SEGMENT]
//! PATH: cgo-sync | cgo-async | shm-inproc | shm-xproc | floor | handoff | tokio-alone |
//! shm-owned (the last three: throughput only, no latency; shm-owned: the in-process
//! async call with an owned argument, which Go's handler is given to keep). Latency: one
//! caller, one call at a time, for SECS (p50/p99 of every call). Throughput: the path's
//! concurrent form for SECS (sync: 2 threads; async: TASKS tokio tasks on 2 workers).
//! Every reply is checked. Prints one JSON line; after a TASKS-task phase it carries the
//! CPU the process's threads spent per call in it, by role (`cpu_ROLE_ns`, `wait_ROLE_ns`).
//! BENCH_SHM_TASKS_ONLY=1 runs the task throughput only.
//!     r2g_bench_shm_paths shm-pairs SIZE SECS ROUNDS
//! The p50 goal's own run: ROUNDS back-to-back pairs of a SECS latency phase of the
//! floor and of the in-process sync shm call (order alternating), so each shm p50 is
//! divided by a floor measured next to it (a VM's vCPUs move between host cores, which
//! moves both figures by up to 4x from second to second).
//!     r2g_bench_shm_paths idle SIZE SECS SEGMENT
//! bench/idle_cpu.py's Rust caller: connects to SEGMENT, makes sync calls for SECS/2,
//! then async ones for SECS (tasks, then pipelined), prints one JSON line, then idles
//! holding the connection until stdin closes.
#[allow(dead_code)]
mod api;

use api::{Ack, Cgo, CgoImpl, Msg, RingShm};
use std::hint::spin_loop;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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
    if tasks_only() {
        return (0, 0);
    }
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

/// BENCH_SHM_TASKS_ONLY=1: only the TASKS-task throughput phase of each path (no latency,
/// no pipelined client), so an A/B of a transport change takes turns faster.
fn tasks_only() -> bool {
    std::env::var_os("BENCH_SHM_TASKS_ONLY").is_some_and(|v| v == "1")
}

/// Calls/s of `n` tokio tasks on 2 workers, each running `body(first_seq, start)` to
/// the end of the run and returning how many calls it completed; and the CPU the
/// process's threads spent per call over the run, by role.
fn on_tasks<B, Fut>(n: u64, body: B) -> (f64, PerCall)
where
    B: Fn(u64, Instant) -> Fut,
    Fut: std::future::Future<Output = u64> + Send + 'static,
{
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let before = thread_times();
    let start = Instant::now();
    let total: u64 = rt.block_on(async {
        let handles: Vec<_> = (0..n).map(|t| tokio::spawn(body(t << 40, start))).collect();
        let mut done = 0;
        for h in handles {
            done += h.await.expect("task");
        }
        done
    });
    let rate = total as f64 / start.elapsed().as_secs_f64();
    (rate, PerCall::between(&before, &thread_times(), total))
}

/// The thread roles CPU time is split by: tokio's workers (the callers), the callee's
/// threads (Go's, or the hand-off thread: every thread that is neither a worker, the
/// completion reader nor main), the shm completion reader.
const ROLES: [&str; 3] = ["workers", "callee", "reader"];

fn role(comm: &str) -> usize {
    if comm.starts_with("tokio-rt-worker") {
        0
    } else if comm.starts_with("r2g-shm-reader") {
        2
    } else {
        1
    }
}

/// Each thread of this process but main: (role, ns on a CPU, ns runnable but waiting
/// for one), from /proc/self/task/TID/schedstat.
fn thread_times() -> std::collections::HashMap<u64, (usize, u64, u64)> {
    let main = std::process::id() as u64;
    let mut out = std::collections::HashMap::new();
    for e in std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .flatten()
    {
        let Some(tid) = e.file_name().to_str().and_then(|t| t.parse::<u64>().ok()) else {
            continue;
        };
        let comm = std::fs::read_to_string(e.path().join("comm")).unwrap_or_default();
        let stat = std::fs::read_to_string(e.path().join("schedstat")).unwrap_or_default();
        let mut f = stat
            .split_whitespace()
            .map(|v| v.parse::<u64>().unwrap_or(0));
        if let (true, Some(cpu), Some(wait)) = (tid != main, f.next(), f.next()) {
            out.insert(tid, (role(comm.trim()), cpu, wait));
        }
    }
    out
}

/// Nanoseconds per call, by role: on a CPU, and runnable but waiting for a CPU.
#[derive(Clone, Copy, Default)]
struct PerCall {
    cpu: [f64; 3],
    wait: [f64; 3],
}

impl PerCall {
    fn between(
        before: &std::collections::HashMap<u64, (usize, u64, u64)>,
        after: &std::collections::HashMap<u64, (usize, u64, u64)>,
        calls: u64,
    ) -> PerCall {
        let mut pc = PerCall::default();
        for (tid, &(r, cpu, wait)) in after {
            let (_, cpu0, wait0) = before.get(tid).copied().unwrap_or((r, 0, 0)); // born during the run
            pc.cpu[r] += cpu.saturating_sub(cpu0) as f64 / calls.max(1) as f64;
            pc.wait[r] += wait.saturating_sub(wait0) as f64 / calls.max(1) as f64;
        }
        pc
    }

    fn json(&self) -> String {
        let f = |name: &str, v: &[f64; 3]| {
            ROLES
                .iter()
                .zip(v)
                .map(|(r, x)| format!("\"{name}_{r}_ns\":{x:.1}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        format!("{},{}", f("cpu", &self.cpu), f("wait", &self.wait))
    }
}

/// The CPU per call of the last TASKS-task phase (the throughput the goals compare).
static TASKS_CPU: std::sync::Mutex<Option<PerCall>> = std::sync::Mutex::new(None);

/// Calls/s of TASKS tokio tasks each awaiting `call(seq)` in a loop.
fn tasks<F, Fut>(secs: Duration, call: F) -> f64
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let call = Arc::new(call);
    let (rate, cpu) = on_tasks(TASKS, move |first, start| {
        let call = Arc::clone(&call);
        async move {
            let mut seq = first;
            while start.elapsed() < secs {
                call(seq).await;
                seq += 1;
            }
            seq - first
        }
    });
    *TASKS_CPU.lock().unwrap() = Some(cpu);
    rate
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
    .0
}

/// Both async clients (TASKS tasks, then the pipelined one) through `call`; every reply
/// checked. (calls/s, pipelined calls/s)
fn async_rates<C, Fut>(secs: Duration, p: &Arc<Vec<u8>>, call: C) -> (f64, f64)
where
    C: Fn(Msg) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Ack> + Send + 'static,
{
    let client = move |call: C| {
        let p = Arc::clone(p);
        move |s: u64| {
            let (p, call) = (Arc::clone(&p), call.clone());
            async move { check(s, &p, &call(msg(s, &p)).await) }
        }
    };
    let rate = tasks(secs, client(call.clone()));
    (
        rate,
        if tasks_only() {
            0.0
        } else {
            pipelined(secs, client(call))
        },
    )
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

/// The hand-off reference: the same tokio tasks and checks, each call answered by a
/// plain Rust thread instead of Go. Requests go through one locked Vec that the thread
/// swaps out whole (a batch per look), replies through tokio oneshot channels; the thread
/// spins 50 µs when the queue is empty, then parks. No shared memory, no Go, no codec:
/// what a call answered on another thread costs here with a simple queue (a reference,
/// not a bound: a transport may do better where this one thread is the bottleneck).
struct Handoff {
    queue: std::sync::Mutex<Vec<(Msg, tokio::sync::oneshot::Sender<Ack>)>>,
    queued: AtomicBool,
    parked: AtomicBool,
    stop: AtomicBool,
    thread: std::sync::OnceLock<std::thread::Thread>,
}

impl Handoff {
    fn start() -> Arc<Handoff> {
        let h = Arc::new(Handoff {
            queue: std::sync::Mutex::new(Vec::new()),
            queued: AtomicBool::new(false),
            parked: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            thread: std::sync::OnceLock::new(),
        });
        let h2 = Arc::clone(&h);
        let t = std::thread::Builder::new()
            .name("handoff".into())
            .spawn(move || h2.serve())
            .expect("spawn");
        h.thread.set(t.thread().clone()).expect("set once");
        h
    }

    async fn call(&self, m: Msg) -> Ack {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.queue.lock().unwrap().push((m, tx));
        self.queued.store(true, Ordering::SeqCst);
        if self.parked.load(Ordering::SeqCst) && self.parked.swap(false, Ordering::SeqCst) {
            self.thread.get().expect("started").unpark();
        }
        rx.await.expect("answered")
    }

    fn serve(&self) {
        let mut batch = Vec::new();
        let mut idle: Option<Instant> = None;
        while !self.stop.load(Ordering::Acquire) {
            if self.queued.swap(false, Ordering::SeqCst) {
                std::mem::swap(&mut batch, &mut *self.queue.lock().unwrap());
                for (m, tx) in batch.drain(..) {
                    let _ = tx.send(Ack {
                        seq: m.seq,
                        sum: sum(m.seq, &m.payload),
                    });
                }
                idle = None;
                continue;
            }
            if idle.get_or_insert_with(Instant::now).elapsed() < Duration::from_micros(50) {
                spin_loop();
                continue;
            }
            self.parked.store(true, Ordering::SeqCst);
            if !self.queued.load(Ordering::SeqCst) {
                std::thread::park_timeout(Duration::from_millis(10));
            }
            self.parked.store(false, Ordering::SeqCst);
            idle = None;
        }
    }
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
        let shm_p50 = || latency(secs, &p, |s| ring.echo(&msg(s, &p)).expect("echo")).0;
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
    let (lo, hi) = flo
        .iter()
        .fold((f64::MAX, 0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    let (s, f) = (median(shm), median(flo));
    println!(
        "{{\"shm_p50_ns\":{s:.0},\"floor_p50_ns\":{f:.0},\"floor_min_ns\":{lo:.0},\"floor_max_ns\":{hi:.0},\"ratio_of_medians\":{:.3},\"median_of_ratios\":{:.3},\"rounds\":{rounds}}}",
        s / f,
        median(ratios)
    );
}

/// A burst of calls (1.5 x `secs` in all), then an attached caller that makes no call
/// until stdin closes: the caller of bench/idle_cpu.py.
fn idle(size: usize, secs: Duration, segment: &str) {
    use std::io::{Read, Write};
    let p = Arc::new(payload(size));
    let ring = Arc::new(RingShm::connect(segment).expect("connect"));
    let (p50, _) = latency(secs / 2, &p, |s| ring.echo(&msg(s, &p)).expect("echo"));
    let r2 = Arc::clone(&ring);
    let (rate, _) = async_rates(secs / 2, &p, move |m| {
        let ring = Arc::clone(&r2);
        async move { ring.echo_async(&m).await.expect("echo_async") }
    });
    assert_eq!(ring.in_flight(), 0);
    println!("{{\"p50_ns\":{p50},\"calls_per_s\":{rate:.0}}}");
    std::io::stdout().flush().expect("stdout");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    drop(ring);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let size: usize = args[2].parse().expect("SIZE");
    let secs = Duration::from_secs_f64(args[3].parse().expect("SECS"));
    if args[1] == "shm-pairs" {
        return pairs(size, secs, args[4].parse().expect("ROUNDS"));
    }
    if args[1] == "idle" {
        return idle(size, secs, &args[4]);
    }
    let p = Arc::new(payload(size));
    // rates: (calls/s of the path's concurrent form, the pipelined client's calls/s: async
    // paths only, 0 for the others)
    let (lat, (rate, piped), conc) = match args[1].as_str() {
        "cgo-sync" => {
            let lat = latency(secs, &p, |s| CgoImpl::echo(msg(s, &p)));
            (
                lat,
                (
                    threads(secs, 2, |s| check(s, &p, &CgoImpl::echo(msg(s, &p)))),
                    0.0,
                ),
                "2 threads",
            )
        }
        "cgo-async" => {
            let lat = latency(secs, &p, |s| {
                api::r2g_block_on(CgoImpl::echo_async(msg(s, &p)))
            });
            let rates = async_rates(secs, &p, CgoImpl::echo_async);
            (lat, rates, "1000 tokio tasks")
        }
        "shm-inproc" | "shm-xproc" => {
            let ring = Arc::new(if args[1] == "shm-inproc" {
                RingShm::in_process_with(256, 8192, 8192).expect("in_process")
            } else {
                RingShm::connect(&args[4]).expect("connect")
            });
            let lat = latency(secs, &p, |s| ring.echo(&msg(s, &p)).expect("echo"));
            let r2 = Arc::clone(&ring);
            let rates = async_rates(secs, &p, move |m| {
                let ring = Arc::clone(&r2);
                async move { ring.echo_async(&m).await.expect("echo_async") }
            });
            assert_eq!(ring.in_flight(), 0);
            (lat, rates, "sync for latency; 1000 tokio tasks, 256 slots")
        }
        "shm-owned" => {
            let ring = Arc::new(RingShm::in_process_with(256, 8192, 8192).expect("in_process"));
            let r2 = Arc::clone(&ring);
            let rate = tasks(secs, move |s| {
                let (ring, p) = (Arc::clone(&r2), Arc::clone(&p));
                async move {
                    let ack = ring.echo_async_owned(msg(s, &p)).await;
                    check(s, &p, &ack.expect("echo_async_owned"))
                }
            });
            assert_eq!(ring.in_flight(), 0);
            ((0, 0), (rate, 0.0), "1000 tokio tasks, 256 slots")
        }
        "handoff" => {
            let h = Handoff::start();
            let h2 = Arc::clone(&h);
            let rates = async_rates(secs, &p, move |m| {
                let h = Arc::clone(&h2);
                async move { h.call(m).await }
            });
            h.stop.store(true, Ordering::Release);
            h.thread.get().expect("started").unpark();
            ((0, 0), rates, "1000 tokio tasks; a Rust thread answers")
        }
        "tokio-alone" => {
            let rates = async_rates(secs, &p, |m: Msg| async move {
                tokio::task::yield_now().await;
                Ack {
                    seq: m.seq,
                    sum: sum(m.seq, &m.payload),
                }
            });
            ((0, 0), rates, "1000 tokio tasks; each call one yield")
        }
        "floor" => {
            let (p50, p99, rate) = floor(secs);
            ((p50, p99), (rate, 0.0), "2 threads spinning")
        }
        other => panic!("unknown path {other}"),
    };
    let cpu = TASKS_CPU
        .lock()
        .unwrap()
        .map(|c| format!(",{}", c.json()))
        .unwrap_or_default();
    println!(
        "{{\"p50_ns\":{},\"p99_ns\":{},\"calls_per_s\":{rate:.0},\"pipelined_per_s\":{piped:.0},\"concurrency\":\"{conc}\"{cpu}}}",
        lat.0, lat.1
    );
}
