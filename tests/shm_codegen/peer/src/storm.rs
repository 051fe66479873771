//! `storm NAME TRIALS SEED`: the generated Rust caller while a third process flips bytes
//! of the segment (tests/shm_codegen/test_corruption_storm.py). Each trial has CALLS
//! `check` calls in flight, payloads small to near the slot capacity; each call ends in
//! exactly one outcome: `ok` (the reply is its own arguments' checksum), `wrong` (a reply
//! that does not verify was accepted), `timeout` (not over within CALL_TIMEOUT: the
//! generated API has no per-call timeout, so the future is dropped, which abandons the
//! slot), or the ShmError variant it failed with. After any other outcome than `ok` the
//! connection is dropped and a new one made, waiting for the callee to recycle the
//! session. Prints the counts as one JSON line.
use crate::api::{SvcShm, r2g_shm::ShmError};
use crate::{Boxed, Checked, Flag, checksum, xorshift};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

const CALLS: u64 = 24;
const CALL_TIMEOUT: Duration = Duration::from_millis(500);
const RECONNECT_FOR: Duration = Duration::from_secs(3);
/// `check`'s request is 24 bytes + the data rounded to 8; the callees serve 4 KiB slots.
const MAX_DATA: u64 = 4096 - 24;

#[derive(Default)]
struct Tally {
    calls: BTreeMap<&'static str, u64>,
    connects: BTreeMap<&'static str, u64>,
    issued: u64,
    trials: u64,
    slowest: Duration, // the longest trial, reconnecting included
    // The longest time between the first and the last PeerGone of one trial: a violation
    // fails every pending call at once.
    gone_spread: Duration,
    wrong: Vec<String>,
}

fn kind(e: &ShmError) -> &'static str {
    match e {
        ShmError::PeerGone(_) => "PeerGone",
        ShmError::Remote(..) => "Remote",
        ShmError::TooLarge(_) => "TooLarge",
        ShmError::Layout(_) => "Layout",
        ShmError::Os(_) => "Os",
    }
}

/// Small, middling and near-capacity data, by call number.
fn data_len(i: u64) -> u64 {
    match i % 8 {
        0..=4 => i % 48,
        5 | 6 => 500 + i % 1500,
        _ => MAX_DATA - i % 64,
    }
}

/// Poll every future until all are ready or `deadline` passes; those still pending then
/// are dropped (None).
pub fn join_until<'a, T>(futs: Vec<Boxed<'a, T>>, deadline: Option<Instant>) -> Vec<Option<T>> {
    let flag = Arc::new(Flag(AtomicBool::new(true), std::thread::current()));
    let waker = Waker::from(Arc::clone(&flag));
    let mut cx = Context::from_waker(&waker);
    let mut slots: Vec<Option<Boxed<'a, T>>> = futs.into_iter().map(Some).collect();
    let mut out: Vec<Option<T>> = slots.iter().map(|_| None).collect();
    let mut left = slots.len();
    while left > 0 {
        if !flag.0.swap(false, Ordering::AcqRel) {
            match deadline.map(|d| d.checked_duration_since(Instant::now())) {
                None => std::thread::park(),
                Some(Some(left)) => std::thread::park_timeout(left),
                Some(None) => break,
            }
            continue;
        }
        for (i, s) in slots.iter_mut().enumerate() {
            if let Some(Poll::Ready(v)) = s.as_mut().map(|f| f.as_mut().poll(&mut cx)) {
                out[i] = Some(v);
                *s = None;
                left -= 1;
            }
        }
    }
    out
}

/// A connection once the callee accepts one (it may still be recycling what the flips
/// left); the first refusal of a trial is counted, and one lasting RECONNECT_FOR.
fn connect(name: &str, tally: &mut Tally) -> Option<SvcShm> {
    let deadline = Instant::now() + RECONNECT_FOR;
    let mut refused = false;
    loop {
        match SvcShm::connect(name) {
            Ok(c) => return Some(c),
            Err(e) => {
                if !refused {
                    *tally.connects.entry(kind(&e)).or_default() += 1;
                    refused = true;
                }
                if Instant::now() > deadline {
                    *tally.connects.entry("gave up").or_default() += 1;
                    return None;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

/// One trial's calls; false when the connection should be replaced.
fn trial(c: &SvcShm, seed: &mut u64, tally: &mut Tally) -> bool {
    let base = xorshift(seed) >> 16;
    let mut futs: Vec<Boxed<'_, (Checked, Instant)>> = Vec::new();
    for i in 0..CALLS {
        let id = base + i;
        let data: Vec<u8> = (0..data_len(id)).map(|k| (k ^ id) as u8).collect();
        let fut = c.check(id, data.clone());
        futs.push(Box::pin(
            async move { ((id, data, fut.await), Instant::now()) },
        ));
    }
    tally.issued += CALLS;
    let mut clean = true;
    let mut gone: Vec<Instant> = Vec::new();
    for r in join_until(futs, Some(Instant::now() + CALL_TIMEOUT)) {
        if let Some(((_, _, Err(ShmError::PeerGone(_))), at)) = &r {
            gone.push(*at);
        }
        let what = match r.map(|(c, _)| c) {
            None => "timeout",
            Some((id, data, Ok(v))) if v == checksum(id, &data) => "ok",
            Some((id, data, Ok(v))) => {
                tally
                    .wrong
                    .push(format!("check({id}, {} bytes) answered {v}", data.len()));
                "wrong"
            }
            Some((_, _, Err(e))) => kind(&e),
        };
        clean &= what == "ok";
        *tally.calls.entry(what).or_default() += 1;
    }
    if let (Some(first), Some(last)) = (gone.iter().min(), gone.iter().max()) {
        tally.gone_spread = tally.gone_spread.max(*last - *first);
    }
    clean && !c.is_dead()
}

fn json_counts(m: &BTreeMap<&'static str, u64>) -> String {
    let items: Vec<String> = m.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
    format!("{{{}}}", items.join(", "))
}

pub fn run(name: &str, trials: u64, seed: u64) {
    let mut tally = Tally::default();
    let mut seed = seed | 1; // xorshift never leaves 0
    let mut conn: Option<SvcShm> = None;
    for _ in 0..trials {
        let start = Instant::now();
        tally.trials += 1;
        if conn.is_none() {
            conn = connect(name, &mut tally);
            if conn.is_none() {
                break; // nothing recycles the segment: no later trial could connect either
            }
        }
        if let Some(c) = &conn
            && !trial(c, &mut seed, &mut tally)
        {
            conn = None; // dropped: pending calls abandoned (bounded), detached
        }
        tally.slowest = tally.slowest.max(start.elapsed());
    }
    drop(conn);
    let wrong: Vec<String> = tally.wrong.iter().map(|w| format!("{w:?}")).collect();
    println!(
        "{{\"trials\": {}, \"slowest_trial_ms\": {}, \"gone_spread_ms\": {}, \"issued\": {}, \"calls\": {}, \"connects\": {}, \"wrong_calls\": [{}]}}",
        tally.trials,
        tally.slowest.as_millis(),
        tally.gone_spread.as_millis(),
        tally.issued,
        json_counts(&tally.calls),
        json_counts(&tally.connects),
        wrong.join(", ")
    );
}
