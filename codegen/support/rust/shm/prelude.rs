use super::r2g_shm_layout as l;
use std::ffi::{CString, c_char, c_int, c_long, c_void};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering, fence};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

const SPIN: Duration = Duration::from_micros(50);
const SPIN_BEFORE_YIELD: u32 = 2000; // polls of a blocking call before it yields
const SPIN_CHECK: u32 = 64; // the reader's empty looks between clock reads and yields (a power of 2)
const PARK_MS: i64 = 10; // caller park timeout: the liveness probe period
const PARK: Duration = Duration::from_millis(PARK_MS as u64);
// The reader's park timeout while no call is in flight: the idle probe period. Each
// probe wakes the thread, and a call made meanwhile wakes it at once.
const IDLE_PARK: Duration = Duration::from_millis(50);
const HELP_BATCH: usize = 32; // completions an async call's poll pops for the reader
const HELP_BUSY: u64 = 16; // helped pops between two reader looks that mean "busy"
const HELP_NAP: Duration = Duration::from_micros(100);
/// How long a slot freed while callers waited may stay free before the reader wakes one
/// of them for it: long enough for the call that freed it to take it again first.
const OWED_GRACE: Duration = Duration::from_micros(20);
