// ---- rust2go async call slots (fixed part, std only) ---------------------------------
//
// One heap allocation per in-flight async call (`Slot`): an atomic state word, the
// result, the waker, and the "attachment" — the owned arguments and the intermediate
// buffer that Go reads in place until it completes the call.
//
// Two parties hold the slot: the reader (the `Call` future, on the Rust side) and the
// writer (the Go goroutine, which holds the raw pointer and completes it exactly once
// through `complete`). Whichever of them leaves last frees the slot.
//
// State bits (`state`):
//   WRITTEN      the result is in `result` (set by the writer, before it lets go)
//   WRITER_DONE  the writer will never touch the slot again
//   READER_GONE  the future was dropped (or finished) and will never touch it again
//   TAKEN        the reader moved the result out (so the free must not drop it)
//
// Transitions (every step is one atomic read-modify-write on `state`):
//
//   | from (bits set)          | event                           | to / action                                      |
//   |--------------------------|---------------------------------|--------------------------------------------------|
//   | {}                       | writer: store result            | {WRITTEN}; take the waker                        |
//   | {WRITTEN}                | writer: let go                  | {WRITTEN, WRITER_DONE}; then wake (owned waker)   |
//   | {WRITTEN, READER_GONE}   | writer: let go                  | writer frees the slot, drops the unread result    |
//   | {} (first poll, started) | reader: poll sees no WRITTEN    | Pending (`new` registered this poll's waker)      |
//   | {} / {WRITTEN}           | reader: later poll, no WRITTEN  | register waker, re-check WRITTEN, Pending         |
//   | {WRITTEN, ..}            | reader: poll                    | {+TAKEN}; Ready(result, attachment)               |
//   | any without WRITER_DONE  | reader: drop                    | {+READER_GONE}; the writer will free              |
//   | {.., WRITER_DONE}        | reader: drop                    | reader frees (result dropped unless TAKEN)        |
//
// The free happens exactly once: it is done by the party whose fetch_or sets the second of
// {WRITER_DONE, READER_GONE}. The writer takes the waker out of the slot *before* letting
// go, and wakes it afterwards, so a wake never touches freed memory. Lost wake-ups: the
// reader registers its waker under the mutex and re-checks WRITTEN afterwards; the writer
// sets WRITTEN before taking the waker under the same mutex, so either the writer sees the
// new waker or the reader sees WRITTEN.
//
// Starting a call is not a cgo call: the slot also holds the call's `Job`, which the first
// poll fills and pushes on the binding's `Queue` (a stack in a Rust static, one CAS). Go's
// dispatcher swaps the stack out and runs the jobs (templates/go/async_runtime.go.j2);
// Rust calls into Go only to start that runtime (once) and to wake it when it sleeps.
// The slot, and the job in it, stay allocated while Go holds the writer role, so Go
// never reads freed memory however early the future is dropped.
//
// The call starts on the first poll: a future that is never polled costs nothing and
// never reaches Go. Dropping it at any later point is memory-safe as long as Go only reads
// what the attachment owns (owned parameters: `#[drop_safe]`, `#[drop_safe_ret]`).

#[allow(dead_code)]
pub mod r2g_async {
    use ::core::cell::UnsafeCell;
    use ::core::ffi::c_void;
    use ::core::future::Future;
    use ::core::mem::MaybeUninit;
    use ::core::pin::Pin;
    use ::core::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, AtomicU8, AtomicUsize, Ordering};
    use ::core::task::{Context, Poll, Waker};
    use ::std::sync::{Mutex, Once};

    const WRITTEN: u8 = 1;
    const WRITER_DONE: u8 = 2;
    const READER_GONE: u8 = 4;
    const TAKEN: u8 = 8;

    // The live-slot count, sharded so the hot path never shares a cache line between the
    // thread that allocates a slot and the one that frees it: each thread bumps monotonic
    // `allocs`/`frees` counters in its own shard (threads beyond SHARDS share shards).
    const SHARDS: usize = 64;

    #[repr(align(128))]
    struct Shard {
        allocs: AtomicUsize,
        frees: AtomicUsize,
    }

    static LIVE: [Shard; SHARDS] = [const {
        Shard {
            allocs: AtomicUsize::new(0),
            frees: AtomicUsize::new(0),
        }
    }; SHARDS];
    static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

    ::std::thread_local! {
        static MY_SHARD: ::core::cell::Cell<usize> = const { ::core::cell::Cell::new(usize::MAX) };
    }

    fn shard() -> &'static Shard {
        let i = MY_SHARD
            .try_with(|c| {
                let mut i = c.get();
                if i == usize::MAX {
                    i = NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % SHARDS;
                    c.set(i);
                }
                i
            })
            .unwrap_or(0);
        &LIVE[i]
    }

    /// Slots allocated and not yet freed, across every async method of this binding.
    /// Returns to zero once every call has both completed in Go and been dropped in Rust.
    /// Frees are summed before allocations: a free is only counted once its allocation is
    /// visible too, so the count never reads low (no false zero while a slot is live).
    pub fn live_slots() -> usize {
        let frees: usize = LIVE
            .iter()
            .map(|s| s.frees.load(Ordering::SeqCst))
            .fold(0, usize::wrapping_add);
        let allocs: usize = LIVE
            .iter()
            .map(|s| s.allocs.load(Ordering::SeqCst))
            .fold(0, usize::wrapping_add);
        allocs.wrapping_sub(frees)
    }

    /// What Go hands back: the value, or the message of a Go panic.
    pub type Outcome<R> = Result<R, String>;

    /// One queued call as Go reads it (C `r2g_job`, lower/async_abi.py). Written by the
    /// start function before the push; read-only from then on, on both sides.
    #[repr(C)]
    pub struct Job {
        pub next: *mut Job,
        pub epoch: u64,
        pub method: usize,
        pub args: *const c_void,
        pub out: *mut c_void,
        pub slot: *mut c_void,
        pub cb: *const c_void,
    }

    const _: () = assert!(
        ::core::mem::size_of::<Job>() == 56,
        "r2g: Job must match C r2g_job (56 bytes)"
    );

    /// The binding's queue (C `r2g_queue`: the first three fields). Go swaps `head` out,
    /// sets bits in `sleep` before it parks, and advances `epoch` every watchdog tick.
    #[repr(C, align(128))]
    pub struct Queue {
        pub epoch: AtomicU64,
        pub head: AtomicPtr<Job>,
        pub sleep: AtomicU32,
        started: Once,
    }

    const _: () = assert!(
        ::core::mem::offset_of!(Queue, epoch) == 0
            && ::core::mem::offset_of!(Queue, head) == 8
            && ::core::mem::offset_of!(Queue, sleep) == 16,
        "r2g: Queue must start like C r2g_queue"
    );

    impl Default for Queue {
        fn default() -> Queue {
            Queue::new()
        }
    }

    impl Queue {
        pub const fn new() -> Queue {
            Queue {
                epoch: AtomicU64::new(0),
                head: AtomicPtr::new(::core::ptr::null_mut()),
                sleep: AtomicU32::new(0),
                started: Once::new(),
            }
        }
    }

    /// Go's entry points for a queue: start the runtime on it, and wake sleepers.
    /// (Go's `init` takes a `*C.r2g_queue`; `Once` inside `Queue` is not FFI-safe, so the
    /// pointer travels untyped.)
    pub type Init = unsafe extern "C" fn(*mut c_void);
    pub type Kick = unsafe extern "C" fn(u32);

    /// Queues a filled job: one CAS, plus a cgo call only when Go's dispatcher sleeps (and
    /// once per process, to start Go's side on the first call).
    ///
    /// # Safety
    /// `job` is a filled `Job` inside a live slot, pushed once; the slot stays allocated
    /// until Go completes the call.
    pub unsafe fn push(q: &'static Queue, job: *mut Job, init: Init, kick: Kick) {
        q.started.call_once(|| unsafe { init(q as *const Queue as *mut c_void) });
        unsafe { (*job).epoch = q.epoch.load(Ordering::Relaxed) };
        let mut head = q.head.load(Ordering::Relaxed);
        loop {
            unsafe { (*job).next = head };
            match q.head.compare_exchange_weak(head, job, Ordering::SeqCst, Ordering::Relaxed) {
                Ok(_) => break,
                Err(now) => head = now,
            }
        }
        // Go sets a sleep bit, then re-checks `head`; we push, then check `sleep`: one of
        // the two sees the other (both sides sequentially consistent), so no job sleeps.
        if q.sleep.load(Ordering::SeqCst) != 0 {
            let bits = q.sleep.swap(0, Ordering::SeqCst);
            if bits != 0 {
                unsafe { kick(bits) };
            }
        }
    }

    struct Slot<A, R> {
        job: UnsafeCell<Job>,
        state: AtomicU8,
        result: UnsafeCell<MaybeUninit<Outcome<R>>>,
        waker: Mutex<Option<Waker>>,
        attachment: UnsafeCell<Option<A>>,
    }

    // The slot is shared between the future's thread and a Go thread; every access to the
    // cells is ordered by `state` as described above.
    unsafe impl<A: Send, R: Send> Send for Slot<A, R> {}
    unsafe impl<A: Send, R: Send> Sync for Slot<A, R> {}

    impl<A, R> Slot<A, R> {
        fn new(attachment: A, waker: &Waker) -> *mut Slot<A, R> {
            shard().allocs.fetch_add(1, Ordering::SeqCst);
            let slot = Box::into_raw(Box::new(Slot {
                job: UnsafeCell::new(Job {
                    next: ::core::ptr::null_mut(),
                    epoch: 0,
                    method: 0,
                    args: ::core::ptr::null(),
                    out: ::core::ptr::null_mut(),
                    slot: ::core::ptr::null_mut(),
                    cb: ::core::ptr::null(),
                }),
                state: AtomicU8::new(0),
                result: UnsafeCell::new(MaybeUninit::uninit()),
                waker: Mutex::new(Some(waker.clone())),
                attachment: UnsafeCell::new(Some(attachment)),
            }));
            unsafe { (*(*slot).job.get()).slot = slot.cast() };
            slot
        }

        /// Frees the slot; called exactly once, by the party that left last.
        unsafe fn free(this: *mut Slot<A, R>) {
            let slot = unsafe { Box::from_raw(this) };
            let state = slot.state.load(Ordering::Acquire);
            if state & WRITTEN != 0 && state & TAKEN == 0 {
                unsafe { (*slot.result.get()).assume_init_drop() };
            }
            drop(slot);
            shard().frees.fetch_add(1, Ordering::SeqCst);
        }

        fn take_waker(&self) -> Option<Waker> {
            match self.waker.lock() {
                Ok(mut w) => w.take(),
                Err(poisoned) => poisoned.into_inner().take(),
            }
        }

        fn set_waker(&self, waker: &Waker) {
            let mut guard = match self.waker.lock() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            match guard.as_mut() {
                Some(w) if w.will_wake(waker) => {}
                _ => *guard = Some(waker.clone()),
            }
        }
    }

    /// Completes the call behind `slot` (the writer side; called once, from the Go
    /// callback). Safe against a concurrently dropped future.
    ///
    /// # Safety
    /// `slot` must come from a `Call<A, R>` start and be completed at most once.
    pub unsafe fn complete<A, R>(slot: *mut c_void, outcome: Outcome<R>) {
        let slot = slot.cast::<Slot<A, R>>();
        let waker = unsafe {
            (*(*slot).result.get()).write(outcome);
            (*slot).state.fetch_or(WRITTEN, Ordering::SeqCst);
            (*slot).take_waker()
        };
        let before = unsafe { (*slot).state.fetch_or(WRITER_DONE, Ordering::AcqRel) };
        if before & READER_GONE != 0 {
            unsafe { Slot::free(slot) };
        }
        // The slot may be gone by now; the waker is ours.
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// How a method starts its call: builds the Refs in the attachment (which the slot
    /// owns, so their addresses are stable), fills the rest of the job and pushes it.
    pub type Start<A> = unsafe fn(attachment: &mut A, job: *mut Job);

    enum Stage<A, R> {
        NotStarted(A, Start<A>),
        InFlight(*mut Slot<A, R>),
        Done,
    }

    /// The future of one async call. Output: the outcome and the attachment handed back
    /// (`#[drop_safe_ret]` returns the parameters from it).
    pub struct Call<A, R> {
        stage: Stage<A, R>,
    }

    // The raw slot pointer is owned by this future (see the state machine); it moves
    // between threads exactly like the attachment and the result would.
    unsafe impl<A: Send, R: Send> Send for Call<A, R> {}
    unsafe impl<A: Send + Sync, R: Send + Sync> Sync for Call<A, R> {}
    impl<A, R> Unpin for Call<A, R> {}

    impl<A, R> Call<A, R> {
        pub fn new(attachment: A, start: Start<A>) -> Self {
            Call {
                stage: Stage::NotStarted(attachment, start),
            }
        }
    }

    impl<A, R> Future for Call<A, R> {
        type Output = (Outcome<R>, A);

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
            let this = self.get_mut();
            let (slot, fresh) = match ::core::mem::replace(&mut this.stage, Stage::Done) {
                Stage::NotStarted(attachment, start) => {
                    let slot = Slot::<A, R>::new(attachment, cx.waker());
                    this.stage = Stage::InFlight(slot);
                    unsafe {
                        let att = (*(*slot).attachment.get()).as_mut().expect("attachment");
                        start(att, (*slot).job.get());
                    }
                    (slot, true)
                }
                Stage::InFlight(slot) => {
                    this.stage = Stage::InFlight(slot);
                    (slot, false)
                }
                Stage::Done => panic!("rust2go: async call polled after it completed"),
            };
            let s = unsafe { &*slot };
            if s.state.load(Ordering::SeqCst) & WRITTEN == 0 {
                // A fresh slot already holds this poll's waker (`Slot::new`): no lock.
                if fresh {
                    return Poll::Pending;
                }
                s.set_waker(cx.waker());
                if s.state.load(Ordering::SeqCst) & WRITTEN == 0 {
                    return Poll::Pending;
                }
            }
            // Written: Go no longer reads the attachment, so both move out.
            s.state.fetch_or(TAKEN, Ordering::AcqRel);
            let outcome = unsafe { (*s.result.get()).assume_init_read() };
            let attachment = unsafe { (*s.attachment.get()).take().expect("attachment") };
            this.stage = Stage::Done;
            unsafe { leave(slot) };
            Poll::Ready((outcome, attachment))
        }
    }

    /// The reader lets go of the slot; frees it if the writer already has.
    unsafe fn leave<A, R>(slot: *mut Slot<A, R>) {
        let before = unsafe { (*slot).state.fetch_or(READER_GONE, Ordering::AcqRel) };
        if before & WRITER_DONE != 0 {
            unsafe { Slot::free(slot) };
        }
    }

    impl<A, R> Drop for Call<A, R> {
        fn drop(&mut self) {
            if let Stage::InFlight(slot) = ::core::mem::replace(&mut self.stage, Stage::Done) {
                unsafe { leave(slot) };
            }
        }
    }

    /// Runs a future to completion on the current thread, with no executor dependency.
    pub fn block_on<F: Future>(fut: F) -> F::Output {
        use ::std::sync::Arc;
        use ::std::task::Wake;
        use ::std::thread::{self, Thread};

        struct ThreadWaker(Thread);
        impl Wake for ThreadWaker {
            fn wake(self: Arc<Self>) {
                self.0.unpark();
            }
            fn wake_by_ref(self: &Arc<Self>) {
                self.0.unpark();
            }
        }

        let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
        let mut cx = Context::from_waker(&waker);
        let mut fut = ::core::pin::pin!(fut);
        loop {
            if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
                return out;
            }
            thread::park();
        }
    }
}
