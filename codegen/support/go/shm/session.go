// ---- the caller's session: attach, violations, recycle ----

//	caller   DETACHED|dead ATTACHED|dead BROKEN -CAS-> RESETTING -reset rings+slots-> VACANT
//	         ATTACHED with caller_pid 0 seen for r2g_shm_ATTACH_GRACE in one session
//	           (an attacher died between its state CAS and its pid store) -CAS-> RESETTING
//	session  a protocol violation (a request cell out of sequence, naming no slot or
//	         failing its check, a completion ring full for r2g_shm_FULL_PATIENCE) ends
//	         the caller's session, never the callee:
//	         serving -violation-> broken: log the field; CAS caller_state ATTACHED ->
//	           BROKEN, ring the caller; stop popping and answering (nothing in the rings
//	           can be trusted; the caller fails its pending calls itself)
//	         broken -caller detached (BROKEN -> DETACHED), died, or r2g_shm_BROKEN_GRACE
//	           passed (it ignores BROKEN) -> recycle -> serving
//	         a violation with no caller attached recycles at once (VACANT -> RESETTING)
//	         a caller_state that is no CallerState is a violation and becomes BROKEN; a
//	         segment_state other than SERVING before close (only the callee writes it)
//	         is a violation and is stored back

// violation ends the caller's session over a protocol violation (the session comment above).
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

// repairCallerParked: only an attached caller writes caller_parked and attachers refuse
// anything but 0 or 1, so a stray write while no caller is attached would refuse every
// caller to come; with none attached the flag has no owner, and the callee stores 0.
func (s *r2g_shm_server) repairCallerParked() {
	p := s.u32(r2g_shm_HEADER_CALLER_PARKED)
	if v := atomic.LoadUint32(p); v > 1 && atomic.CompareAndSwapUint32(p, v, 0) {
		r2g_shm_log(fmt.Sprintf("shm segment /%s: header.caller_parked=%d is not 0 or 1 with no caller attached: stored 0", s.stem, v))
	}
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
	if st == r2g_shm_CALLER_STATE_VACANT {
		s.repairCallerParked()
	}
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
		r2g_shm_remove_if_dead(r2g_shm_lock_path(s.stem, r2g_shm_CALLER_LOCK_SUFFIX+fmt.Sprint(pid)))
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
