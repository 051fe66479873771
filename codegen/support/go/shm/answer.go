// ---- answering a request ----

//	slot     PENDING -CAS (gen,PENDING)->(gen,DONE)-> DONE, then push one REPLY cell;
//	         CAS failure = ABANDONED: reply dropped, completion still pushed
//
// Handlers read their arguments in place from the request area and write their reply
// into the response area.

// take answers one request cell, running its handler inline; false when this poller
// was demoted meanwhile (watchdog).
func (s *r2g_shm_server) take(c r2g_shm_cell) bool {
	if uintptr(c.slot) >= s.g.slots { // cannot be answered, so its call would never end
		s.violation(fmt.Sprintf("request_ring cell.slot=%d is not below header.slot_count=%d", c.slot, s.g.slots))
		return true
	}
	if uintptr(c.length) > s.g.reqCap || (c.kind != r2g_shm_CELL_KIND_CALL && c.kind != r2g_shm_CELL_KIND_ONEWAY) {
		s.answer(c, r2g_shm_CALL_STATUS_HANDLER_ERROR, s.respArea(c.slot)[:copy(s.respArea(c.slot), "malformed request cell")])
		return true
	}
	// A CAS of PENDING onto itself, not a load: the same test, but it takes the slot's
	// cache line exclusive now, so answer's PENDING -> DONE finds it here instead of
	// asking the caller's core for it a second time (one coherence round trip less per
	// call; the word's value never changes, so the state machine is untouched).
	pending := uint64(c.gen)<<32 | uint64(r2g_shm_SLOT_STATE_PENDING)
	if !atomic.CompareAndSwapUint64(s.slotWord(c.slot), pending, pending) {
		s.finish(c, r2g_shm_CALL_STATUS_ABANDONED, 0) // caller gave up before we started
		return true
	}
	s.inflight.Add(1)
	tok := uint64(c.gen)<<32 | uint64(c.slot+1) // unique per call; never 0
	s.inline.Store(tok)
	s.run(c)
	return s.inline.CompareAndSwap(tok, 0)
}

func (s *r2g_shm_server) reqArea(slot uint32) []byte {
	start := s.g.payloadOff + uintptr(slot)*s.g.stride
	return s.mem[start : start+s.g.reqCap : start+s.g.reqCap]
}

func (s *r2g_shm_server) respArea(slot uint32) []byte {
	start := s.g.payloadOff + uintptr(slot)*s.g.stride + r2g_shm_align(s.g.reqCap)
	return s.mem[start : start+s.g.respCap : start+s.g.respCap]
}

func (s *r2g_shm_server) run(c r2g_shm_cell) {
	defer s.inflight.Done()
	resp := s.respArea(c.slot)
	n, status, msg := func() (n int, status uint32, msg string) {
		defer func() {
			if r := recover(); r != nil {
				n, status, msg = 0, r2g_shm_CALL_STATUS_HANDLER_ERROR, fmt.Sprint("go panic: ", r)
			}
		}()
		return s.handle(c.method, s.reqArea(c.slot)[:c.length], resp)
	}()
	if status != r2g_shm_CALL_STATUS_OK {
		n = copy(resp, msg)
	} else if c.kind == r2g_shm_CELL_KIND_ONEWAY {
		n = 0
	}
	s.answer(c, status, resp[:n])
}

// answer: PENDING -CAS-> DONE (or ABANDONED, reply dropped), then one REPLY cell.
func (s *r2g_shm_server) answer(c r2g_shm_cell, status uint32, reply []byte) {
	old := uint64(c.gen)<<32 | uint64(r2g_shm_SLOT_STATE_PENDING)
	if !atomic.CompareAndSwapUint64(s.slotWord(c.slot), old, uint64(c.gen)<<32|uint64(r2g_shm_SLOT_STATE_DONE)) {
		status, reply = r2g_shm_CALL_STATUS_ABANDONED, nil
	}
	s.finish(c, status, uint32(len(reply)))
}

func (s *r2g_shm_server) finish(c r2g_shm_cell, status, length uint32) {
	if s.broken.Load() {
		return // the caller failed this call already; the rings are to be reset
	}
	reply := r2g_shm_cell{c.slot, c.gen, c.method, length, r2g_shm_CELL_KIND_REPLY, status}
	// capacity >= slot_count and one completion per slot: full only if the caller
	// breaks the protocol; wait a little for it, then end the session.
	var deadline time.Time
	for {
		got, bad := s.push(s.g.compRingOff, s.g.compRingCap, reply)
		if got == 1 {
			break
		}
		if got < 0 {
			s.violation(bad)
			return
		}
		s.ringCaller()
		if now := time.Now(); deadline.IsZero() {
			deadline = now.Add(r2g_shm_FULL_PATIENCE)
		} else if now.After(deadline) {
			s.violation(fmt.Sprintf("completion_ring stayed full for %v although each of "+
				"header.slot_count=%d slots has at most one completion in it", r2g_shm_FULL_PATIENCE, s.g.slots))
			return
		}
		if s.broken.Load() || s.stop.Load() {
			return
		}
		runtime.Gosched()
	}
	s.ringCaller()
}
