// ---- doorbells ----------------------------------------------------------------
// bell   waiter: swap(parked,1); fence; re-check; sem_timedwait; swap(parked,0)
//        notifier: fence; if parked && swap(parked,0)==1 { sem_post }
struct Bell {
    parked: usize, // header offset of the side's parked flag
    sem: *mut c_void,
}

impl Bell {
    fn open(name: &str, parked: usize) -> Result<Bell, ShmError> {
        let c = cstr(name);
        // SAFETY: opening an existing named semaphore; closed in Drop.
        let sem = unsafe { sys::sem_open(c.as_ptr(), 0) };
        if sem.is_null() || sem as isize == -1 {
            return Err(ShmError::PeerGone(format!("segment has no doorbell {name} (half cleaned up?)")));
        }
        Ok(Bell { parked, sem })
    }

    /// Notifier side: post only on the parked -> awake edge.
    fn ring(&self, m: &Mapping) {
        fence(Ordering::SeqCst);
        let p = m.u32(self.parked);
        if p.load(Ordering::Acquire) == 1 && p.swap(0, Ordering::SeqCst) == 1 {
            // SAFETY: a valid semaphore handle.
            unsafe { sys::sem_post(self.sem) };
        }
    }

    /// Waiter side; false only on a timeout.
    fn park(&self, m: &Mapping, ready: impl Fn() -> bool, ms: i64) -> bool {
        let p = m.u32(self.parked);
        p.swap(1, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        if ready() {
            p.swap(0, Ordering::SeqCst);
            return true;
        }
        let mut ts = sys::Timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: plain libc calls with valid pointers.
        unsafe { sys::clock_gettime(sys::CLOCK_REALTIME, &mut ts) };
        #[allow(clippy::useless_conversion)] // c_long is i64 here, i32 elsewhere
        let ns = i64::from(ts.tv_nsec) + ms * 1_000_000;
        ts.tv_sec += ns / 1_000_000_000;
        ts.tv_nsec = (ns % 1_000_000_000) as c_long;
        let woke = loop {
            if unsafe { sys::sem_timedwait(self.sem, &ts) } == 0 {
                break true;
            }
            if std::io::Error::last_os_error().raw_os_error() != Some(4) {
                break false; // ETIMEDOUT (EINTR retries)
            }
        };
        p.swap(0, Ordering::SeqCst);
        woke
    }

    fn post_self(&self) {
        // SAFETY: a valid semaphore handle; wakes our own parker at close.
        unsafe { sys::sem_post(self.sem) };
    }
}

impl Drop for Bell {
    fn drop(&mut self) {
        // SAFETY: opened in Bell::open.
        unsafe { sys::sem_close(self.sem) };
    }
}

// SAFETY: POSIX semaphores are process-shared objects safe to use from any thread.
unsafe impl Send for Bell {}
unsafe impl Sync for Bell {}
