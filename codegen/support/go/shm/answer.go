// ---- answering a request ----

//	slot     read, never written: (gen, ABANDONED) before the handler = skipped, after
//	         it = reply dropped; either way one REPLY cell is pushed (a reply of at most
//	         CELL_INLINE_MAX bytes is written into it then), status ABANDONED when marked
//
// Integrity (docs/shm-layout.md): a request is copied into the poller's scratch, its
// check computed from the words as they are stored there: out of the cell by pop, before
// the cell is released, when it travels there (length <= CELL_INLINE_MAX), else out of
// the slot's request area by take. The handler decodes only that copy and encodes its
// reply into scratch; the completion's check is computed from the scratch words as they
// are copied into the completion cell by push (a short reply) or into the response area
// by answer (a longer one, which alone uses the area). So no byte another process
// changes after a check can reach a handler or a caller unchecked.

// r2g_shm_scratch: one poller's private request and reply bytes, grown on demand (never
// past the areas' capacities). A poller takes one when it starts and gives it back when
// it exits, so answering allocates nothing in steady state.
type r2g_shm_scratch struct {
	req, resp       []byte
	reqCap, respCap int
}

// r2g_shm_grow: b resized to n bytes (contents not kept), reallocated when too small to
// at least twice its capacity (8-aligned: numeric slices are viewed in place), at most limit.
func r2g_shm_grow(b []byte, n, limit int) []byte {
	if cap(b) >= n {
		return b[:n]
	}
	c := 2 * cap(b)
	if c > limit {
		c = limit
	}
	if c < n {
		c = n
	}
	return make([]byte, n, r2g_shm_round8(c))
}

func (w *r2g_shm_scratch) request(n int) []byte {
	w.req = r2g_shm_grow(w.req, n, w.reqCap)
	return w.req
}

// keep gives the request copy to the handler's values (decoded strings and numeric
// slices view it): it is never reused, so nothing a handler keeps changes under it.
func (w *r2g_shm_scratch) keep() { w.req = nil }

// reply: n private bytes for a reply (not zeroed), n <= respCap.
func (w *r2g_shm_scratch) reply(n int) []byte {
	w.resp = r2g_shm_grow(w.resp, n, w.respCap)
	return w.resp
}

func (s *r2g_shm_server) getScratch() *r2g_shm_scratch {
	if w, ok := s.scratch.Get().(*r2g_shm_scratch); ok {
		return w
	}
	return &r2g_shm_scratch{reqCap: int(s.g.reqCap), respCap: int(s.g.respCap)}
}

// takes: whether request cell c names a slot, a length and a kind take answers (the
// range checks, made before any payload byte is read).
func (s *r2g_shm_server) takes(c r2g_shm_cell) bool {
	return uintptr(c.slot) < s.g.slots && uintptr(c.length) <= s.g.reqCap &&
		(c.kind == r2g_shm_CELL_KIND_CALL || c.kind == r2g_shm_CELL_KIND_ONEWAY)
}

// take answers one request cell popped with w (sum: pop's check of the copy it made of a
// payload that travelled in the cell), running its handler inline on w; false when this
// poller was demoted meanwhile (watchdog).
func (s *r2g_shm_server) take(c r2g_shm_cell, sum uint64, w *r2g_shm_scratch) bool {
	if !s.takes(c) {
		if uintptr(c.slot) >= s.g.slots { // cannot be answered, so its call would never end
			s.violation(fmt.Sprintf("request_ring cell.slot=%d is not below header.slot_count=%d", c.slot, s.g.slots))
		} else {
			s.answerMsg(c, r2g_shm_CALL_STATUS_HANDLER_ERROR, "malformed request cell", w)
		}
		return true
	}
	var req []byte
	if uintptr(c.length) <= r2g_shm_CELL_INLINE_MAX {
		req = w.req // pop copied it out of the cell
	} else {
		req = w.request(int(c.length))
		sum = r2g_shm_copy_check64(&c, req, s.reqArea(c.slot)[:c.length])
	}
	if sum != c.check {
		s.violation(fmt.Sprintf("request_ring cell.check=0x%016x of slot %d does not match 0x%016x, "+
			"the check64 of its fields and its %d request bytes", c.check, c.slot, sum, c.length))
		return true
	}
	if s.abandoned(c) {
		s.finish(c, r2g_shm_CALL_STATUS_ABANDONED) // caller gave up before we started
		return true
	}
	s.inflight.Add(1)
	tok := uint64(c.gen)<<32 | uint64(c.slot+1) // unique per call; never 0
	s.inline.Store(tok)
	s.run(c, req, w)
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

func (s *r2g_shm_server) run(c r2g_shm_cell, req []byte, w *r2g_shm_scratch) {
	defer s.inflight.Done()
	n, status, msg := func() (n int, status uint32, msg string) {
		defer func() {
			if r := recover(); r != nil {
				n, status, msg = 0, r2g_shm_CALL_STATUS_HANDLER_ERROR, fmt.Sprint("go panic: ", r)
			}
		}()
		return s.handle(c.method, req, w)
	}()
	if status != r2g_shm_CALL_STATUS_OK {
		s.answerMsg(c, status, msg, w)
		return
	}
	if c.kind == r2g_shm_CELL_KIND_ONEWAY {
		n = 0
	}
	s.answer(c, status, w.resp[:n])
}

// answerMsg answers with a message (HANDLER_ERROR and the like) cut to the response capacity.
func (s *r2g_shm_server) answerMsg(c r2g_shm_cell, status uint32, msg string, w *r2g_shm_scratch) {
	n := len(msg)
	if n > w.respCap {
		n = w.respCap
	}
	b := w.reply(n)
	copy(b, msg)
	s.answer(c, status, b)
}

// abandoned: whether the caller marked c's call ABANDONED. A load of a word that only a
// cancellation writes: the slot's line stays shared with the caller and costs no trip
// between the cores on a call nobody cancels.
func (s *r2g_shm_server) abandoned(c r2g_shm_cell) bool {
	return atomic.LoadUint64(s.slotWord(c.slot)) == uint64(c.gen)<<32|uint64(r2g_shm_SLOT_STATE_ABANDONED)
}

// answer: a private reply longer than CELL_INLINE_MAX into the response area (checked in
// the same pass), then one REPLY cell, which carries a shorter reply itself (push copies
// and checks it); status ABANDONED and no reply if the caller marked the call meanwhile.
func (s *r2g_shm_server) answer(c r2g_shm_cell, status uint32, reply []byte) {
	done := r2g_shm_reply_cell(c, status, len(reply))
	if len(reply) > int(r2g_shm_CELL_INLINE_MAX) {
		done.check = r2g_shm_copy_check64(&done, s.respArea(c.slot), reply)
	}
	if s.abandoned(c) {
		s.finish(c, r2g_shm_CALL_STATUS_ABANDONED)
		return
	}
	s.complete(done, reply)
}

// r2g_shm_reply_cell: the completion of c with status, announcing n payload bytes (no check yet).
func r2g_shm_reply_cell(c r2g_shm_cell, status uint32, n int) r2g_shm_cell {
	return r2g_shm_cell{slot: c.slot, gen: c.gen, method: c.method, length: uint32(n),
		kind: r2g_shm_CELL_KIND_REPLY, status: status}
}

// finish pushes the completion of c with status and no reply.
func (s *r2g_shm_server) finish(c r2g_shm_cell, status uint32) {
	s.complete(r2g_shm_reply_cell(c, status, 0), nil)
}

// complete pushes the completion cell reply with its payload (push: in the cell when
// short, its check computed there; else already in the response area, reply.check set).
func (s *r2g_shm_server) complete(reply r2g_shm_cell, payload []byte) {
	if s.broken.Load() {
		return // the caller failed this call already; the rings are to be reset
	}
	// capacity >= slot_count and one completion per slot: full only if the caller
	// breaks the protocol; wait a little for it, then end the session.
	var deadline time.Time
	for {
		got, bad := s.push(s.g.compRingOff, s.g.compRingCap, reply, payload)
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
