// ---- rings (the cell protocol of docs/shm-layout.md) ----

//	cell     EMPTY(seq=pos) -CAS enqueue_pos pos->pos+1-> CLAIMED -body written, with an
//	         inline payload; store seq=pos+1-> FULL -CAS dequeue_pos pos->pos+1-> TAKEN
//	         -body copied out, with an inline payload; store seq=pos+C-> EMPTY(seq=pos+C)
//	         (an inline payload: length <= CELL_INLINE_MAX, the slot's area unused)

func (s *r2g_shm_server) cellAt(ring, capacity uintptr, pos uint64) uintptr {
	return ring + r2g_shm_RING_SIZE + uintptr(pos&uint64(capacity-1))*r2g_shm_CELL_SIZE
}

// r2g_shm_ring_corrupt: a cell whose seq no pusher or popper explains (`how` it does not
// fit its position); the message names the field like the Python peers.
func r2g_shm_ring_corrupt(ring, field string, capacity uintptr, pos, seq uint64, how string) string {
	return fmt.Sprintf("%s.cell[%d].seq=%d %s %s.%s=%d: ring corrupt",
		ring, pos&uint64(capacity-1), seq, how, ring, field, pos)
}

// r2g_shm_seq_waits: whether seq can be the seq of the cell at pos while the cell is not
// ready for its side (full for a producer, empty for a consumer; dif = seq - the seq it
// waits for): a cell's seq is its position or one more modulo the capacity, at most one
// lap behind. Any other value is a stray write that would otherwise read as full (empty)
// for good.
func r2g_shm_seq_waits(capacity uintptr, pos, seq uint64, dif int64) bool {
	return dif >= -int64(capacity) && (seq-pos)&uint64(capacity-1) <= 1
}

// claim takes the cell at the producer (consumer = 0) or consumer (consumer = 1) position:
// got 1 with its position, 0 full (empty), -1 corrupt with the violation. The callee only
// pushes completions and only pops requests, which names the ring in the violation.
func (s *r2g_shm_server) claim(ring, capacity uintptr, consumer uint64) (pos uint64, got int, bad string) {
	name, field, ctr := "completion_ring", "enqueue_pos", s.u64(ring+r2g_shm_RING_ENQUEUE_POS)
	if consumer == 1 {
		name, field, ctr = "request_ring", "dequeue_pos", s.u64(ring+r2g_shm_RING_DEQUEUE_POS)
	}
	pos = atomic.LoadUint64(ctr)
	for {
		seq := atomic.LoadUint64(s.u64(s.cellAt(ring, capacity, pos) + r2g_shm_CELL_SEQ))
		dif := int64(seq - (pos + consumer))
		if dif == 0 {
			if atomic.CompareAndSwapUint64(ctr, pos, pos+1) {
				return pos, 1, ""
			}
			pos = atomic.LoadUint64(ctr)
		} else if dif < 0 {
			if !r2g_shm_seq_waits(capacity, pos, seq, dif) {
				return pos, -1, r2g_shm_ring_corrupt(name, field, capacity, pos, seq, "cannot be the seq of a cell at")
			}
			return pos, 0, ""
		} else if now := atomic.LoadUint64(ctr); now != pos {
			pos = now
		} else {
			return pos, -1, r2g_shm_ring_corrupt(name, field, capacity, pos, seq, "is ahead of")
		}
	}
}

// cellInline: the first n inline bytes of the cell at offset cell (n <= CELL_INLINE_MAX).
func (s *r2g_shm_server) cellInline(cell uintptr, n uint32) []byte {
	start := cell + r2g_shm_CELL_INLINE
	return s.mem[start : start+uintptr(n) : start+r2g_shm_CELL_INLINE_MAX]
}

// push: 1 pushed, 0 full, -1 corrupt (the violation is returned). A cell announcing at
// most CELL_INLINE_MAX bytes carries them: payload (private bytes, len(payload) ==
// c.length) is copied into its inline bytes once the cell is claimed, and its check is
// computed over payload in the same pass. A longer payload is in the slot's area already
// and c.check was computed as it was copied there; payload is not looked at.
func (s *r2g_shm_server) push(ring, capacity uintptr, c r2g_shm_cell, payload []byte) (int, string) {
	pos, got, bad := s.claim(ring, capacity, 0)
	if got <= 0 {
		return got, bad
	}
	cell := s.cellAt(ring, capacity, pos)
	// Plain stores for the body: the cell is ours until seq is published, and the atomic
	// store of seq orders them before it (an atomic store per field would cost a locked
	// XCHG each on amd64).
	*s.u32(cell + r2g_shm_CELL_SLOT) = c.slot
	*s.u32(cell + r2g_shm_CELL_GENERATION) = c.gen
	*s.u32(cell + r2g_shm_CELL_METHOD) = c.method
	*s.u32(cell + r2g_shm_CELL_LENGTH) = c.length
	*s.u32(cell + r2g_shm_CELL_KIND) = c.kind
	*s.u32(cell + r2g_shm_CELL_STATUS) = c.status
	if uintptr(c.length) <= r2g_shm_CELL_INLINE_MAX {
		c.check = r2g_shm_copy_check64(&c, s.cellInline(cell, c.length), payload)
	}
	*s.u64(cell + r2g_shm_CELL_CHECK) = c.check
	atomic.StoreUint64(s.u64(cell+r2g_shm_CELL_SEQ), pos+1)
	return 1, ""
}

// pop takes the request cell at the consumer position; ok false when the ring is empty
// or corrupt (then bad names the field). With w, a request take will answer (takes) whose
// payload travels in the cell is copied into w's request bytes, sum its check computed
// over the copy in the same pass, before the cell is released: the caller may reuse the
// cell from then on. Other cells, or no w: nothing copied, sum 0.
func (s *r2g_shm_server) pop(ring, capacity uintptr, w *r2g_shm_scratch) (c r2g_shm_cell, sum uint64, ok bool, bad string) {
	pos, got, bad := s.claim(ring, capacity, 1)
	if got <= 0 {
		return r2g_shm_cell{}, 0, false, bad
	}
	cell := s.cellAt(ring, capacity, pos)
	f := func(off uintptr) uint32 { return atomic.LoadUint32(s.u32(cell + off)) }
	c = r2g_shm_cell{f(r2g_shm_CELL_SLOT), f(r2g_shm_CELL_GENERATION), f(r2g_shm_CELL_METHOD),
		f(r2g_shm_CELL_LENGTH), f(r2g_shm_CELL_KIND), f(r2g_shm_CELL_STATUS),
		atomic.LoadUint64(s.u64(cell + r2g_shm_CELL_CHECK))}
	if w != nil && uintptr(c.length) <= r2g_shm_CELL_INLINE_MAX && s.takes(c) {
		sum = r2g_shm_copy_check64(&c, w.request(int(c.length)), s.cellInline(cell, c.length))
	}
	atomic.StoreUint64(s.u64(cell+r2g_shm_CELL_SEQ), pos+uint64(capacity))
	return c, sum, true, ""
}

func (s *r2g_shm_server) requestsEmpty() bool {
	pos := atomic.LoadUint64(s.u64(s.g.reqRingOff + r2g_shm_RING_DEQUEUE_POS))
	cell := s.cellAt(s.g.reqRingOff, s.g.reqRingCap, pos)
	// Empty: not yet written, or the last lap taken and not yet released. Anything else,
	// full or a seq no cell can have, is for pop to take or report.
	seq := atomic.LoadUint64(s.u64(cell + r2g_shm_CELL_SEQ))
	return seq == pos || seq == pos+1-uint64(s.g.reqRingCap)
}
