impl Conn {
    // -- blocking and async waits ----------------------------------------------------
    /// Blocking call: wait for a slot, submit, then poll the completion ring on this
    /// thread (spin, then yield) for up to SPIN; if still unanswered, hand over to the
    /// reader and park until it completes the call.
    pub fn call_blocking<T>(
        &self,
        method: u32,
        kind: u32,
        size: usize,
        write: impl FnOnce(&mut [u8]),
        decode: impl FnOnce(&[u8]) -> Result<T, ShmError>,
    ) -> Result<T, ShmError> {
        let slot = self.slot_blocking(size)?;
        struct Polling<'a>(&'a Conn);
        impl Drop for Polling<'_> {
            fn drop(&mut self) {
                self.0.pollers.fetch_sub(1, Ordering::SeqCst);
                self.0.wake_reader(); // our call, if still unanswered, needs the reader
            }
        }
        let polling = Polling(self);
        self.pollers.fetch_add(1, Ordering::SeqCst); // before in_flight += 1 (submit)
        self.submit(slot, method, kind, size, write, REC_SENT)?;
        let start = Instant::now();
        let mut spins = 0u32;
        while !self.is_ready(slot) && self.drain_completions() && !self.is_dead() {
            spins += 1;
            // The clock (~25 ns a read) only every 64 polls: the spin is the latency.
            if self.is_ready(slot) || (spins & 63 == 0 && start.elapsed() >= SPIN) {
                break;
            }
            if spins < SPIN_BEFORE_YIELD {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
        drop(polling);
        loop {
            match self.reply_state(slot, || Waiter::Thread(std::thread::current())) {
                ReplyState::Ready => return self.read_reply(slot, decode),
                ReplyState::Dead => return Err(self.dead_error()),
                ReplyState::Pending => std::thread::park(),
            }
        }
    }

    /// Oneway: submit and return; the callee runs the method, the reader frees the slot.
    pub fn send_oneway(&self, method: u32, size: usize, write: impl FnOnce(&mut [u8])) -> Result<(), ShmError> {
        let slot = self.slot_blocking(size)?;
        self.submit(slot, method, l::CELL_KIND_ONEWAY, size, write, REC_DROPPED).map(|_| ())
    }

    /// A slot for a `size`-byte request on a blocking thread: waits (parked, retrying
    /// every PARK) while none is free.
    fn slot_blocking(&self, size: usize) -> Result<u32, ShmError> {
        self.check_size(size)?;
        loop {
            if let Some(s) = self.try_alloc(None, false)? {
                return Ok(s);
            }
            std::thread::park_timeout(PARK);
        }
    }

    fn check_size(&self, size: usize) -> Result<(), ShmError> {
        if size > self.geometry.request_capacity {
            return Err(ShmError::TooLarge(format!(
                "payload of {size} bytes exceeds the slot capacity of {}",
                self.geometry.request_capacity
            )));
        }
        Ok(())
    }
}

/// The future of an async shm call: starts on the first poll (slot, one write pass,
/// push); completed by the reader thread; dropping it before completion marks the
/// slot ABANDONED (the slot itself is freed only when the callee's answer arrives).
pub struct Call<W, D, T> {
    conn: Arc<Conn>,
    method: u32,
    size: usize,
    write: Option<W>,
    decode: D,
    sent: Option<(u32, u32)>, // (slot, generation) while the call is in flight
    waited: bool, // registered as a slot waiter and not served yet
    _t: std::marker::PhantomData<fn() -> T>,
}

impl<W, D, T> Call<W, D, T> {
    pub fn new(conn: Arc<Conn>, method: u32, size: usize, write: W, decode: D) -> Self {
        Call { conn, method, size, write: Some(write), decode, sent: None, waited: false, _t: std::marker::PhantomData }
    }
}

impl<W, D, T> Unpin for Call<W, D, T> {}

impl<W: FnOnce(&mut [u8]), D: Fn(&[u8]) -> Result<T, ShmError>, T> Future for Call<W, D, T> {
    type Output = Result<T, ShmError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if this.sent.is_none() {
            if let Err(e) = this.conn.check_size(this.size) {
                return Poll::Ready(Err(e));
            }
            let slot = match this.conn.try_alloc(Some(cx.waker()), this.waited) {
                Err(e) => return Poll::Ready(Err(e)),
                Ok(None) => {
                    this.waited = true;
                    return Poll::Pending; // backpressure: woken when a slot frees
                }
                Ok(Some(s)) => s,
            };
            this.waited = false;
            let write = this.write.take().expect("written once");
            match this.conn.submit(slot, this.method, l::CELL_KIND_CALL, this.size, write, REC_SENT) {
                Ok(generation) => this.sent = Some((slot, generation)),
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
        let (slot, _) = this.sent.expect("sent above");
        if !this.conn.is_ready(slot) {
            // Help the reader: completions popped on an executor thread wake their
            // tasks there (a local run queue), not through a cross-thread hand-off.
            this.conn.help_drain();
        }
        let waker = cx.waker();
        let register = || Waiter::Task(waker.clone());
        match this.conn.reply_state(slot, register) {
            ReplyState::Ready => {
                this.sent = None;
                Poll::Ready(this.conn.read_reply(slot, &this.decode))
            }
            ReplyState::Dead => {
                this.sent = None; // the slot is never reused
                Poll::Ready(Err(this.conn.dead_error()))
            }
            ReplyState::Pending => Poll::Pending,
        }
    }
}

impl<W, D, T> Drop for Call<W, D, T> {
    fn drop(&mut self) {
        if let Some((slot, generation)) = self.sent.take() {
            self.conn.drop_call(slot, generation);
        }
        if self.waited {
            self.conn.wake_slot_waiters(false); // the wake-up meant for us goes on
        }
    }
}

/// Run a future to completion on this thread (std only; tests and examples).
pub fn block_on<F: Future>(f: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut f = std::pin::pin!(f);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}
