// ---- the completion reader ------------------------------------------------------
// One completion-reader thread per connection is the caller side's only parker on the
// caller doorbell. A blocking call polls the completion ring itself while it spins
// (`pollers` counts such calls), so its reply needs no hand-off; whoever pops a
// completion (reader, polling caller or helper) copies a short reply out of the cell
// as it pops it, stores FREE in that slot's word, copies a longer reply out of the
// slot's response area, verifies the check of its private copy, hands the copy to the
// slot's record and marks it READY (`SlotRec`); the call's own thread then takes the
// copy, returns the slot to the free list and decodes the copy (a slot is reused only
// after the callee answered it and its reply was copied out).
// reader   in_flight <= pollers (every call covered, or none): idle=1; re-check; park
//          the thread locally (caller_parked stays 0: the callee posts nothing; for
//          IDLE_PARK when nothing is in flight, else PARK_MS); idle=0
//          otherwise spin 50 µs (clock and yield every SPIN_CHECK looks), then park on the
//          caller doorbell (the bell protocol of `Bell`)
// waker    whoever makes in_flight > pollers (an async/oneway submit, a blocking call
//          that stops polling unanswered): if idle && swap(idle,0) { unpark reader }
// helpers  a polled async call that is not done pops up to HELP_BATCH completions on its
//          executor thread (wakes stay local there); while helpers pop HELP_BUSY+ between
//          two reader looks, the reader naps HELP_NAP instead of spinning. Helping is only
//          an optimisation: the reader alone still covers every call.
impl Conn {
    // -- the completion reader (this side's only parker) -------------------------
    fn read_completions(self: Arc<Self>) {
        let mut idle_since: Option<Instant> = None;
        let mut helped = 0u64;
        let mut spins = 0u32;
        let mut owed_since: Option<Instant> = None;
        let mut looks = 0u32;
        while !self.stop.load(Ordering::Acquire) {
            // Slots freed while callers waited and still free after OWED_GRACE (no
            // newcomer took them): wake that many waiters. The clock only every 16 looks.
            looks = looks.wrapping_add(1);
            if !self.owed.load(Ordering::Acquire) {
                owed_since = None;
            } else if looks & 15 == 0 && owed_since.get_or_insert_with(Instant::now).elapsed() >= OWED_GRACE {
                self.pay_owed_wakes();
                owed_since = None;
            }
            match self.pop_completion() {
                Ok(true) => {
                    idle_since = None;
                    continue;
                }
                Ok(false) => {}
                Err(e) => {
                    self.declare_dead(format!("completion ring corrupt: {e}"));
                    return;
                }
            }
            if self.hdr(l::HEADER_SEGMENT_STATE).load(Ordering::Acquire) == l::SEGMENT_STATE_CLOSED
                && self.comp_ring.is_empty(&self.map)
            {
                self.declare_dead(format!("callee of {} closed", self.names.segment()));
                return;
            }
            if self.in_flight.load(Ordering::SeqCst) <= self.pollers.load(Ordering::SeqCst) {
                // Covered (or nothing in flight): park locally; the doorbell stays quiet.
                self.wake_slot_waiters(true); // the FreeList progress net
                self.reader_idle.store(true, Ordering::SeqCst);
                let t = Instant::now();
                let in_flight = self.in_flight.load(Ordering::SeqCst);
                if in_flight <= self.pollers.load(Ordering::SeqCst) && !self.stop.load(Ordering::Acquire) {
                    // Nothing in flight: nobody waits for a slot either (all are free and
                    // the waiters were just woken), so only the idle probe is due.
                    let rest = if in_flight == 0 { IDLE_PARK } else { PARK };
                    std::thread::park_timeout(rest);
                }
                self.reader_idle.store(false, Ordering::SeqCst);
                idle_since = None;
                let probe = t.elapsed() >= PARK;
                if probe && self.broken() {
                    return;
                }
                if let Some(p) = probe.then(|| self.callee_problem()).flatten() {
                    self.declare_dead(p); // the idle liveness probe
                    return;
                }
                continue;
            }
            // Executor threads drained HELP_BUSY+ completions since the last look:
            // they keep up, so leave them the CPU for a nap instead of spinning (a
            // short one: a lull then costs at most HELP_NAP of extra latency).
            let now_helped = self.helped.load(Ordering::Relaxed);
            if now_helped.wrapping_sub(helped) >= HELP_BUSY {
                helped = now_helped;
                idle_since = None;
                if owed_since.is_some_and(|t| t.elapsed() >= OWED_GRACE) {
                    self.pay_owed_wakes();
                    owed_since = None;
                }
                std::thread::park_timeout(HELP_NAP);
                continue;
            }
            helped = now_helped;
            // The clock (~25 ns a read) and a yield only every SPIN_CHECK looks, so the
            // many short gaps of a busy ring cost no clock read; the yield leaves the
            // core to the executor threads that produce the calls if they wait for it.
            spins = spins.wrapping_add(1);
            if spins & (SPIN_CHECK - 1) != 0 {
                std::hint::spin_loop();
                continue;
            }
            let start = *idle_since.get_or_insert_with(Instant::now);
            if start.elapsed() < SPIN {
                std::thread::yield_now();
                continue;
            }
            let ready = || {
                self.stop.load(Ordering::Acquire)
                    || !self.comp_ring.is_empty(&self.map)
                    || self.hdr(l::HEADER_SEGMENT_STATE).load(Ordering::Acquire) != l::SEGMENT_STATE_SERVING
                    || self.hdr(l::HEADER_CALLER_STATE).load(Ordering::Acquire) != l::CALLER_STATE_ATTACHED
            };
            // Asleep, the reader pays no owed wake-up: what is owed now is paid first, and
            // a release from now on pays its own (a SeqCst pair with the owed flag).
            self.reader_asleep.store(true, Ordering::SeqCst);
            self.pay_owed_wakes();
            let woke = self.caller_bell.park(&self.map, ready, PARK_MS);
            self.reader_asleep.store(false, Ordering::SeqCst);
            idle_since = None;
            if self.broken() {
                return;
            }
            if woke {
                continue;
            }
            if let Some(p) = self.callee_problem() {
                self.declare_dead(p);
                return;
            }
        }
    }

    /// Pop one completion and complete it on this thread; false when the ring is empty.
    /// A short reply is copied into this thread's private buffer by the pop itself.
    fn pop_completion(&self) -> Result<bool, ShmError> {
        let mut copy = take_private(&PRIVATE_REPLY);
        let popped = self.comp_ring.try_pop(&self.map, &mut copy);
        let refused = match &popped {
            Ok(Some((c, inline_check))) => self.complete(*c, *inline_check, &mut copy),
            _ => None,
        };
        put_private(&PRIVATE_REPLY, copy);
        if let Some(why) = refused {
            self.violation(format!("callee of {} wrote completion_ring {why}", self.names.segment()));
        }
        popped.map(|p| p.is_some())
    }

    /// Complete a popped cell: `inline_check` is the check64 of its short reply as the
    /// pop copied it into `copy`, None when the reply is in the slot's response area.
    /// Why the cell is a protocol violation, if it is.
    fn complete(&self, c: Cell, inline_check: Option<u64>, copy: &mut Vec<u8>) -> Option<String> {
        if c.slot as usize >= self.recs.len() {
            return Some(format!("cell.slot={} is not below header.slot_count={}", c.slot, self.recs.len()));
        } else if c.length as usize > self.geometry.response_capacity {
            return Some(format!("cell.length={} exceeds header.response_capacity={}", c.length, self.geometry.response_capacity));
        } else if c.kind != l::CELL_KIND_REPLY {
            return Some(format!("cell.kind={} is not REPLY ({})", c.kind, l::CELL_KIND_REPLY));
        }
        let current = self.generations[c.slot as usize].load(Ordering::Acquire) == c.generation;
        // Verified whatever becomes of it (an abandoned call's, a stale one's): a cell
        // that fails its check is a callee, or a third party, writing what it should not.
        let want = match inline_check {
            Some(want) => want,
            None => self.map.copy_out_check64(self.response_area(c.slot), &c, copy),
        };
        if let Some(why) = check_refused(&c, want) {
            return Some(why);
        }
        if current {
            self.hand_over(&c, copy);
        } // else a stale completion (an older session or generation) is dropped
        None
    }

    /// A verified completion of the slot's current call: the reply (swapped with `copy`)
    /// to its consumer, or the slot back to the free list if nobody waits for it.
    fn hand_over(&self, c: &Cell, copy: &mut Vec<u8>) {
        // The cell's status says what the callee did (a reply, a handler error text, or
        // ABANDONED, CALLEE_CLOSING: no bytes); the slot word is not read here, nor
        // written unless this call was abandoned.
        let rec = &self.recs[c.slot as usize];
        let mut reply = rec.reply.lock().unwrap_or_else(|e| e.into_inner());
        match rec.state.compare_exchange(REC_SENT, REC_READY, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => {
                reply.status = c.status;
                std::mem::swap(&mut reply.bytes, copy);
                drop(reply);
                self.in_flight.fetch_sub(1, Ordering::AcqRel);
                rec.take_waiter().wake();
            }
            Err(REC_DROPPED) => {
                drop(reply);
                // ABANDONED -> FREE before the slot's generation can come round again.
                self.mark(c.slot, c.generation, l::SLOT_STATE_FREE);
                self.in_flight.fetch_sub(1, Ordering::AcqRel);
                rec.state.store(REC_FREE, Ordering::Release);
                self.release(c.slot);
            }
            // DEAD: declare_dead failed this call already (the slot is never reused);
            // FREE/READY: a broken callee sent a second completion for it.
            Err(_) => {}
        }
    }

    fn declare_dead(&self, why: String) {
        {
            let mut d = self.dead.lock().unwrap_or_else(|e| e.into_inner());
            if d.is_none() {
                *d = Some(why.clone());
            }
        }
        self.is_dead.store(true, Ordering::Release);
        for rec in &self.recs {
            for from in [REC_SENT, REC_DROPPED] {
                if rec.state.compare_exchange(from, REC_DEAD, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                    self.in_flight.fetch_sub(1, Ordering::AcqRel);
                    rec.take_waiter().wake();
                }
            }
        }
        let waiters = std::mem::take(&mut self.free.lock().unwrap_or_else(|e| e.into_inner()).waiters);
        waiters.into_iter().for_each(SlotWaiter::wake);
    }

    /// The waker rule (the comment on `impl Conn` here): a SeqCst Dekker pair with the
    /// reader's idle=1; re-check, so a call is never left without a poller.
    fn wake_reader(&self) {
        let uncovered = self.in_flight.load(Ordering::SeqCst) > self.pollers.load(Ordering::SeqCst);
        let claimed = uncovered && self.reader_idle.load(Ordering::SeqCst) && self.reader_idle.swap(false, Ordering::SeqCst);
        if let Some(t) = self.reader.get().filter(|_| claimed) {
            t.unpark();
        }
    }

    /// Pop and complete up to `max` completions on this thread; how many, or the
    /// ring's corruption (after `popped` good ones, which were completed).
    fn pop_completions(&self, max: usize) -> Result<usize, ShmError> {
        let mut popped = 0;
        while popped < max {
            if !self.pop_completion()? {
                break;
            }
            popped += 1;
        }
        Ok(popped)
    }

    /// Drain the completion ring on this thread (a polling blocking call); false once
    /// the ring is corrupt (the connection is then dead).
    fn drain_completions(&self) -> bool {
        match self.pop_completions(usize::MAX) {
            Ok(_) => true,
            Err(e) => {
                self.declare_dead(format!("completion ring corrupt: {e}"));
                false
            }
        }
    }

    /// Pop what completions there are, at most HELP_BATCH (an executor thread helping
    /// the reader); a corrupt ring is left for the reader to declare.
    fn help_drain(&self) {
        if let Ok(popped @ 1..) = self.pop_completions(HELP_BATCH) {
            self.helped.fetch_add(popped as u64, Ordering::Relaxed);
        }
    }
}
