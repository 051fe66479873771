// ---- doorbells ----

//	bell     waiter: swap(parked,1); fence; re-check; sem_timedwait; swap(parked,0)
//	         notifier: if parked && swap(parked,0)==1 { sem_post }

func (s *r2g_shm_server) ringCaller() {
	p := s.u32(r2g_shm_HEADER_CALLER_PARKED)
	if atomic.LoadUint32(p) == 1 && atomic.SwapUint32(p, 0) == 1 {
		C.sem_post(s.callerSem)
	}
}

// park sleeps on the callee doorbell for up to d; false only on a timeout.
func (s *r2g_shm_server) park(d time.Duration) bool {
	p := s.u32(r2g_shm_HEADER_CALLEE_PARKED)
	atomic.SwapUint32(p, 1) // Go atomics are sequentially consistent: this is the fence
	if s.stop.Load() || s.ready() {
		atomic.SwapUint32(p, 0)
		return true
	}
	woke := C.r2g_shm_sem_wait_ms(s.calleeSem, C.long(d/time.Millisecond)) == 0
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
