//! How much of the shared-memory round trip is the ring protocol itself: two threads in
//! one process, no layout, no codec, no Go. Each ring has cells of two cache lines (a
//! header and 64 inline payload bytes, as the layout's cells); a caller thread and an
//! answering thread spin on them.
//!
//! PROTOCOL (argv[1]):
//!   floor      one cache line each way (the physical floor)
//!   writeback  the layout's cell protocol: the producer claims a cell whose seq says free
//!              (CAS on the enqueue position), writes it, publishes seq = pos + 1; the
//!              consumer claims it (CAS on the dequeue position), copies it out and
//!              writes seq = pos + capacity back, which frees it for the next lap
//!   producer   cells written by their producer only: the consumer never writes a cell; it
//!              publishes the position it has copied out up to, on a line of its own,
//!              every RELEASE_EVERY cells and when its ring runs dry; a producer reads that
//!              line only when the ring looks full by its last reading
//! MODE (argv[2]): `latency` (one call at a time: the mean of each block of BLOCK round
//! trips, reported as the median, p1 and p99 of those means) or `throughput` (WINDOW calls
//! in flight). SECONDS (argv[3]). Prints one JSON line.

use std::cell::UnsafeCell;
use std::hint::spin_loop;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CAP: u64 = 256;
const PAYLOAD: usize = 64;
const BLOCK: usize = 1000;
const WINDOW: u64 = 64;
const RELEASE_EVERY: u64 = 16;

#[repr(C, align(128))]
struct Cell {
    seq: AtomicU64,
    head: UnsafeCell<[u64; 4]>, // slot, generation, method, length... (as the layout's)
    payload: UnsafeCell<[u8; PAYLOAD]>,
}

#[repr(align(128))]
struct Line(AtomicU64);

struct Ring {
    enq: Line,
    deq: Line,
    released: Line, // `producer` protocol: cells copied out up to here
    cells: Vec<Cell>,
    producer_written: bool,
}

// SAFETY: a cell's body is written only by the producer that claimed it and read only by
// the consumer that claimed it, ordered by the seq release/acquire pair.
unsafe impl Sync for Ring {}

impl Ring {
    fn new(producer_written: bool) -> Ring {
        let cells = (0..CAP)
            .map(|i| Cell {
                seq: AtomicU64::new(if producer_written { 0 } else { i }),
                head: UnsafeCell::new([0; 4]),
                payload: UnsafeCell::new([0; PAYLOAD]),
            })
            .collect();
        let z = || Line(AtomicU64::new(0));
        Ring {
            enq: z(),
            deq: z(),
            released: z(),
            cells,
            producer_written,
        }
    }

    fn cell(&self, pos: u64) -> &Cell {
        &self.cells[(pos % CAP) as usize]
    }
}

/// One side's end of a ring: what it keeps locally between calls.
struct End<'a> {
    ring: &'a Ring,
    seen_released: u64, // producer: the consumer's position as last read
    popped: u64,        // consumer (producer protocol): position copied out up to
}

impl<'a> End<'a> {
    fn new(ring: &'a Ring) -> End<'a> {
        End {
            ring,
            seen_released: 0,
            popped: 0,
        }
    }

    fn try_push(&mut self, v: u64, bytes: usize) -> bool {
        let r = self.ring;
        let pos = r.enq.0.load(Ordering::Relaxed);
        if r.producer_written {
            if pos >= self.seen_released + CAP {
                self.seen_released = r.released.0.load(Ordering::Acquire);
                if pos >= self.seen_released + CAP {
                    return false;
                }
            }
        } else if r.cell(pos).seq.load(Ordering::Acquire) != pos {
            return false;
        }
        if r.enq
            .0
            .compare_exchange(pos, pos + 1, Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
        {
            return false;
        }
        let c = r.cell(pos);
        // SAFETY: the cell is ours until its seq is published.
        unsafe {
            *c.head.get() = [v, pos, 7, bytes as u64];
            let body = &mut *c.payload.get();
            body[..bytes].fill(v as u8);
        }
        c.seq.store(pos + 1, Ordering::Release);
        true
    }

    fn try_pop(&mut self, out: &mut [u8; PAYLOAD]) -> Option<u64> {
        let r = self.ring;
        let pos = if r.producer_written {
            self.popped
        } else {
            r.deq.0.load(Ordering::Relaxed)
        };
        let c = r.cell(pos);
        if c.seq.load(Ordering::Acquire) != pos + 1 {
            if r.producer_written && r.released.0.load(Ordering::Relaxed) != self.popped {
                r.released.0.store(self.popped, Ordering::Release); // dry: publish
            }
            return None;
        }
        if !r.producer_written
            && r.deq
                .0
                .compare_exchange(pos, pos + 1, Ordering::AcqRel, Ordering::Relaxed)
                .is_err()
        {
            return None;
        }
        // SAFETY: the cell is full and ours (claimed, or the only consumer's).
        let head = unsafe {
            let h = *c.head.get();
            let body = &*c.payload.get();
            let n = h[3] as usize;
            out[..n].copy_from_slice(&body[..n]);
            h
        };
        if r.producer_written {
            self.popped = pos + 1;
            if self.popped.is_multiple_of(RELEASE_EVERY) {
                r.released.0.store(self.popped, Ordering::Release);
            }
        } else {
            c.seq.store(pos + CAP, Ordering::Release);
        }
        Some(head[0])
    }
}

fn answer(req: &Ring, comp: &Ring, stop: &AtomicBool) {
    let (mut rx, mut tx) = (End::new(req), End::new(comp));
    let mut buf = [0u8; PAYLOAD];
    let mut idle = 0u32;
    while !stop.load(Ordering::Relaxed) || idle < 1000 {
        match rx.try_pop(&mut buf) {
            Some(v) => {
                idle = 0;
                while !tx.try_push(v + 1, 16) {
                    spin_loop();
                }
            }
            None => {
                idle += 1;
                spin_loop();
            }
        }
    }
}

fn floor_answer(ping: &Line, pong: &Line, stop: &AtomicBool) {
    let mut last = 0;
    while !stop.load(Ordering::Relaxed) {
        let v = ping.0.load(Ordering::Acquire);
        if v != last {
            last = v;
            pong.0.store(v, Ordering::Release);
        }
        spin_loop();
    }
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p) as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (protocol, mode) = (args[1].as_str(), args[2].as_str());
    let secs = Duration::from_secs_f64(args[3].parse().expect("SECONDS"));
    let stop = Arc::new(AtomicBool::new(false));
    let mut blocks = Vec::new();
    let mut calls = 0u64;
    let start = Instant::now();
    if protocol == "floor" {
        let (ping, pong) = (
            Arc::new(Line(AtomicU64::new(0))),
            Arc::new(Line(AtomicU64::new(0))),
        );
        let (p2, q2, s2) = (Arc::clone(&ping), Arc::clone(&pong), Arc::clone(&stop));
        let t = std::thread::spawn(move || floor_answer(&p2, &q2, &s2));
        assert_eq!(mode, "latency", "the floor has no throughput mode");
        while start.elapsed() < secs {
            let t0 = Instant::now();
            for _ in 0..BLOCK {
                calls += 1;
                ping.0.store(calls, Ordering::Release);
                while pong.0.load(Ordering::Acquire) != calls {
                    spin_loop();
                }
            }
            blocks.push(t0.elapsed().as_nanos() as f64 / BLOCK as f64);
        }
        stop.store(true, Ordering::Relaxed);
        t.join().expect("answerer");
    } else {
        let written = match protocol {
            "writeback" => false,
            "producer" => true,
            other => panic!("unknown protocol {other}"),
        };
        let (req, comp) = (Arc::new(Ring::new(written)), Arc::new(Ring::new(written)));
        let (r2, c2, s2) = (Arc::clone(&req), Arc::clone(&comp), Arc::clone(&stop));
        let t = std::thread::spawn(move || answer(&r2, &c2, &s2));
        let (mut tx, mut rx) = (End::new(&req), End::new(&comp));
        let mut buf = [0u8; PAYLOAD];
        let mut in_flight = 0u64;
        while start.elapsed() < secs {
            let t0 = Instant::now();
            for _ in 0..BLOCK {
                if mode == "latency" {
                    calls += 1;
                    while !tx.try_push(calls, PAYLOAD) {
                        spin_loop();
                    }
                    loop {
                        if let Some(v) = rx.try_pop(&mut buf) {
                            assert_eq!(v, calls + 1);
                            break;
                        }
                        spin_loop();
                    }
                } else {
                    while in_flight < WINDOW && tx.try_push(calls + in_flight, PAYLOAD) {
                        in_flight += 1;
                    }
                    if rx.try_pop(&mut buf).is_some() {
                        in_flight -= 1;
                        calls += 1;
                    }
                }
            }
            blocks.push(t0.elapsed().as_nanos() as f64 / BLOCK as f64);
        }
        while in_flight > 0 {
            if rx.try_pop(&mut buf).is_some() {
                in_flight -= 1;
            }
        }
        stop.store(true, Ordering::Relaxed);
        t.join().expect("answerer");
    }
    let secs = start.elapsed().as_secs_f64();
    let (p1, p50, p99) = (
        percentile(&mut blocks, 0.01),
        percentile(&mut blocks, 0.5),
        percentile(&mut blocks, 0.99),
    );
    println!(
        "{{\"protocol\":\"{protocol}\",\"mode\":\"{mode}\",\"round_trip_ns_p50\":{p50:.0},\"round_trip_ns_p1\":{p1:.0},\"round_trip_ns_p99\":{p99:.0},\"calls_per_s\":{:.0}}}",
        calls as f64 / secs
    );
}
