// ---- the connection: attach (contract, liveness), detach, close ---------------
// caller CAS caller_pid 0 (or a dead claimer's pid) -> own pid; VACANT -CAS-> ATTACHED;
//        store pid; session += 1. ATTACHED|BROKEN -CAS-> DETACHED on close, on a
//        completion whose slot, length or kind is out of range or whose check does not
//        match (every pending call fails at once, naming the field), or when the callee
//        marked the session BROKEN
/// One attached caller connection (one per process and segment).
pub struct Conn {
    map: Mapping,
    pub geometry: Geometry,
    pub names: Names,
    req_ring: Ring,
    comp_ring: Ring,
    callee_bell: Bell,
    caller_bell: Bell,
    recs: Vec<SlotRec>,
    // Each slot's current generation. Written only by the submitter, which owns the
    // slot (taken from the free list); read without a lock by whoever pops its
    // completion, which the push/pop release-acquire chain orders after the write.
    generations: Vec<AtomicU32>,
    free: Mutex<FreeList>,
    owed: AtomicBool, // FreeList::owed > 0 may hold: the reader looks
    reader_asleep: AtomicBool, // the reader sleeps on the caller doorbell: releases pay their own wake-ups
    in_flight: AtomicU32,
    pollers: AtomicU32,                        // blocking calls polling the completion ring
    reader_idle: AtomicBool,                   // reader parked locally (not on the doorbell)
    reader: std::sync::OnceLock<std::thread::Thread>,
    helped: AtomicU64, // completions popped by executor threads (help_drain)
    dead: Mutex<Option<String>>,
    is_dead: AtomicBool,
    stop: AtomicBool,
    lock: Mutex<Option<OwnerLock>>,
    callee_lock: Option<LockProbe>, // the callee's lock file, opened before its segment
}

impl Conn {
    /// Open, validate, check the callee's contract against `contract`, and attach
    /// (VACANT -> ATTACHED); starts the completion reader.
    pub fn connect(name: &str, timeout: Duration, contract: &Contract) -> Result<Arc<Conn>, ShmError> {
        let names = Names::parse(name)?;
        // Before the segment: a callee creates its lock file first, so the file probed is
        // that of the segment's callee or of an earlier one (reported gone), never a later one.
        let callee_lock = LockProbe::open(&names.callee_lock());
        let map = Mapping::open(&names)?;
        let g = read_geometry(&map)?;
        check_contract(&map, &names.segment(), contract)?;
        let callee_bell = Bell::open(&names.callee_bell(), l::HEADER_CALLEE_PARKED)?;
        let caller_bell = Bell::open(&names.caller_bell(), l::HEADER_CALLER_PARKED)?;
        let lock = OwnerLock::take(&names.caller_lock(std::process::id()))?;
        let conn = Conn::new(map, g, names, callee_bell, caller_bell, Some(lock), callee_lock);
        conn.attach(timeout)?;
        let conn = Arc::new(conn);
        let reader = Arc::clone(&conn);
        let handle = std::thread::Builder::new()
            .name(format!("r2g-shm-reader-{}", conn.names.stem))
            .spawn(move || reader.read_completions())
            .map_err(|e| ShmError::Os(format!("spawn completion reader: {e}")))?;
        let _ = conn.reader.set(handle.thread().clone());
        Ok(conn)
    }

    /// A connection on a validated mapping, not attached yet, with no reader thread.
    fn new(
        map: Mapping,
        g: Geometry,
        names: Names,
        callee_bell: Bell,
        caller_bell: Bell,
        lock: Option<OwnerLock>,
        callee_lock: Option<LockProbe>,
    ) -> Conn {
        let ring = |off: usize, cap: usize| Ring { off, mask: cap as u64 - 1, cap: cap as u64 };
        let recs = (0..g.slot_count)
            .map(|_| SlotRec {
                state: AtomicU32::new(REC_FREE),
                waiter: Mutex::new(Waiter::None),
                reply: Mutex::new(Reply::default()),
            })
            .collect();
        let generations = (0..g.slot_count)
            .map(|i| {
                let w = map.u64(g.slot_table_offset + i * l::SLOT_SIZE + l::SLOT_WORD_OFFSET);
                AtomicU32::new((w.load(Ordering::Acquire) >> 32) as u32)
            })
            .collect();
        Conn {
            req_ring: ring(g.request_ring_offset, g.request_ring_capacity),
            comp_ring: ring(g.completion_ring_offset, g.completion_ring_capacity),
            map,
            geometry: g,
            names,
            callee_bell,
            caller_bell,
            recs,
            generations,
            free: Mutex::new(FreeList { free: (0..g.slot_count as u32).rev().collect(), waiters: Default::default(), owed: 0 }),
            owed: AtomicBool::new(false),
            reader_asleep: AtomicBool::new(false),
            in_flight: AtomicU32::new(0),
            pollers: AtomicU32::new(0),
            reader_idle: AtomicBool::new(false),
            reader: std::sync::OnceLock::new(),
            helped: AtomicU64::new(0),
            dead: Mutex::new(None),
            is_dead: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            lock: Mutex::new(lock),
            callee_lock,
        }
    }

    fn hdr(&self, off: usize) -> &AtomicU32 {
        self.map.u32(off)
    }

    fn callee_problem(&self) -> Option<String> {
        let state = self.hdr(l::HEADER_SEGMENT_STATE).load(Ordering::Acquire);
        if state == l::SEGMENT_STATE_CLOSED || state == l::SEGMENT_STATE_CREATING {
            return Some(format!("callee of {} is closed", self.names.segment()));
        }
        if !self.callee_lock.as_ref().is_some_and(LockProbe::alive) {
            let pid = self.hdr(l::HEADER_CALLEE_PID).load(Ordering::Acquire);
            return Some(format!("callee pid {pid} of {} is gone", self.names.segment()));
        }
        None
    }

    /// caller state machine (shm/session.py): claim caller_pid (0 -> own pid, or a dead
    /// claimer's pid -> own pid), then VACANT -CAS-> ATTACHED, store the pid again (a
    /// callee's reset may clear a claim), session += 1. A claim always names a lock file
    /// the OS releases at death, so a caller dying mid-attach never blocks the next one.
    fn attach(&self, timeout: Duration) -> Result<(), ShmError> {
        let deadline = Instant::now() + timeout;
        let state = self.hdr(l::HEADER_CALLER_STATE);
        let pid = self.hdr(l::HEADER_CALLER_PID);
        let me = std::process::id();
        loop {
            if let Some(p) = self.callee_problem() {
                return Err(ShmError::PeerGone(p));
            }
            if state.load(Ordering::Acquire) == l::CALLER_STATE_VACANT && self.claim(me) {
                if state
                    .compare_exchange(l::CALLER_STATE_VACANT, l::CALLER_STATE_ATTACHED, Ordering::SeqCst, Ordering::Acquire)
                    .is_ok()
                {
                    pid.store(me, Ordering::Release);
                    self.hdr(l::HEADER_SESSION).fetch_add(1, Ordering::SeqCst);
                    return self.check_ring_positions();
                }
                let _ = pid.compare_exchange(me, 0, Ordering::SeqCst, Ordering::Acquire); // give the claim back
            }
            if Instant::now() > deadline {
                return Err(ShmError::PeerGone(format!("{} already has a caller", self.names.segment())));
            }
            self.callee_bell.ring(&self.map); // let the callee notice and recycle
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Own caller_pid while caller_state is VACANT; false: another attacher holds it.
    fn claim(&self, me: u32) -> bool {
        let pid = self.hdr(l::HEADER_CALLER_PID);
        let cur = pid.load(Ordering::Acquire);
        if cur == me {
            return true;
        }
        let dead_claimer = cur != 0 && !lock_alive(&self.names.caller_lock(cur));
        if (cur != 0 && !dead_claimer) || pid.compare_exchange(cur, me, Ordering::SeqCst, Ordering::Acquire).is_err() {
            return false;
        }
        if dead_claimer {
            remove_if_dead(&self.names.caller_lock(cur));
        }
        true
    }

    /// caller: ATTACHED|BROKEN -CAS-> DETACHED (never a plain store: the callee may have
    /// recycled this session already and a new caller be ATTACHED); ring the callee.
    fn detach(&self) {
        let state = self.hdr(l::HEADER_CALLER_STATE);
        for from in [l::CALLER_STATE_ATTACHED, l::CALLER_STATE_BROKEN] {
            if state.compare_exchange(from, l::CALLER_STATE_DETACHED, Ordering::SeqCst, Ordering::Acquire).is_ok() {
                break;
            }
        }
        self.callee_bell.ring(&self.map);
    }

    /// The callee broke the protocol, or marked this session BROKEN over one: nothing
    /// in the rings can be trusted, so every pending call fails now with `why` (the
    /// field and its value) and we detach so the callee can recycle the segment.
    fn violation(&self, why: String) {
        self.detach(); // first: once the calls fail, the process may exit at any moment
        self.declare_dead(format!("protocol violation: {why}"));
    }

    /// The cheap check after every park: the callee ended this session.
    fn broken(&self) -> bool {
        if self.hdr(l::HEADER_CALLER_STATE).load(Ordering::Acquire) != l::CALLER_STATE_BROKEN {
            return false;
        }
        self.violation(format!("the callee of {} ended this session (its log says why)", self.names.segment()));
        true
    }

    fn check_ring_positions(&self) -> Result<(), ShmError> {
        for (name, r) in [("request_ring", &self.req_ring), ("completion_ring", &self.comp_ring)] {
            let enq = self.map.u64(r.off + l::RING_ENQUEUE_POS).load(Ordering::Acquire);
            let deq = self.map.u64(r.off + l::RING_DEQUEUE_POS).load(Ordering::Acquire);
            let depth = enq.wrapping_sub(deq) as i64;
            if depth < 0 || depth as u64 > r.cap {
                return Err(ShmError::Layout(format!("{name}.enqueue_pos={enq} dequeue_pos={deq}: depth outside 0..={}", r.cap)));
            }
        }
        Ok(())
    }

    fn check_dead(&self) -> Result<(), ShmError> {
        if self.is_dead.load(Ordering::Acquire) {
            let why = self.dead.lock().unwrap_or_else(|e| e.into_inner()).clone();
            return Err(ShmError::PeerGone(why.unwrap_or_default()));
        }
        Ok(())
    }

    pub fn is_dead(&self) -> bool {
        self.is_dead.load(Ordering::Acquire)
    }

    /// Calls (including abandoned ones) whose completion has not been popped yet.
    pub fn in_flight(&self) -> u32 {
        self.in_flight.load(Ordering::Acquire)
    }

    /// Slots on the free list: all of them once every call was answered and its reply
    /// read (or its consumer dropped).
    pub fn free_slots(&self) -> usize {
        self.free.lock().unwrap_or_else(|e| e.into_inner()).free.len()
    }

    pub fn request_capacity(&self) -> usize {
        self.geometry.request_capacity
    }

    /// Abandon what is pending, wait (bounded) for those slots, detach, stop the reader.
    pub fn close(&self, settle: Duration) {
        for (i, rec) in self.recs.iter().enumerate() {
            if rec.state.load(Ordering::Acquire) == REC_SENT {
                self.mark(i as u32, self.generations[i].load(Ordering::Acquire), l::SLOT_STATE_ABANDONED);
            }
        }
        let deadline = Instant::now() + settle;
        while self.in_flight() > 0 && !self.is_dead() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_micros(200));
        }
        if !self.is_dead() {
            self.detach(); // the callee recycles the segment
        }
        self.stop.store(true, Ordering::Release);
        self.caller_bell.post_self();
        if let Some(t) = self.reader.get() {
            t.unpark();
        }
        self.declare_dead("connection closed".into());
        // Our lock file goes now, not when the reader thread lets go of the Arc.
        drop(self.lock.lock().unwrap_or_else(|e| e.into_inner()).take());
    }
}
