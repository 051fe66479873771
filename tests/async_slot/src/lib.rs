//! Hammer tests for the async slot state machine and the job queue
//! (codegen/support/async_slot.rs), without Go: Rust threads play Go's dispatcher (the
//! same swap-the-stack and sleep-bit protocol) and workers that complete slots at random
//! moments, while reader threads push calls, poll, drop early, or drop while the writer
//! races them.

include!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../codegen/support/async_slot.rs"));

#[cfg(test)]
mod tests {
    use super::r2g_async::{self, block_on, complete, push, Call, Job, Queue};
    use std::ffi::c_void;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;
    use std::sync::{Arc, Condvar, Mutex};
    use std::task::{Context, Waker};
    use std::thread;

    static CREATED: AtomicUsize = AtomicUsize::new(0);
    static DROPPED: AtomicUsize = AtomicUsize::new(0);
    static TESTS: Mutex<()> = Mutex::new(());

    /// Counts its drops, so leaks and double frees both show.
    struct Tracked(u64);
    impl Tracked {
        fn new(v: u64) -> Tracked {
            CREATED.fetch_add(1, Ordering::SeqCst);
            Tracked(v)
        }
    }
    impl Drop for Tracked {
        fn drop(&mut self) {
            DROPPED.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// One call as the stand-in for Go's workers sees it.
    struct Work {
        slot: usize,
        input: u64,
        delay_spins: u32,
        panic: bool,
    }

    /// The queue the calls are pushed on, as a generated binding has one.
    static QUEUE: Queue = Queue::new();

    /// Kicks not yet consumed by the dispatcher stand-in (exactly one per park).
    static KICKS: (Mutex<u32>, Condvar) = (Mutex::new(0), Condvar::new());

    /// Go's `_init`, played in Rust: a dispatcher thread that swaps the stack out and
    /// parks with the same sleep-bit protocol as go/async_runtime.go.j2, and three workers
    /// that complete calls after a random delay (so drops race them).
    unsafe extern "C" fn init(q: *mut c_void) {
        let q: &'static Queue = unsafe { &*(q as *const Queue) };
        let (tx, rx) = mpsc::channel::<Work>();
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..3 {
            let rx = rx.clone();
            thread::spawn(move || loop {
                let work = match rx.lock().unwrap().recv() {
                    Ok(w) => w,
                    Err(_) => return,
                };
                for _ in 0..work.delay_spins {
                    std::hint::spin_loop();
                }
                let outcome = if work.panic {
                    Err(format!("boom {}", work.input))
                } else {
                    Ok(Tracked::new(work.input * 2))
                };
                unsafe { complete::<Tracked, Tracked>(work.slot as *mut c_void, outcome) };
            });
        }
        thread::spawn(move || dispatch(q, tx));
    }

    /// Go's `_kick`, played in Rust.
    unsafe extern "C" fn kick(bits: u32) {
        assert_eq!(bits, 1, "only the dispatcher's bit is ever set here");
        *KICKS.0.lock().unwrap() += 1;
        KICKS.1.notify_one();
    }

    /// Parks that waited a whole second while a job sat on the stack: lost wake-ups. After
    /// one the stand-in stops parking (so the tests end) and the tests assert there were none.
    static LOST: AtomicUsize = AtomicUsize::new(0);

    fn wait_kick(q: &Queue) {
        let mut n = KICKS.0.lock().unwrap();
        while *n == 0 {
            let (guard, timeout) = KICKS.1.wait_timeout(n, std::time::Duration::from_secs(1)).unwrap();
            n = guard;
            if timeout.timed_out() && !q.head.load(Ordering::SeqCst).is_null() {
                LOST.fetch_add(1, Ordering::SeqCst);
                q.sleep.fetch_and(!1, Ordering::SeqCst);
                return;
            }
        }
        *n -= 1;
    }

    fn dispatch(q: &'static Queue, tx: mpsc::Sender<Work>) {
        let mut idle = 0u32;
        loop {
            let mut job = q.head.swap(std::ptr::null_mut(), Ordering::SeqCst);
            if job.is_null() {
                idle += 1;
                if idle < 64 {
                    thread::yield_now();
                    continue;
                }
                idle = 0;
                if LOST.load(Ordering::SeqCst) != 0 {
                    continue; // already failed: stop parking so the tests end and report it
                }
                q.sleep.fetch_or(1, Ordering::SeqCst);
                if !q.head.load(Ordering::SeqCst).is_null() && q.sleep.fetch_and(!1, Ordering::SeqCst) & 1 != 0 {
                    continue; // a job came before any pusher saw the bit: no kick is coming
                }
                wait_kick(q);
                continue;
            }
            while !job.is_null() {
                // Read the job before handing it on: once completed, its slot may be freed.
                let (next, slot, args) = unsafe { ((*job).next, (*job).slot, (*job).args) };
                let input = unsafe { (*args.cast::<Tracked>()).0 };
                let mut x = input.wrapping_mul(0x9E3779B97F4A7C15);
                x ^= x >> 29;
                let work = Work { slot: slot as usize, input, delay_spins: (x % 2000) as u32, panic: x.is_multiple_of(97) };
                tx.send(work).unwrap();
                job = next;
            }
        }
    }

    /// A method's start function: the job points at the attachment, as a generated one
    /// points at the args struct inside it.
    unsafe fn start(att: &mut Tracked, job: *mut Job) {
        unsafe {
            (*job).args = (att as *const Tracked).cast();
            push(&QUEUE, job, init, kick);
        }
    }

    fn noop_waker() -> Waker {
        struct Noop;
        impl std::task::Wake for Noop {
            fn wake(self: Arc<Self>) {}
        }
        Waker::from(Arc::new(Noop))
    }

    static WAKERS_CREATED: AtomicUsize = AtomicUsize::new(0);
    static WAKERS_DROPPED: AtomicUsize = AtomicUsize::new(0);
    /// Waits that timed out although the call was in flight: a lost wake-up.
    static LOST_WAKES: AtomicUsize = AtomicUsize::new(0);

    /// A waker that counts its drops (a leaked or doubly dropped stored waker shows) and
    /// that its poller can wait on.
    struct CountedWaker {
        woken: Mutex<bool>,
        cv: Condvar,
    }
    impl CountedWaker {
        fn new() -> Arc<CountedWaker> {
            WAKERS_CREATED.fetch_add(1, Ordering::SeqCst);
            Arc::new(CountedWaker { woken: Mutex::new(false), cv: Condvar::new() })
        }
        fn wait(&self) {
            let mut woken = self.woken.lock().unwrap();
            while !*woken {
                let (g, t) = self.cv.wait_timeout(woken, std::time::Duration::from_secs(2)).unwrap();
                woken = g;
                if t.timed_out() && !*woken {
                    LOST_WAKES.fetch_add(1, Ordering::SeqCst);
                    return; // poll again: the test fails on the count, it does not hang
                }
            }
        }
    }
    impl std::task::Wake for CountedWaker {
        fn wake(self: Arc<Self>) {
            *self.woken.lock().unwrap() = true;
            self.cv.notify_all();
        }
    }
    impl Drop for CountedWaker {
        fn drop(&mut self) {
            WAKERS_DROPPED.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn wait_for_zero_live() {
        for _ in 0..2_000_000 {
            if r2g_async::live_slots() == 0 {
                return;
            }
            thread::yield_now();
        }
        panic!("live slots stuck at {}", r2g_async::live_slots());
    }

    fn iterations() -> u64 {
        std::env::var("R2G_HAMMER_ITERS").ok().and_then(|s| s.parse().ok()).unwrap_or(500_000)
    }

    #[test]
    fn random_drops_race_the_writer_and_nothing_leaks_or_doubles() {
        let _g = TESTS.lock().unwrap();
        let per_thread = iterations();
        let readers: Vec<_> = (0..2u64)
            .map(|t| {
                thread::spawn(move || {
                    let waker = noop_waker();
                    let mut cx = Context::from_waker(&waker);
                    let mut completed = 0u64;
                    for i in 0..per_thread {
                        let input = t * 1_000_000_000 + i;
                        let mut call: Call<Tracked, Tracked> = Call::new(Tracked::new(input), start);
                        match i % 5 {
                            0 => drop(call), // before the first poll: never reaches the writer
                            1 => {
                                let _ = Pin::new(&mut call).poll(&mut cx);
                                drop(call); // right after starting
                            }
                            2 => {
                                // poll a few times, then give up wherever the writer is
                                for _ in 0..(i % 7) {
                                    if Pin::new(&mut call).poll(&mut cx).is_ready() {
                                        break;
                                    }
                                    std::hint::spin_loop();
                                }
                                drop(call);
                            }
                            3 => {
                                // a new waker on every poll: each one replaces the stored one,
                                // racing the writer, and the last one must be woken
                                let mut repolls = i % 4;
                                let (outcome, att) = loop {
                                    let w = CountedWaker::new();
                                    let waker = Waker::from(w.clone());
                                    if let std::task::Poll::Ready(out) = Pin::new(&mut call).poll(&mut Context::from_waker(&waker)) {
                                        break out;
                                    }
                                    drop(waker);
                                    if repolls > 0 {
                                        repolls -= 1; // poll again at once, with yet another waker
                                        std::hint::spin_loop();
                                        continue;
                                    }
                                    w.wait();
                                };
                                assert_eq!(att.0, input, "attachment handed back");
                                match outcome {
                                    Ok(v) => assert_eq!(v.0, input * 2, "result of {input}"),
                                    Err(msg) => assert_eq!(msg, format!("boom {input}")),
                                }
                                completed += 1;
                            }
                            _ => {
                                let (outcome, att) = block_on(call);
                                assert_eq!(att.0, input, "attachment handed back");
                                match outcome {
                                    Ok(v) => assert_eq!(v.0, input * 2, "result of {input}"),
                                    Err(msg) => assert_eq!(msg, format!("boom {input}")),
                                }
                                completed += 1;
                            }
                        }
                    }
                    completed
                })
            })
            .collect();
        let completed: u64 = readers.into_iter().map(|h| h.join().unwrap()).sum();
        let awaited_per_thread = (0..per_thread).filter(|i| i % 5 >= 3).count() as u64;
        assert_eq!(completed, 2 * awaited_per_thread, "every awaited call completed once");
        wait_for_zero_live();
        assert_eq!(LOST_WAKES.load(Ordering::SeqCst), 0, "the last registered waker was not woken");
        assert_eq!(
            WAKERS_CREATED.load(Ordering::SeqCst),
            WAKERS_DROPPED.load(Ordering::SeqCst),
            "every stored waker dropped exactly once"
        );
        assert_eq!(CREATED.load(Ordering::SeqCst), DROPPED.load(Ordering::SeqCst), "every value dropped exactly once");
        assert_eq!(LOST.load(Ordering::SeqCst), 0, "a push went unnoticed by a parked dispatcher");
    }

    #[test]
    fn a_wake_from_another_thread_finishes_block_on() {
        let _g = TESTS.lock().unwrap();
        for i in 0..10_000u64 {
            let (outcome, _) = block_on(Call::<Tracked, Tracked>::new(Tracked::new(i), start));
            if let Ok(v) = outcome {
                assert_eq!(v.0, 2 * i);
            }
        }
        wait_for_zero_live();
        assert_eq!(CREATED.load(Ordering::SeqCst), DROPPED.load(Ordering::SeqCst));
        assert_eq!(LOST.load(Ordering::SeqCst), 0, "a push went unnoticed by a parked dispatcher");
    }
}
