
// ---- rust2go shm callee (fixed part; codegen/support/shm_callee.go) ------------------
//
// The Go side of the shm layout: creates and serves one segment per trait. State
// machines (docs/shm-layout.md, rust2go.shm.layout.TRANSITIONS):
//
//	segment  CREATING -store-> SERVING -store, post caller-> DRAINING -> CLOSED, unlink
//	slot     PENDING -CAS (gen,PENDING)->(gen,DONE)-> DONE, then push one REPLY cell;
//	         CAS failure = ABANDONED: reply dropped, completion still pushed
//	caller   DETACHED|dead ATTACHED|dead BROKEN -CAS-> RESETTING -reset rings+slots-> VACANT
//	         ATTACHED with caller_pid 0 seen for r2g_shm_ATTACH_GRACE in one session
//	           (an attacher died between its state CAS and its pid store) -CAS-> RESETTING
//	session  a protocol violation (a request cell out of sequence or naming no slot, a
//	         completion ring full for r2g_shm_FULL_PATIENCE) ends the caller's session,
//	         never the callee:
//	         serving -violation-> broken: log the field; CAS caller_state ATTACHED ->
//	           BROKEN, ring the caller; stop popping and answering (nothing in the rings
//	           can be trusted; the caller fails its pending calls itself)
//	         broken -caller detached (BROKEN -> DETACHED), died, or r2g_shm_BROKEN_GRACE
//	           passed (it ignores BROKEN) -> recycle -> serving
//	         a violation with no caller attached recycles at once (VACANT -> RESETTING)
//	         a caller_state that is no CallerState is a violation and becomes BROKEN; a
//	         segment_state other than SERVING before close (only the callee writes it)
//	         is a violation and is stored back
//	bell     waiter: swap(parked,1); fence; re-check; sem_timedwait; swap(parked,0)
//	         notifier: if parked && swap(parked,0)==1 { sem_post }
//
//	poller   one current poller goroutine pops requests (spin with Gosched 50 µs, then
//	         park on the callee doorbell) and runs each handler inline (no goroutine
//	         spawn, no scheduler wake-up): inline = token while a handler runs, 0 after
//	watchdog while the poller is awake, every r2g_shm_STUCK: a handler still running
//	         under the token it saw one tick ago -CAS token->0-> start a new poller; the
//	         old one (its own CAS token->0 fails) answers that call and exits. Handlers may
//	         block: at most one poller is current, each slow handler costs one goroutine
//	         (<= one per slot), so calls stay concurrent.
// Handlers read their arguments in place from the request area and write their reply
// into the response area.

type r2g_shm_geometry struct {
	slots, reqRingCap, compRingCap, reqCap, respCap     uintptr
	reqRingOff, compRingOff, slotOff, payloadOff, stride uintptr
	size                                                 uintptr
}

func r2g_shm_align(n uintptr) uintptr {
	return (n + r2g_shm_CACHE_LINE - 1) / r2g_shm_CACHE_LINE * r2g_shm_CACHE_LINE
}

// r2g_shm_plan lays the regions out in order (shm/geometry.py plan).
func r2g_shm_plan(slots, reqCap, respCap uintptr) r2g_shm_geometry {
	ring := r2g_shm_MIN_RING_CAPACITY
	for ring < slots {
		ring *= 2
	}
	g := r2g_shm_geometry{slots: slots, reqRingCap: ring, compRingCap: ring, reqCap: reqCap, respCap: respCap}
	g.reqRingOff = r2g_shm_align(r2g_shm_HEADER_SIZE)
	g.compRingOff = r2g_shm_align(g.reqRingOff + r2g_shm_RING_SIZE + ring*r2g_shm_CELL_SIZE)
	g.slotOff = r2g_shm_align(g.compRingOff + r2g_shm_RING_SIZE + ring*r2g_shm_CELL_SIZE)
	g.payloadOff = r2g_shm_align(g.slotOff + slots*r2g_shm_SLOT_SIZE)
	g.stride = r2g_shm_align(reqCap) + r2g_shm_align(respCap)
	g.size = g.payloadOff + slots*g.stride
	return g
}

type r2g_shm_cell struct{ slot, gen, method, length, kind, status uint32 }

// r2g_shm_handler runs one method: arguments from req, reply written into resp.
type r2g_shm_handler func(method uint32, req, resp []byte) (n int, status uint32, msg string)

// r2g_shm_contract says which IDL the handler's payloads follow (written into the header,
// checked by callers on attach): the generator's hash of the trait, the IDL's file name
// already cut to r2g_shm_IDL_NAME_SIZE bytes.
type r2g_shm_contract struct {
	hash uint64
	idl  string
}

type r2g_shm_server struct {
	mem       []byte
	g         r2g_shm_geometry
	stem      string
	calleeSem *C.sem_t
	callerSem *C.sem_t
	lockFd    int
	handle    r2g_shm_handler
	contract  r2g_shm_contract
	stop      atomic.Bool
	inflight  sync.WaitGroup
	pollers   sync.WaitGroup // the current poller and demoted ones finishing a handler
	inline    atomic.Uint64  // token (generation, slot+1) of the call the current poller runs inline; 0 between
	asleep    atomic.Bool    // the current poller is parked on the callee doorbell
	kick      chan struct{}  // wakes the watchdog after the poller un-parks (buffered 1)

	closing   atomic.Bool // set by close before segment_state leaves SERVING
	broken    atomic.Bool // a violation was seen this session; cleared by recycle
	ctl       sync.Mutex  // guards the fields below (violations come from any poller)
	brokenAt  time.Time
	probedAt  time.Time
	unclaimed struct {
		session uint32
		since   time.Time // zero: caller_pid was not 0 at the last probe
	}
	protocolErrors uint64
	lastViolation  string
}

// r2g_shm_PROBE_PERIOD: liveness probes of the caller at most this often, however often
// the doorbell rings (an attacher waiting out ATTACHED pid 0 rings it every few ms).
const r2g_shm_PROBE_PERIOD = 20 * time.Millisecond

// r2g_shm_FULL_PATIENCE: how long a full completion ring is waited out. One completion
// per slot never fills it, so only a caller that stopped popping (or broke it) does.
const r2g_shm_FULL_PATIENCE = 100 * time.Millisecond

// r2g_shm_ATTACH_GRACE: how long ATTACHED with caller_pid 0 is tolerated in one session;
// a live attacher stores its pid microseconds after its state CAS.
const r2g_shm_ATTACH_GRACE = time.Second

// r2g_shm_BROKEN_GRACE: how long a caller gets to detach from BROKEN.
const r2g_shm_BROKEN_GRACE = time.Second

// r2g_shm_log reports what the callee cannot answer to any caller (stderr; replaceable).
var r2g_shm_log = func(msg string) { fmt.Fprintln(os.Stderr, msg) }

// r2g_shm_STUCK: an inline handler running longer than one to two ticks gets the poller
// replaced, so one blocking handler delays other calls by at most ~2 ticks.
const r2g_shm_STUCK = 100 * time.Microsecond

// r2g_shm_SPIN_CHECK: ring polls between clock reads (and yields) while the poller spins.
const r2g_shm_SPIN_CHECK = 64

// r2g_shm_SPIN: how long an idle poller spins before it parks on the doorbell.
const r2g_shm_SPIN = 50 * time.Microsecond

func (s *r2g_shm_server) u32(off uintptr) *uint32 { return (*uint32)(unsafe.Pointer(&s.mem[off])) }
func (s *r2g_shm_server) u64(off uintptr) *uint64 { return (*uint64)(unsafe.Pointer(&s.mem[off])) }

func r2g_shm_lock_path(stem, suffix string) string {
	return r2g_shm_LOCK_DIR + "/" + stem + suffix
}

// r2g_shm_lock_alive: true exactly while some process holds LOCK_EX on path.
func r2g_shm_lock_alive(path string) bool {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer syscall.Close(fd)
	return syscall.Flock(fd, syscall.LOCK_SH|syscall.LOCK_NB) != nil
}

func r2g_shm_unlink_names(stem string) {
	_ = os.Remove("/dev/shm/" + stem)
	for _, suffix := range []string{r2g_shm_CALLEE_DOORBELL_SUFFIX, r2g_shm_CALLER_DOORBELL_SUFFIX} {
		n := C.CString("/" + stem + suffix)
		C.sem_unlink(n)
		C.free(unsafe.Pointer(n))
	}
}

// r2g_shm_create: lock file, semaphores, segment (mode 0600), header, SERVING.
func r2g_shm_create(stem string, g r2g_shm_geometry, c r2g_shm_contract, h r2g_shm_handler) (*r2g_shm_server, error) {
	lockPath := r2g_shm_lock_path(stem, r2g_shm_CALLEE_LOCK_SUFFIX)
	if r2g_shm_lock_alive(lockPath) {
		return nil, fmt.Errorf("segment /%s is served by a live callee", stem)
	}
	r2g_shm_unlink_names(stem) // an explicit name may be reused once its callee is dead
	_ = os.Remove(lockPath)
	fd, err := syscall.Open(lockPath, syscall.O_RDWR|syscall.O_CREAT|syscall.O_CLOEXEC, r2g_shm_MODE)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", lockPath, err)
	}
	if err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("%s: %w", lockPath, err)
	}
	s := &r2g_shm_server{g: g, stem: stem, lockFd: fd, handle: h, contract: c, kick: make(chan struct{}, 1)}
	fail := func(err error) (*r2g_shm_server, error) { s.release(); return nil, err }
	for i, suffix := range []string{r2g_shm_CALLEE_DOORBELL_SUFFIX, r2g_shm_CALLER_DOORBELL_SUFFIX} {
		n := C.CString("/" + stem + suffix)
		sem := C.r2g_shm_sem_create(n, C.uint(r2g_shm_MODE))
		C.free(unsafe.Pointer(n))
		if sem == nil {
			return fail(fmt.Errorf("sem_open /%s%s failed", stem, suffix))
		}
		if i == 0 {
			s.calleeSem = sem
		} else {
			s.callerSem = sem
		}
	}
	f, err := os.OpenFile("/dev/shm/"+stem, os.O_RDWR|os.O_CREATE|os.O_EXCL, os.FileMode(r2g_shm_MODE))
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	if err := f.Truncate(int64(g.size)); err != nil {
		return fail(err)
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, int(g.size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return fail(err)
	}
	s.mem = mem
	s.writeHeader()
	atomic.StoreUint32(s.u32(r2g_shm_HEADER_SEGMENT_STATE), r2g_shm_SEGMENT_STATE_SERVING)
	return s, nil
}

func (s *r2g_shm_server) writeHeader() {
	g := s.g
	put32 := func(off uintptr, v uintptr) { *s.u32(off) = uint32(v) }
	put64 := func(off uintptr, v uintptr) { *s.u64(off) = uint64(v) }
	*s.u64(r2g_shm_HEADER_MAGIC) = r2g_shm_MAGIC
	*s.u32(r2g_shm_HEADER_LAYOUT_VERSION) = r2g_shm_LAYOUT_VERSION
	put32(r2g_shm_HEADER_HEADER_SIZE, r2g_shm_HEADER_SIZE)
	put64(r2g_shm_HEADER_SEGMENT_SIZE, g.size)
	put32(r2g_shm_HEADER_SLOT_COUNT, g.slots)
	put32(r2g_shm_HEADER_SLOT_RECORD_SIZE, r2g_shm_SLOT_SIZE)
	put64(r2g_shm_HEADER_SLOT_TABLE_OFFSET, g.slotOff)
	put64(r2g_shm_HEADER_PAYLOAD_OFFSET, g.payloadOff)
	put32(r2g_shm_HEADER_REQUEST_CAPACITY, g.reqCap)
	put32(r2g_shm_HEADER_RESPONSE_CAPACITY, g.respCap)
	put32(r2g_shm_HEADER_PAYLOAD_STRIDE, g.stride)
	put32(r2g_shm_HEADER_CELL_SIZE, r2g_shm_CELL_SIZE)
	put64(r2g_shm_HEADER_REQUEST_RING_OFFSET, g.reqRingOff)
	put32(r2g_shm_HEADER_REQUEST_RING_CAPACITY, g.reqRingCap)
	put32(r2g_shm_HEADER_COMPLETION_RING_CAPACITY, g.compRingCap)
	put64(r2g_shm_HEADER_COMPLETION_RING_OFFSET, g.compRingOff)
	put32(r2g_shm_HEADER_RING_HEADER_SIZE, r2g_shm_RING_SIZE)
	*s.u64(r2g_shm_HEADER_CONTRACT) = s.contract.hash
	copy(s.mem[r2g_shm_HEADER_IDL_NAME:r2g_shm_HEADER_IDL_NAME+r2g_shm_IDL_NAME_SIZE], s.contract.idl)
	put32(r2g_shm_HEADER_CALLEE_PID, uintptr(os.Getpid()))
	atomic.StoreUint32(s.u32(r2g_shm_HEADER_SEGMENT_STATE), r2g_shm_SEGMENT_STATE_CREATING)
	s.resetSession()
}

// resetSession: fresh rings, every slot FREE keeping its generation, caller_pid 0.
// Only with no caller attached and no handler in flight.
func (s *r2g_shm_server) resetSession() {
	for _, r := range [][2]uintptr{{s.g.reqRingOff, s.g.reqRingCap}, {s.g.compRingOff, s.g.compRingCap}} {
		atomic.StoreUint64(s.u64(r[0]+r2g_shm_RING_ENQUEUE_POS), 0)
		atomic.StoreUint64(s.u64(r[0]+r2g_shm_RING_DEQUEUE_POS), 0)
		for i := uintptr(0); i < r[1]; i++ {
			atomic.StoreUint64(s.u64(r[0]+r2g_shm_RING_SIZE+i*r2g_shm_CELL_SIZE+r2g_shm_CELL_SEQ), uint64(i))
		}
	}
	for i := uintptr(0); i < s.g.slots; i++ {
		w := s.slotWord(uint32(i))
		atomic.StoreUint64(w, atomic.LoadUint64(w)&^0xFFFFFFFF|uint64(r2g_shm_SLOT_STATE_FREE))
	}
	atomic.StoreUint32(s.u32(r2g_shm_HEADER_CALLER_PID), 0)
	atomic.StoreUint32(s.u32(r2g_shm_HEADER_CALLER_PARKED), 0)
}

func (s *r2g_shm_server) slotWord(slot uint32) *uint64 {
	return s.u64(s.g.slotOff + uintptr(slot)*r2g_shm_SLOT_SIZE + r2g_shm_SLOT_WORD_OFFSET)
}

// ---- rings (cell state machine in the header comment) ----

func (s *r2g_shm_server) cellAt(ring, capacity uintptr, pos uint64) uintptr {
	return ring + r2g_shm_RING_SIZE + uintptr(pos&uint64(capacity-1))*r2g_shm_CELL_SIZE
}

// r2g_shm_ring_corrupt: a cell whose seq is ahead of a position that did not move (no
// other pusher or popper explains it); the message names the field like the Python peers.
func r2g_shm_ring_corrupt(ring, field string, capacity uintptr, pos, seq uint64) string {
	return fmt.Sprintf("%s.cell[%d].seq=%d is ahead of %s.%s=%d: ring corrupt",
		ring, pos&uint64(capacity-1), seq, ring, field, pos)
}

// push: 1 pushed, 0 full, -1 corrupt (the violation is returned).
func (s *r2g_shm_server) push(ring, capacity uintptr, c r2g_shm_cell) (int, string) {
	enq := s.u64(ring + r2g_shm_RING_ENQUEUE_POS)
	pos := atomic.LoadUint64(enq)
	for {
		cell := s.cellAt(ring, capacity, pos)
		seq := atomic.LoadUint64(s.u64(cell + r2g_shm_CELL_SEQ))
		dif := int64(seq - pos)
		if dif == 0 {
			if atomic.CompareAndSwapUint64(enq, pos, pos+1) {
				break
			}
			pos = atomic.LoadUint64(enq)
		} else if dif < 0 {
			return 0, ""
		} else if now := atomic.LoadUint64(enq); now != pos {
			pos = now
		} else {
			return -1, r2g_shm_ring_corrupt("completion_ring", "enqueue_pos", capacity, pos, seq)
		}
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
	atomic.StoreUint64(s.u64(cell+r2g_shm_CELL_SEQ), pos+1)
	return 1, ""
}

// pop takes the request cell at the consumer position; ok false when the ring is empty
// or corrupt (then bad names the field).
func (s *r2g_shm_server) pop(ring, capacity uintptr) (c r2g_shm_cell, ok bool, bad string) {
	deq := s.u64(ring + r2g_shm_RING_DEQUEUE_POS)
	pos := atomic.LoadUint64(deq)
	for {
		cell := s.cellAt(ring, capacity, pos)
		seq := atomic.LoadUint64(s.u64(cell + r2g_shm_CELL_SEQ))
		dif := int64(seq - (pos + 1))
		if dif == 0 {
			if atomic.CompareAndSwapUint64(deq, pos, pos+1) {
				break
			}
			pos = atomic.LoadUint64(deq)
		} else if dif < 0 {
			return r2g_shm_cell{}, false, ""
		} else if now := atomic.LoadUint64(deq); now != pos {
			pos = now
		} else {
			return r2g_shm_cell{}, false, r2g_shm_ring_corrupt("request_ring", "dequeue_pos", capacity, pos, seq)
		}
	}
	cell := s.cellAt(ring, capacity, pos)
	f := func(off uintptr) uint32 { return atomic.LoadUint32(s.u32(cell + off)) }
	c = r2g_shm_cell{f(r2g_shm_CELL_SLOT), f(r2g_shm_CELL_GENERATION), f(r2g_shm_CELL_METHOD),
		f(r2g_shm_CELL_LENGTH), f(r2g_shm_CELL_KIND), f(r2g_shm_CELL_STATUS)}
	atomic.StoreUint64(s.u64(cell+r2g_shm_CELL_SEQ), pos+uint64(capacity))
	return c, true, ""
}

func (s *r2g_shm_server) requestsEmpty() bool {
	pos := atomic.LoadUint64(s.u64(s.g.reqRingOff + r2g_shm_RING_DEQUEUE_POS))
	cell := s.cellAt(s.g.reqRingOff, s.g.reqRingCap, pos)
	return atomic.LoadUint64(s.u64(cell+r2g_shm_CELL_SEQ)) != pos+1
}

// ---- doorbells ----

func (s *r2g_shm_server) ringCaller() {
	p := s.u32(r2g_shm_HEADER_CALLER_PARKED)
	if atomic.LoadUint32(p) == 1 && atomic.SwapUint32(p, 0) == 1 {
		C.sem_post(s.callerSem)
	}
}

// park sleeps on the callee doorbell; false only on a timeout.
func (s *r2g_shm_server) park(ms int) bool {
	p := s.u32(r2g_shm_HEADER_CALLEE_PARKED)
	atomic.SwapUint32(p, 1) // Go atomics are sequentially consistent: this is the fence
	if s.stop.Load() || s.ready() {
		atomic.SwapUint32(p, 0)
		return true
	}
	woke := C.r2g_shm_sem_wait_ms(s.calleeSem, C.long(ms)) == 0
	atomic.SwapUint32(p, 0)
	return woke
}

// ready is the doorbell re-check: something for the poller to look at. A broken
// session's ring is not looked at; its caller's detach ends the wait.
func (s *r2g_shm_server) ready() bool {
	st := atomic.LoadUint32(s.u32(r2g_shm_HEADER_CALLER_STATE))
	if s.broken.Load() {
		return st != r2g_shm_CALLER_STATE_BROKEN
	}
	return !s.requestsEmpty() || st == r2g_shm_CALLER_STATE_DETACHED
}

// ---- serving ----

// serve is a poller: it drains every queued request per wake-up, running handlers
// inline; it returns on stop, or once the watchdog replaced it during a slow handler.
func (s *r2g_shm_server) serve() {
	defer s.pollers.Done()
	var idle time.Time
	spins := 0
	for !s.stop.Load() {
		if !s.broken.Load() {
			c, ok, bad := s.pop(s.g.reqRingOff, s.g.reqRingCap)
			if ok {
				if !s.take(c) {
					return // demoted: a new poller took over while the handler ran
				}
				idle, spins = time.Time{}, 0
				continue
			}
			if bad != "" {
				s.violation(bad)
			}
		}
		if idle.IsZero() {
			idle = time.Now()
			s.control(false)
		}
		// Spin on the ring word; the clock and the scheduler (each ~50-150 ns, several
		// times a ring poll) only every r2g_shm_SPIN_CHECK polls, so a request that
		// lands mid-spin is seen within a few ns, not after a Gosched.
		if spins++; spins%r2g_shm_SPIN_CHECK != 0 {
			continue
		}
		if time.Since(idle) < r2g_shm_SPIN {
			runtime.Gosched()
			continue
		}
		s.asleep.Store(true)
		woke := s.park(20)
		s.asleep.Store(false)
		s.nudge()
		idle = time.Time{}
		s.control(!woke)
	}
}

func (s *r2g_shm_server) nudge() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// watch is the watchdog of the header comment; idle while the poller is parked.
func (s *r2g_shm_server) watch() {
	defer s.pollers.Done()
	for !s.stop.Load() {
		if s.asleep.Load() {
			<-s.kick
			continue
		}
		tok := s.inline.Load()
		time.Sleep(r2g_shm_STUCK)
		if tok != 0 && s.inline.CompareAndSwap(tok, 0) && !s.stop.Load() {
			s.pollers.Add(1)
			go s.serve()
		}
	}
}

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

// violation ends the caller's session over a protocol violation (header comment).
func (s *r2g_shm_server) violation(why string) {
	s.ctl.Lock()
	s.protocolErrors++
	s.lastViolation = why
	if !s.broken.Load() {
		s.brokenAt = time.Now()
		s.broken.Store(true)
	}
	s.ctl.Unlock()
	r2g_shm_log(fmt.Sprintf("shm segment /%s: protocol violation: %s; ending the caller's session", s.stem, why))
	atomic.CompareAndSwapUint32(s.u32(r2g_shm_HEADER_CALLER_STATE), r2g_shm_CALLER_STATE_ATTACHED, r2g_shm_CALLER_STATE_BROKEN)
	s.ringCaller()
}

// control recycles a departed caller: DETACHED; a broken session with no caller; or,
// probing (at most every r2g_shm_PROBE_PERIOD unless the doorbell timed out), ATTACHED or
// BROKEN by a dead caller, ATTACHED with caller_pid 0 for r2g_shm_ATTACH_GRACE, BROKEN
// for r2g_shm_BROKEN_GRACE.
func (s *r2g_shm_server) control(probe bool) {
	// Only the callee writes segment_state; loaded before closing is looked at (close).
	served := s.u32(r2g_shm_HEADER_SEGMENT_STATE)
	if ss := atomic.LoadUint32(served); ss != r2g_shm_SEGMENT_STATE_SERVING && !s.closing.Load() {
		s.violation(fmt.Sprintf("header.segment_state=%d is not SERVING", ss))
		atomic.CompareAndSwapUint32(served, ss, r2g_shm_SEGMENT_STATE_SERVING)
	}
	st := atomic.LoadUint32(s.u32(r2g_shm_HEADER_CALLER_STATE))
	broken := s.broken.Load()
	switch {
	case st > r2g_shm_CALLER_STATE_BROKEN: // a stray write: recycled like any broken session
		s.violation(fmt.Sprintf("header.caller_state=%d is not a CallerState", st))
		atomic.CompareAndSwapUint32(s.u32(r2g_shm_HEADER_CALLER_STATE), st, r2g_shm_CALLER_STATE_BROKEN)
		return
	case st == r2g_shm_CALLER_STATE_DETACHED || (broken && st == r2g_shm_CALLER_STATE_VACANT):
		s.recycle(st)
		return
	case broken && st == r2g_shm_CALLER_STATE_ATTACHED: // attached after the violation was seen
		atomic.CompareAndSwapUint32(s.u32(r2g_shm_HEADER_CALLER_STATE), st, r2g_shm_CALLER_STATE_BROKEN)
		return
	case st != r2g_shm_CALLER_STATE_ATTACHED && st != r2g_shm_CALLER_STATE_BROKEN:
		return
	}
	now := time.Now()
	s.ctl.Lock()
	if !probe && now.Sub(s.probedAt) < r2g_shm_PROBE_PERIOD {
		s.ctl.Unlock()
		return
	}
	s.probedAt = now
	var overdue bool
	if st == r2g_shm_CALLER_STATE_ATTACHED {
		overdue = s.abandonedAttach(now)
	} else {
		overdue = now.Sub(s.brokenAt) > r2g_shm_BROKEN_GRACE
	}
	s.ctl.Unlock()
	if overdue || s.callerDead() {
		s.recycle(st)
	}
}

// abandonedAttach: ATTACHED with caller_pid 0 in one session for r2g_shm_ATTACH_GRACE.
// With s.ctl held.
func (s *r2g_shm_server) abandonedAttach(now time.Time) bool {
	if atomic.LoadUint32(s.u32(r2g_shm_HEADER_CALLER_PID)) != 0 {
		s.unclaimed.since = time.Time{}
		return false
	}
	sess := atomic.LoadUint32(s.u32(r2g_shm_HEADER_SESSION))
	if s.unclaimed.since.IsZero() || s.unclaimed.session != sess {
		s.unclaimed.session, s.unclaimed.since = sess, now
		return false
	}
	return now.Sub(s.unclaimed.since) > r2g_shm_ATTACH_GRACE
}

// recycle: CAS `from` -> RESETTING, handlers of the departed caller finish, fresh rings
// and slots, the dead caller's lock file removed, VACANT.
func (s *r2g_shm_server) recycle(from uint32) {
	state := s.u32(r2g_shm_HEADER_CALLER_STATE)
	if !atomic.CompareAndSwapUint32(state, from, r2g_shm_CALLER_STATE_RESETTING) {
		return
	}
	s.inflight.Wait()
	pid := atomic.LoadUint32(s.u32(r2g_shm_HEADER_CALLER_PID))
	s.resetSession()
	if pid != 0 {
		path := r2g_shm_lock_path(s.stem, r2g_shm_CALLER_LOCK_SUFFIX+fmt.Sprint(pid))
		if !r2g_shm_lock_alive(path) {
			_ = os.Remove(path)
		}
	}
	s.ctl.Lock()
	s.unclaimed.since = time.Time{}
	s.ctl.Unlock()
	s.broken.Store(false)
	atomic.StoreUint32(state, r2g_shm_CALLER_STATE_VACANT)
}

func (s *r2g_shm_server) callerDead() bool {
	pid := atomic.LoadUint32(s.u32(r2g_shm_HEADER_CALLER_PID))
	return pid != 0 && !r2g_shm_lock_alive(r2g_shm_lock_path(s.stem, r2g_shm_CALLER_LOCK_SUFFIX+fmt.Sprint(pid)))
}

// close is the quit handshake: DRAINING (caller rung), running handlers finish, queued
// requests are answered CALLEE_CLOSING, CLOSED (caller rung), then everything unlinked.
func (s *r2g_shm_server) close() {
	s.closing.Store(true)
	atomic.StoreUint32(s.u32(r2g_shm_HEADER_SEGMENT_STATE), r2g_shm_SEGMENT_STATE_DRAINING)
	s.ringCaller()
	s.stop.Store(true)
	C.sem_post(s.calleeSem) // our own doorbell: wake the poller now
	s.nudge()               // and the watchdog
	s.pollers.Wait()
	s.inflight.Wait()
	for !s.broken.Load() {
		c, ok, _ := s.pop(s.g.reqRingOff, s.g.reqRingCap)
		if !ok {
			break
		}
		if uintptr(c.slot) < s.g.slots {
			resp := s.respArea(c.slot)
			s.answer(c, r2g_shm_CALL_STATUS_CALLEE_CLOSING, resp[:copy(resp, "callee is shutting down")])
		}
	}
	atomic.StoreUint32(s.u32(r2g_shm_HEADER_SEGMENT_STATE), r2g_shm_SEGMENT_STATE_CLOSED)
	s.ringCaller()
	if s.callerDead() || atomic.LoadUint32(s.u32(r2g_shm_HEADER_CALLER_STATE)) == r2g_shm_CALLER_STATE_DETACHED {
		pid := atomic.LoadUint32(s.u32(r2g_shm_HEADER_CALLER_PID))
		_ = os.Remove(r2g_shm_lock_path(s.stem, r2g_shm_CALLER_LOCK_SUFFIX+fmt.Sprint(pid)))
	}
	s.release()
}

func (s *r2g_shm_server) release() {
	r2g_shm_unlink_names(s.stem)
	for _, sem := range []*C.sem_t{s.calleeSem, s.callerSem} {
		if sem != nil {
			C.sem_close(sem)
		}
	}
	if s.mem != nil {
		_ = syscall.Munmap(s.mem)
		s.mem = nil
	}
	_ = os.Remove(r2g_shm_lock_path(s.stem, r2g_shm_CALLEE_LOCK_SUFFIX))
	syscall.Close(s.lockFd) // drops the flock
}

var (
	r2g_shm_servers_mu sync.Mutex
	r2g_shm_servers    = map[string]*r2g_shm_server{}
)

// r2g_shm_start creates and serves segment `name` (slots 0 = default geometry).
func r2g_shm_start(name string, slots, reqCap, respCap uintptr, c r2g_shm_contract, h r2g_shm_handler) error {
	stem := strings.TrimPrefix(name, r2g_shm_SEGMENT_PREFIX)
	if !strings.HasPrefix(stem, r2g_shm_NAME_PREFIX) || strings.ContainsAny(stem, "/.\x00") {
		return fmt.Errorf("segment name %q must look like /r2g-<letters, digits, _ or ->", name)
	}
	if slots == 0 {
		slots, reqCap, respCap = r2g_shm_DEFAULT_SLOTS, r2g_shm_DEFAULT_REQUEST_CAPACITY, r2g_shm_DEFAULT_RESPONSE_CAPACITY
	}
	s, err := r2g_shm_create(stem, r2g_shm_plan(slots, reqCap, respCap), c, h)
	if err != nil {
		return err
	}
	r2g_shm_servers_mu.Lock()
	r2g_shm_servers[stem] = s
	r2g_shm_servers_mu.Unlock()
	s.pollers.Add(2)
	go s.serve()
	go s.watch()
	return nil
}

// r2g_shm_stop runs the quit handshake of segment `name`; false if it is not served here.
func r2g_shm_stop(name string) bool {
	stem := strings.TrimPrefix(name, r2g_shm_SEGMENT_PREFIX)
	r2g_shm_servers_mu.Lock()
	s := r2g_shm_servers[stem]
	delete(r2g_shm_servers, stem)
	r2g_shm_servers_mu.Unlock()
	if s == nil {
		return false
	}
	s.close()
	return true
}

// ---- payload codec (docs/shm-codegen.md "Payload format"): Refs at `at`, children
// from the cursor; readers view strings and numeric slices in place (zero-copy: valid
// while the method runs, like the cgo path's lent arguments).

type r2g_shm_payload_error string

func r2g_shm_round8(n int) int { return (n + 7) &^ 7 }

func r2g_shm_ref(b []byte, at, elem int) (int, int) {
	off := int(binary.LittleEndian.Uint64(b[at:]))
	n := int(binary.LittleEndian.Uint64(b[at+8:]))
	if n > 0 && (off < 0 || n < 0 || off > len(b) || n > (len(b)-off)/elem) {
		panic(r2g_shm_payload_error(fmt.Sprintf("%d items at offset %d overrun the %d-byte payload", n, off, len(b))))
	}
	return off, n
}

func r2g_shm_put_ref(b []byte, at, off, n int) {
	binary.LittleEndian.PutUint64(b[at:], uint64(off))
	binary.LittleEndian.PutUint64(b[at+8:], uint64(n))
}

func r2g_shm_sz0[T any](*T) int { return 0 }

func r2g_shm_rd_str(b []byte, at int) string {
	off, n := r2g_shm_ref(b, at, 1)
	if n == 0 {
		return ""
	}
	// A string header over the payload bytes, spelled so that a `go 1.18` module builds
	// it (unsafe.String is Go 1.20).
	return *(*string)(unsafe.Pointer(&struct {
		p *byte
		n int
	}{&b[off], n}))
}

func r2g_shm_sz_str(v *string) int { return r2g_shm_round8(len(*v)) }

func r2g_shm_wr_str(b []byte, at, cur int, v *string) int {
	n := len(*v)
	if n == 0 {
		r2g_shm_put_ref(b, at, 0, 0)
		return cur
	}
	r2g_shm_put_ref(b, at, cur, n)
	copy(b[cur:], *v)
	return cur + r2g_shm_round8(n)
}

func r2g_shm_rd_list[T any](b []byte, at, size int, elem func([]byte, int) T) []T {
	off, n := r2g_shm_ref(b, at, size)
	out := make([]T, n)
	for i := range out {
		out[i] = elem(b, off+i*size)
	}
	return out
}

// r2g_shm_view_list: numeric elements in place (arrays are 8-aligned in a 64-aligned area).
func r2g_shm_view_list[T any](b []byte, at, size int) []T {
	off, n := r2g_shm_ref(b, at, size)
	if n == 0 {
		return []T{}
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[off])), n)
}

func r2g_shm_sz_list[T any](v []T, size int, child func(*T) int) int {
	if len(v) == 0 {
		return 0
	}
	total := r2g_shm_round8(len(v) * size)
	for i := range v {
		total += child(&v[i])
	}
	return total
}

func r2g_shm_wr_list[T any](b []byte, at, cur int, v []T, size int, elem func([]byte, int, int, *T) int) int {
	if len(v) == 0 {
		r2g_shm_put_ref(b, at, 0, 0)
		return cur
	}
	r2g_shm_put_ref(b, at, cur, len(v))
	base := cur
	cur += r2g_shm_round8(len(v) * size)
	for i := range v {
		cur = elem(b, base+i*size, cur, &v[i])
	}
	return cur
}

func r2g_shm_rd_opt[T any](b []byte, at, size int, elem func([]byte, int) T) *T {
	items := r2g_shm_rd_list(b, at, size, elem)
	if len(items) > 1 {
		panic(r2g_shm_payload_error(fmt.Sprintf("an Option with %d elements", len(items))))
	}
	if len(items) == 0 {
		return nil
	}
	return &items[0]
}

func r2g_shm_opt_list[T any](v *T) []T {
	if v == nil {
		return nil
	}
	return []T{*v}
}

func r2g_shm_rd_map[K comparable, V any](b []byte, at, ks, vs int, kf func([]byte, int) K, vf func([]byte, int) V) map[K]V {
	keys := r2g_shm_rd_list(b, at, ks, kf)
	values := r2g_shm_rd_list(b, at+16, vs, vf)
	if len(keys) != len(values) {
		panic(r2g_shm_payload_error(fmt.Sprintf("%d keys but %d values", len(keys), len(values))))
	}
	m := make(map[K]V, len(keys))
	for i, k := range keys {
		m[k] = values[i]
	}
	return m
}

// r2g_shm_map_lists splits a map once, so keys and values are written in one order.
func r2g_shm_map_lists[K comparable, V any](m map[K]V) ([]K, []V) {
	ks, vs := make([]K, 0, len(m)), make([]V, 0, len(m))
	for k, v := range m {
		ks = append(ks, k)
		vs = append(vs, v)
	}
	return ks, vs
}

func r2g_shm_rd_bool(b []byte, at int) bool { return b[at] != 0 }
func r2g_shm_wr_bool(b []byte, at, cur int, v *bool) int {
	b[at] = 0
	if *v {
		b[at] = 1
	}
	return cur
}
func r2g_shm_rd_u8(b []byte, at int) uint8 { return b[at] }
func r2g_shm_wr_u8(b []byte, at, cur int, v *uint8) int {
	b[at] = *v
	return cur
}
func r2g_shm_rd_i8(b []byte, at int) int8 { return int8(b[at]) }
func r2g_shm_wr_i8(b []byte, at, cur int, v *int8) int {
	b[at] = uint8(*v)
	return cur
}
func r2g_shm_rd_u16(b []byte, at int) uint16 { return binary.LittleEndian.Uint16(b[at:]) }
func r2g_shm_wr_u16(b []byte, at, cur int, v *uint16) int {
	binary.LittleEndian.PutUint16(b[at:], *v)
	return cur
}
func r2g_shm_rd_i16(b []byte, at int) int16 { return int16(r2g_shm_rd_u16(b, at)) }
func r2g_shm_wr_i16(b []byte, at, cur int, v *int16) int {
	binary.LittleEndian.PutUint16(b[at:], uint16(*v))
	return cur
}
func r2g_shm_rd_u32(b []byte, at int) uint32 { return binary.LittleEndian.Uint32(b[at:]) }
func r2g_shm_wr_u32(b []byte, at, cur int, v *uint32) int {
	binary.LittleEndian.PutUint32(b[at:], *v)
	return cur
}
func r2g_shm_rd_i32(b []byte, at int) int32 { return int32(r2g_shm_rd_u32(b, at)) }
func r2g_shm_wr_i32(b []byte, at, cur int, v *int32) int {
	binary.LittleEndian.PutUint32(b[at:], uint32(*v))
	return cur
}
func r2g_shm_rd_char(b []byte, at int) rune { return rune(r2g_shm_rd_u32(b, at)) }
func r2g_shm_wr_char(b []byte, at, cur int, v *rune) int {
	binary.LittleEndian.PutUint32(b[at:], uint32(*v))
	return cur
}
func r2g_shm_rd_u64(b []byte, at int) uint64 { return binary.LittleEndian.Uint64(b[at:]) }
func r2g_shm_wr_u64(b []byte, at, cur int, v *uint64) int {
	binary.LittleEndian.PutUint64(b[at:], *v)
	return cur
}
func r2g_shm_rd_i64(b []byte, at int) int64 { return int64(r2g_shm_rd_u64(b, at)) }
func r2g_shm_wr_i64(b []byte, at, cur int, v *int64) int {
	binary.LittleEndian.PutUint64(b[at:], uint64(*v))
	return cur
}
func r2g_shm_rd_usize(b []byte, at int) uint { return uint(r2g_shm_rd_u64(b, at)) }
func r2g_shm_wr_usize(b []byte, at, cur int, v *uint) int {
	binary.LittleEndian.PutUint64(b[at:], uint64(*v))
	return cur
}
func r2g_shm_rd_isize(b []byte, at int) int { return int(r2g_shm_rd_u64(b, at)) }
func r2g_shm_wr_isize(b []byte, at, cur int, v *int) int {
	binary.LittleEndian.PutUint64(b[at:], uint64(*v))
	return cur
}
func r2g_shm_rd_f32(b []byte, at int) float32 { return math.Float32frombits(r2g_shm_rd_u32(b, at)) }
func r2g_shm_wr_f32(b []byte, at, cur int, v *float32) int {
	binary.LittleEndian.PutUint32(b[at:], math.Float32bits(*v))
	return cur
}
func r2g_shm_rd_f64(b []byte, at int) float64 { return math.Float64frombits(r2g_shm_rd_u64(b, at)) }
func r2g_shm_wr_f64(b []byte, at, cur int, v *float64) int {
	binary.LittleEndian.PutUint64(b[at:], math.Float64bits(*v))
	return cur
}
