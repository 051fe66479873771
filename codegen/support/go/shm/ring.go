// ---- rings (the cell protocol of docs/shm-layout.md) ----

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

// push: 1 pushed, 0 full, -1 corrupt (the violation is returned).
func (s *r2g_shm_server) push(ring, capacity uintptr, c r2g_shm_cell) (int, string) {
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
	*s.u64(cell + r2g_shm_CELL_CHECK) = c.check
	atomic.StoreUint64(s.u64(cell+r2g_shm_CELL_SEQ), pos+1)
	return 1, ""
}

// pop takes the request cell at the consumer position; ok false when the ring is empty
// or corrupt (then bad names the field).
func (s *r2g_shm_server) pop(ring, capacity uintptr) (c r2g_shm_cell, ok bool, bad string) {
	pos, got, bad := s.claim(ring, capacity, 1)
	if got <= 0 {
		return r2g_shm_cell{}, false, bad
	}
	cell := s.cellAt(ring, capacity, pos)
	f := func(off uintptr) uint32 { return atomic.LoadUint32(s.u32(cell + off)) }
	c = r2g_shm_cell{f(r2g_shm_CELL_SLOT), f(r2g_shm_CELL_GENERATION), f(r2g_shm_CELL_METHOD),
		f(r2g_shm_CELL_LENGTH), f(r2g_shm_CELL_KIND), f(r2g_shm_CELL_STATUS),
		atomic.LoadUint64(s.u64(cell + r2g_shm_CELL_CHECK))}
	atomic.StoreUint64(s.u64(cell+r2g_shm_CELL_SEQ), pos+uint64(capacity))
	return c, true, ""
}

func (s *r2g_shm_server) requestsEmpty() bool {
	pos := atomic.LoadUint64(s.u64(s.g.reqRingOff + r2g_shm_RING_DEQUEUE_POS))
	cell := s.cellAt(s.g.reqRingOff, s.g.reqRingCap, pos)
	// Empty: not yet written, or the last lap taken and not yet released. Anything else,
	// full or a seq no cell can have, is for pop to take or report.
	seq := atomic.LoadUint64(s.u64(cell + r2g_shm_CELL_SEQ))
	return seq == pos || seq == pos+1-uint64(s.g.reqRingCap)
}
