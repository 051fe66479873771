// ---- slots: the slot word in shm and this side's record of each slot -------
// slot   FREE -store-release(generation,ABANDONED)-> ABANDONED   caller, future dropped
//        ABANDONED -store-release(generation,FREE)-> FREE        the reader, its completion popped
//        (a call nobody cancels leaves the word alone: the callee only reads it, so its
//        line stays in both cores' caches instead of crossing twice per call)
enum Waiter {
    None,
    Task(Waker),
    Thread(std::thread::Thread),
}

impl Waiter {
    fn wake(self) {
        match self {
            Waiter::None => {}
            Waiter::Task(w) => w.wake(),
            Waiter::Thread(t) => t.unpark(),
        }
    }
}

// Where a slot's call is, on this side (the callee's view is the slot word in shm).
// The popper of a completion copies the reply out of its cell (a short one) or the
// slot's response area and verifies its check; the winner of SENT -> READY hands that
// private copy to the record (`Reply`), and the call's own thread decodes it from there:
//
//   FREE -submit-> SENT (a consumer waits) | DROPPED (oneway: nobody reads the reply)
//   SENT -popper CAS-> READY -consumer reads the reply, frees-> FREE
//   SENT -consumer dropped, CAS-> DROPPED -popper frees-> FREE (slot word ABANDONED first)
//   SENT|DROPPED -declare_dead CAS-> DEAD (never reused: the connection is finished)
// Each CAS has exactly one winner, which does the step's bookkeeping (in_flight -= 1
// for a popped or failed call, the free list push for a freed slot). Every
// interleaving of two calls sharing a slot, with two poppers, is explored by
// tests/shm_codegen/test_slot_record_model.py (change both together).
const REC_FREE: u32 = 0;
const REC_SENT: u32 = 1;
const REC_READY: u32 = 2;
const REC_DROPPED: u32 = 3;
const REC_DEAD: u32 = 4;

struct SlotRec {
    state: AtomicU32,
    waiter: Mutex<Waiter>, // who to wake on READY or DEAD
    // Held by the popper across SENT -> READY and the hand-over of its copy, so the
    // consumer, which takes it after seeing READY, finds the reply that made it READY.
    reply: Mutex<Reply>,
}

/// A completion's status and its verified private copy of the reply bytes.
#[derive(Default)]
struct Reply {
    status: u32,
    bytes: Vec<u8>,
}

impl SlotRec {
    /// The registered waiter, leaving none (the caller wakes or drops it).
    fn take_waiter(&self) -> Waiter {
        std::mem::replace(&mut *self.waiter.lock().unwrap_or_else(|e| e.into_inner()), Waiter::None)
    }
}

enum ReplyState {
    Ready,
    Dead,
    Pending,
}

enum SlotWaiter {
    Task(Waker),
    Thread(std::thread::Thread),
}

impl SlotWaiter {
    fn wake(self) {
        match self {
            SlotWaiter::Task(w) => w.wake(),
            SlotWaiter::Thread(t) => t.unpark(),
        }
    }
}

/// Free slots and the callers waiting for one (FIFO). A waiter registers only while no
/// slot is free, and a slot freed while some wait owes them a wake-up (`owed`), which a
/// newcomer taking a free slot cancels and the reader pays (one waiter per slot still
/// free) after OWED_GRACE. Progress when a woken waiter does not take its slot: a
/// waiting future dropped passes its wake on, and the reader wakes them all before it
/// parks idle (blocking callers re-try every PARK_MS anyway).
struct FreeList {
    free: Vec<u32>,
    waiters: std::collections::VecDeque<SlotWaiter>, // bounded by the callers waiting
    owed: usize, // slots freed while callers waited, no newcomer took, no waiter woken for
}

impl FreeList {
    /// The next waiter to wake while a slot is free.
    fn next_waiter(&mut self) -> Option<SlotWaiter> {
        if self.free.is_empty() { None } else { self.waiters.pop_front() }
    }
}

impl Conn {
    // -- slots ------------------------------------------------------------------
    /// A free slot, or None with the caller registered to be woken when one frees.
    /// `waited`: the caller was registered before (and woken), else it is a newcomer.
    fn try_alloc(&self, waker: Option<&Waker>, waited: bool) -> Result<Option<u32>, ShmError> {
        self.check_dead()?;
        let mut f = self.free.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = f.free.pop() {
            if !waited && f.owed > 0 {
                // A newcomer took a slot freed while others waited (typically the call
                // that freed it, calling again): the wake-up it owed them is void.
                f.owed -= 1;
                if f.owed == 0 {
                    self.owed.store(false, Ordering::Release);
                }
            }
            return Ok(Some(s));
        }
        f.waiters.push_back(match waker {
            Some(w) => SlotWaiter::Task(w.clone()),
            None => SlotWaiter::Thread(std::thread::current()),
        });
        Ok(None)
    }

    /// A slot back on the free list. Callers waiting for one are not woken here: the call
    /// that frees a slot usually takes it again at once, and a waiter woken for it would
    /// find none and queue again (a wasted wake-up per call). The wake-up is owed
    /// instead; the reader pays what is still owed OWED_GRACE later (or the release
    /// itself, while the reader sleeps on the doorbell).
    fn release(&self, slot: u32) {
        let owed = {
            let mut f = self.free.lock().unwrap_or_else(|e| e.into_inner());
            f.free.push(slot);
            let owed = !f.waiters.is_empty();
            if owed {
                f.owed += 1;
                self.owed.store(true, Ordering::SeqCst);
            }
            owed
        };
        if owed && self.reader_asleep.load(Ordering::SeqCst) {
            self.pay_owed_wakes(); // nobody else would for as long as the reader sleeps
        }
    }

    /// Wake as many waiters as slots were freed for them and are still free (the reader).
    fn pay_owed_wakes(&self) {
        if !self.owed.swap(false, Ordering::SeqCst) {
            return;
        }
        let woken: Vec<SlotWaiter> = {
            let mut f = self.free.lock().unwrap_or_else(|e| e.into_inner());
            let n = f.owed.min(f.free.len()).min(f.waiters.len());
            f.owed = 0;
            f.waiters.drain(..n).collect()
        };
        woken.into_iter().for_each(SlotWaiter::wake);
    }

    /// Pass a slot wake-up on (a waiting future was dropped), or wake every waiter.
    fn wake_slot_waiters(&self, all: bool) {
        let woken: Vec<SlotWaiter> = {
            let mut f = self.free.lock().unwrap_or_else(|e| e.into_inner());
            if f.free.is_empty() {
                return;
            }
            if all { f.waiters.drain(..).collect() } else { f.next_waiter().into_iter().collect() }
        };
        woken.into_iter().for_each(SlotWaiter::wake);
    }

    fn slot_word(&self, slot: u32) -> &AtomicU64 {
        let g = &self.geometry;
        self.map.u64(g.slot_table_offset + slot as usize * l::SLOT_SIZE + l::SLOT_WORD_OFFSET)
    }

    fn request_area(&self, slot: u32) -> usize {
        self.geometry.payload_offset + slot as usize * self.geometry.payload_stride
    }

    fn response_area(&self, slot: u32) -> usize {
        self.request_area(slot) + align64(self.geometry.request_capacity)
    }

    /// Encode the request into this thread's private buffer, publish, push, ring; the
    /// slot's record goes to `rec` (SENT, or DROPPED when nobody reads the reply). A
    /// short request is copied into its cell by the push, a longer one into the slot's
    /// request area here, each checked in the same pass as its copy.
    fn submit(&self, slot: u32, method: u32, kind: u32, size: usize, write: impl FnOnce(&mut [u8]), rec: u32) -> Result<u32, ShmError> {
        let gen_cell = &self.generations[slot as usize];
        let generation = gen_cell.load(Ordering::Relaxed).wrapping_add(1);
        let mut cell = Cell { slot, generation, method, length: size as u32, kind, status: 0, check: 0 };
        let mut private = take_private(&PRIVATE_REQUEST);
        if private.len() < size {
            private.resize(size, 0); // grows to the largest request, then stays
        }
        let request = &mut private[..size];
        write(request);
        if !is_inline(cell.length) {
            // The slot is ours (taken from the free list) until its reply is read.
            cell.check = self.map.copy_in_checked(self.request_area(slot), &cell, request);
        }
        gen_cell.store(generation, Ordering::Relaxed);
        self.recs[slot as usize].state.store(rec, Ordering::Release);
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let pushed = self.push_request(cell, request);
        put_private(&PRIVATE_REQUEST, private);
        pushed?;
        self.callee_bell.ring(&self.map);
        self.wake_reader(); // no-op when a polling blocking call covers this one
        Ok(generation)
    }

    /// Push a request cell (a short `request` into the cell itself), waiting while the
    /// ring is full: only a request ring smaller than the slot table can be (backpressure).
    fn push_request(&self, cell: Cell, request: &[u8]) -> Result<(), ShmError> {
        while !self.req_ring.try_push(&self.map, cell, request)? {
            self.check_dead()?; // the segment is finished: the slot is never reused
            self.callee_bell.ring(&self.map);
            std::thread::yield_now();
        }
        Ok(())
    }

    /// Where the call in `slot` is; registers `waiter` (under the record's lock, so
    /// a completion between the test and the registration still wakes it).
    fn reply_state(&self, slot: u32, waiter: impl FnOnce() -> Waiter) -> ReplyState {
        let rec = &self.recs[slot as usize];
        let now = |state: u32| match state {
            REC_READY => Some(ReplyState::Ready),
            REC_DEAD => Some(ReplyState::Dead),
            _ => None,
        };
        if let Some(r) = now(rec.state.load(Ordering::Acquire)) {
            return r;
        }
        let mut w = rec.waiter.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = now(rec.state.load(Ordering::Acquire)) {
            return r;
        }
        *w = waiter();
        ReplyState::Pending
    }

    fn is_ready(&self, slot: u32) -> bool {
        matches!(self.recs[slot as usize].state.load(Ordering::Acquire), REC_READY | REC_DEAD)
    }

    /// READY: take the verified copy of the reply, free the slot (READY -> FREE, back
    /// on the free list), decode the copy.
    fn read_reply<T>(&self, slot: u32, decode: impl FnOnce(&[u8]) -> Result<T, ShmError>) -> Result<T, ShmError> {
        // The record keeps this thread's spare buffer in exchange, for a later reply.
        let mut bytes = take_private(&PRIVATE_REPLY);
        let status = {
            let mut r = self.recs[slot as usize].reply.lock().unwrap_or_else(|e| e.into_inner());
            std::mem::swap(&mut r.bytes, &mut bytes);
            r.status
        };
        self.recs[slot as usize].state.store(REC_FREE, Ordering::Release);
        self.release(slot);
        let out = if status == l::CALL_STATUS_OK {
            decode(&bytes)
        } else {
            Err(ShmError::Remote(status, String::from_utf8_lossy(&bytes).into_owned()))
        };
        put_private(&PRIVATE_REPLY, bytes);
        out
    }

    /// The consumer of a SENT call gives up: ABANDONED in the slot word and SENT ->
    /// DROPPED (the popper clears the mark and frees the slot when the callee's answer
    /// arrives), or, if the reply is READY already, clear the mark and free the slot now.
    fn drop_call(&self, slot: u32, generation: u32) {
        let rec = &self.recs[slot as usize];
        // Our waker goes first, while the slot is certainly still ours: once DROPPED,
        // the popper may free the slot and a new call register its own waiter here,
        // which clearing after the CAS would lose (that call would never be woken).
        drop(rec.take_waiter());
        // The mark goes before the CAS: once DROPPED, the popper may clear the mark and
        // free the slot at once, and a mark stored after that would outlive its call.
        self.mark(slot, generation, l::SLOT_STATE_ABANDONED);
        match rec.state.compare_exchange(REC_SENT, REC_DROPPED, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => {}
            Err(REC_READY) => {
                self.mark(slot, generation, l::SLOT_STATE_FREE);
                rec.state.store(REC_FREE, Ordering::Release);
                self.release(slot);
            }
            Err(_) => {} // DEAD: never reused
        }
    }

    fn dead_error(&self) -> ShmError {
        let why = self.dead.lock().unwrap_or_else(|e| e.into_inner()).clone();
        ShmError::PeerGone(why.unwrap_or_else(|| "connection closed".into()))
    }

    /// The slot word (generation, state): ABANDONED makes the callee skip that call or drop
    /// its reply; FREE clears the mark once the call's completion came.
    fn mark(&self, slot: u32, generation: u32, state: u32) {
        self.slot_word(slot).store((generation as u64) << 32 | state as u64, Ordering::Release);
    }
}
