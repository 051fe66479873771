// ---- the segment: create, lay out, close ----
//
//	segment  CREATING -store-> SERVING -store, post caller-> DRAINING -> CLOSED, unlink

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

// r2g_shm_is_at: whether the file open at fd is the one at path.
func r2g_shm_is_at(fd int, path string) bool {
	var st, f syscall.Stat_t
	if syscall.Stat(path, &st) != nil || syscall.Fstat(fd, &f) != nil {
		return false
	}
	return st.Dev == f.Dev && st.Ino == f.Ino
}

// r2g_shm_remove_if_dead unlinks the lock file at path unless its owner lives, and only
// while holding its lock: an owner that locked it first keeps it, and one that opened it
// but locks it afterwards sees it gone and takes a new one (r2g_shm_take_lock). A plain
// "probe, then unlink" would remove the file of a new owner that came in between.
func r2g_shm_remove_if_dead(path string) {
	fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer syscall.Close(fd)
	if syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB) == nil && r2g_shm_is_at(fd, path) {
		_ = os.Remove(path)
	}
}

// r2g_shm_take_lock: LOCK_EX on the lock file at path, created if need be, for life (the
// fd); again if the file was removed as a dead owner's between the open and the lock.
func r2g_shm_take_lock(path string) (int, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDWR|syscall.O_CREAT|syscall.O_CLOEXEC, r2g_shm_MODE)
		if err != nil {
			return -1, fmt.Errorf("%s: %w", path, err)
		}
		if err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			syscall.Close(fd)
			return -1, fmt.Errorf("%s: %w", path, err)
		}
		if r2g_shm_is_at(fd, path) {
			return fd, nil
		}
		syscall.Close(fd)
	}
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
	r2g_shm_remove_if_dead(lockPath)
	fd, err := r2g_shm_take_lock(lockPath)
	if err != nil {
		return nil, err
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
	w := s.getScratch()
	for !s.broken.Load() {
		c, _, ok, _ := s.pop(s.g.reqRingOff, s.g.reqRingCap, nil) // answered unread
		if !ok {
			break
		}
		if uintptr(c.slot) < s.g.slots {
			s.answerMsg(c, r2g_shm_CALL_STATUS_CALLEE_CLOSING, "callee is shutting down", w)
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
