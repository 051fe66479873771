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
// State word (`state`): flag bits, and above them a count the reader bumps each time it
// stores a new waker (so a writer that read the waker fields can tell they changed):
//   WAKER        the waker fields hold a live waker (owned by the slot)
//   WRITTEN      the result is in `result` (set by the writer, with WRITER_DONE)
//   WRITER_DONE  the writer will never touch the slot again
//   READER_GONE  the future was dropped (or finished) and will never touch it again
//   TAKEN        the reader moved the result out (so the free must not drop it)
//
// The waker lives in two atomic words (its data and vtable pointers), not behind a lock:
// the reader writes them only while WAKER is clear, and the writer trusts what it read
// only if its CAS finds the very state word (flags and count) it read them under.
//
// Transitions (each row is ONE atomic read-modify-write on `state`):
//
//   | who    | from (bits set)           | event                    | to / action                                     |
//   |--------|---------------------------|--------------------------|-------------------------------------------------|
//   | reader | (allocation)              | first poll               | {WAKER}, this poll's waker stored; job pushed   |
//   | writer | s (no WRITTEN)            | complete: result stored, | CAS s -> s+{WRITTEN, WRITER_DONE}-{WAKER}; the  |
//   |        |                           | waker fields read        | waker is the writer's iff s had WAKER; retried  |
//   |        |                           |                          | if s changed; frees if s had READER_GONE; then  |
//   |        |                           |                          | wakes (the slot may be gone by then)            |
//   | reader | no WRITTEN, WAKER, same   | later poll               | no RMW: Pending                                 |
//   |        | waker stored              |                          |                                                 |
//   | reader | no WRITTEN, other waker   | later poll: fetch_and    | -{WAKER}; if that saw WRITTEN: Ready (the       |
//   |        | (or none)                 |                          | writer took the old waker); else drop the old   |
//   |        |                           |                          | waker (if WAKER was set), store the new one,    |
//   |        |                           |                          | fetch_add +{WAKER}+1 count: Pending, or Ready   |
//   |        |                           |                          | if that saw WRITTEN (the waker stays stored)    |
//   | reader | {WRITTEN, ..}             | poll                     | reads result; +{READER_GONE, TAKEN}; frees if   |
//   |        |                           |                          | WRITER_DONE was set (always, in practice)       |
//   | reader | any                       | drop while in flight     | +{READER_GONE}; frees if WRITER_DONE was set    |
//
// The free happens exactly once: it is done by the party whose RMW sets the second of
// {WRITER_DONE, READER_GONE}. The free drops the stored waker iff WAKER is set, and the
// result iff WRITTEN without TAKEN. Lost wake-ups: a reader that stores a new waker sets
// WAKER with a fetch_add that also reports WRITTEN; the writer sets WRITTEN with a CAS that
// reports WAKER. The later of the two RMWs sees the earlier: either the writer takes (and
// wakes) the new waker, or the reader sees WRITTEN and does not return Pending.
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
    use ::core::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering};
    use ::core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
    use ::std::sync::Once;

    const WAKER: usize = 1;
    const WRITTEN: usize = 2;
    const WRITER_DONE: usize = 4;
    const READER_GONE: usize = 8;
    const TAKEN: usize = 16;
    /// The registration count's unit (the bits above the flags).
    const REGISTERED: usize = 32;

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

    /// The call's slot. `#[repr(C)]` so the job and the state word come first and share
    /// the cache lines Go reads and writes; the rest is the reader's.
    #[repr(C)]
    struct Slot<A, R> {
        job: UnsafeCell<Job>,
        state: AtomicUsize,
        // The reader's waker as its two raw parts (atomics: the writer may read them while
        // the reader replaces them; the state's registration count tells it to retry).
        waker_data: AtomicPtr<()>,
        waker_vtable: AtomicPtr<RawWakerVTable>,
        result: UnsafeCell<MaybeUninit<Outcome<R>>>,
        attachment: UnsafeCell<Option<A>>,
    }

    // The slot is shared between the future's thread and a Go thread; every access to the
    // cells is ordered by `state` as described above.
    unsafe impl<A: Send, R: Send> Send for Slot<A, R> {}
    unsafe impl<A: Send, R: Send> Sync for Slot<A, R> {}

    impl<A, R> Slot<A, R> {
        fn new(attachment: A, waker: &Waker) -> *mut Slot<A, R> {
            shard().allocs.fetch_add(1, Ordering::SeqCst);
            let w = ::core::mem::ManuallyDrop::new(waker.clone());
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
                state: AtomicUsize::new(WAKER),
                waker_data: AtomicPtr::new(w.data() as *mut ()),
                waker_vtable: AtomicPtr::new(w.vtable() as *const RawWakerVTable as *mut RawWakerVTable),
                result: UnsafeCell::new(MaybeUninit::uninit()),
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
            if state & WAKER != 0 {
                drop(unsafe { slot.stored_waker() });
            }
            drop(slot);
            shard().frees.fetch_add(1, Ordering::SeqCst);
        }

        /// The stored waker, owned by the caller from here on.
        ///
        /// # Safety
        /// The caller owns the waker fields (see the state machine).
        unsafe fn stored_waker(&self) -> Waker {
            let data = self.waker_data.load(Ordering::Relaxed);
            let vtable = self.waker_vtable.load(Ordering::Relaxed);
            unsafe { Waker::from_raw(RawWaker::new(data, &*vtable)) }
        }

        fn holds(&self, waker: &Waker) -> bool {
            ::core::ptr::eq(self.waker_data.load(Ordering::Relaxed), waker.data())
                && ::core::ptr::eq(self.waker_vtable.load(Ordering::Relaxed), waker.vtable())
        }

        /// Replaces the stored waker with `waker` unless the writer has written (then the
        /// caller reads the result instead). Returns whether the result is written.
        fn register(&self, waker: &Waker) -> bool {
            let before = self.state.fetch_and(!WAKER, Ordering::Acquire);
            if before & WRITTEN != 0 {
                return true; // the writer cleared WAKER with WRITTEN: the fields are dead
            }
            if before & WAKER != 0 {
                drop(unsafe { self.stored_waker() }); // ours: the writer saw no WAKER since
            }
            let w = ::core::mem::ManuallyDrop::new(waker.clone());
            self.waker_data.store(w.data() as *mut (), Ordering::Relaxed);
            self.waker_vtable
                .store(w.vtable() as *const RawWakerVTable as *mut RawWakerVTable, Ordering::Relaxed);
            let before = self.state.fetch_add(WAKER + REGISTERED, Ordering::AcqRel);
            before & WRITTEN != 0
        }
    }

    /// Completes the call behind `slot` (the writer side; called once, from the Go
    /// callback). Safe against a concurrently dropped future.
    ///
    /// # Safety
    /// `slot` must come from a `Call<A, R>` start and be completed at most once.
    pub unsafe fn complete<A, R>(slot: *mut c_void, outcome: Outcome<R>) {
        let slot = slot.cast::<Slot<A, R>>();
        let s = unsafe { &*slot };
        unsafe { (*s.result.get()).write(outcome) };
        let mut state = s.state.load(Ordering::Acquire);
        let (before, data, vtable) = loop {
            // Read the waker first; the CAS only succeeds if no registration began since.
            let data = s.waker_data.load(Ordering::Relaxed);
            let vtable = s.waker_vtable.load(Ordering::Relaxed);
            let to = (state | WRITTEN | WRITER_DONE) & !WAKER;
            match s.state.compare_exchange_weak(state, to, Ordering::AcqRel, Ordering::Acquire) {
                Ok(before) => break (before, data, vtable),
                Err(now) => state = now,
            }
        };
        // From here on the slot may be freed by the reader; the waker's parts are ours.
        if before & READER_GONE != 0 {
            unsafe { Slot::free(slot) };
        }
        if before & WAKER != 0 {
            unsafe { Waker::from_raw(RawWaker::new(data, &*vtable)) }.wake();
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
            let state = s.state.load(Ordering::Acquire);
            if state & WRITTEN == 0 {
                // A fresh slot already holds this poll's waker (`Slot::new`); a later poll
                // with the same waker has nothing to register either.
                if fresh || (state & WAKER != 0 && s.holds(cx.waker())) || !s.register(cx.waker()) {
                    return Poll::Pending;
                }
            }
            // Written: Go no longer reads the attachment, so both move out; leaving is the
            // same read-modify-write as marking the result taken.
            let outcome = unsafe { (*s.result.get()).assume_init_read() };
            let attachment = unsafe { (*s.attachment.get()).take().expect("attachment") };
            this.stage = Stage::Done;
            unsafe { leave(slot, TAKEN) };
            Poll::Ready((outcome, attachment))
        }
    }

    /// The reader lets go of the slot; frees it if the writer already has.
    unsafe fn leave<A, R>(slot: *mut Slot<A, R>, also: usize) {
        let before = unsafe { (*slot).state.fetch_or(READER_GONE | also, Ordering::AcqRel) };
        if before & WRITER_DONE != 0 {
            unsafe { Slot::free(slot) };
        }
    }

    impl<A, R> Drop for Call<A, R> {
        fn drop(&mut self) {
            if let Stage::InFlight(slot) = ::core::mem::replace(&mut self.stage, Stage::Done) {
                unsafe { leave(slot, 0) };
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
