//! Hammer tests for the async slot state machine (codegen/support/async_slot.rs), without
//! Go: "writer" threads play the Go side and complete slots at random moments while
//! reader threads poll, drop early, or drop while the writer races them.

include!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../codegen/support/async_slot.rs"));

#[cfg(test)]
mod tests {
    use super::r2g_async::{self, block_on, complete, Call};
    use std::ffi::c_void;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;
    use std::sync::{Arc, Mutex, OnceLock};
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

    struct Job {
        slot: usize,
        input: u64,
        delay_spins: u32,
        panic: bool,
    }

    fn writers() -> &'static Mutex<mpsc::Sender<Job>> {
        static TX: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();
        TX.get_or_init(|| {
            let (tx, rx) = mpsc::channel::<Job>();
            let rx = Arc::new(Mutex::new(rx));
            for _ in 0..3 {
                let rx = rx.clone();
                thread::spawn(move || loop {
                    let job = match rx.lock().unwrap().recv() {
                        Ok(j) => j,
                        Err(_) => return,
                    };
                    for _ in 0..job.delay_spins {
                        std::hint::spin_loop();
                    }
                    let outcome = if job.panic {
                        Err(format!("boom {}", job.input))
                    } else {
                        Ok(Tracked::new(job.input * 2))
                    };
                    unsafe { complete::<Tracked, Tracked>(job.slot as *mut c_void, outcome) };
                });
            }
            Mutex::new(tx)
        })
    }

    unsafe fn start(att: &mut Tracked, slot: *mut c_void) {
        let mut x = att.0.wrapping_mul(0x9E3779B97F4A7C15);
        x ^= x >> 29;
        let job = Job { slot: slot as usize, input: att.0, delay_spins: (x % 2000) as u32, panic: x.is_multiple_of(97) };
        writers().lock().unwrap().send(job).unwrap();
    }

    fn noop_waker() -> Waker {
        struct Noop;
        impl std::task::Wake for Noop {
            fn wake(self: Arc<Self>) {}
        }
        Waker::from(Arc::new(Noop))
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
        assert_eq!(CREATED.load(Ordering::SeqCst), DROPPED.load(Ordering::SeqCst), "every value dropped exactly once");
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
    }
}
