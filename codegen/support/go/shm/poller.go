// ---- serving ----

//	poller   one current poller goroutine pops requests (spin 50 µs, yielding the
//	         goroutine every r2g_shm_SPIN_CHECK polls (_LONE after a lone request), and
//	         the core too after a burst, then park on the callee doorbell) and runs
//	         each handler inline (no goroutine spawn, no scheduler wake-up): inline =
//	         token while a handler runs, 0 after
//	idle     a park times out after r2g_shm_IDLE_PARK (r2g_shm_PARK while a grace period
//	         runs: a broken session, ATTACHED with caller_pid 0) to probe the caller; after
//	         a timeout it parks again at once unless a request came: no spin, no watchdog
//	         (asleep stays set), so an idle segment wakes its process once per probe
//	watchdog while the poller is awake, every r2g_shm_STUCK: a handler still running
//	         under the token it saw one tick ago -CAS token->0-> start a new poller; the
//	         old one (its own CAS token->0 fails) answers that call and exits. Handlers may
//	         block: at most one poller is current, each slow handler costs one goroutine
//	         (<= one per slot), so calls stay concurrent.

// serve is a poller: it drains every queued request per wake-up, running handlers
// inline; it returns on stop, or once the watchdog replaced it during a slow handler.
func (s *r2g_shm_server) serve() {
	defer s.pollers.Done()
	w := s.getScratch()
	defer s.scratch.Put(w)
	var idle time.Time
	spins := 0
	served, crowded := 0, false // requests taken since the ring was last empty; more than one
	resting := false            // the last park timed out and no request came since
	for !s.stop.Load() {
		if !s.broken.Load() {
			c, sum, ok, bad := s.pop(s.g.reqRingOff, s.g.reqRingCap, w)
			if ok {
				if resting { // the watchdog slept through the timed-out park: wake it
					resting = false
					s.asleep.Store(false)
					s.nudge()
				}
				if !s.take(c, sum, w) {
					return // demoted: a new poller took over while the handler ran
				}
				idle, spins = time.Time{}, 0
				served++
				continue
			}
			if bad != "" {
				s.violation(bad)
			}
		}
		if served > 0 {
			crowded, served = served > 1, 0
		}
		// Spin on the ring word; the clock, the session check and the yields (each
		// ~50-300 ns, several times a ring poll) only every r2g_shm_SPIN_CHECK polls
		// (r2g_shm_SPIN_CHECK_LONE after a lone request), so a request that lands
		// mid-spin is seen within a few ns, and the many short gaps of a busy ring cost
		// no clock read at all. No spin after a timed-out park.
		check := r2g_shm_SPIN_CHECK_LONE
		if crowded {
			check = r2g_shm_SPIN_CHECK
		}
		if spins++; !resting && spins%check != 0 {
			continue
		}
		if idle.IsZero() && !resting {
			idle = time.Now()
			s.control(false)
		}
		if !resting && time.Since(idle) < r2g_shm_SPIN {
			// Requests that came in bursts mean several callers, whose threads may
			// be waiting for this core: it goes to them (a spinning poller would take
			// a share of the very CPU that produces its requests). A lone caller's
			// next request is not helped by a yield, which would only delay it.
			if crowded {
				syscall.RawSyscall(syscall.SYS_SCHED_YIELD, 0, 0, 0)
			}
			runtime.Gosched()
			continue
		}
		s.asleep.Store(true)
		s.parks.Add(1)
		woke := s.park(s.parkTimeout())
		if woke {
			s.asleep.Store(false)
			s.nudge()
		}
		resting = !woke
		idle = time.Time{}
		s.control(!woke)
	}
}

// parkTimeout: how long the poller sleeps on the doorbell before it probes the caller
// (the idle comment above). An attacher and a detaching caller ring the doorbell, so
// neither waits for the probe; the probe finds a caller that died while idle.
func (s *r2g_shm_server) parkTimeout() time.Duration {
	s.ctl.Lock()
	timing := !s.unclaimed.since.IsZero()
	s.ctl.Unlock()
	if timing || s.broken.Load() {
		return r2g_shm_PARK
	}
	return r2g_shm_IDLE_PARK
}

func (s *r2g_shm_server) nudge() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// watch is the watchdog of the comment above; idle while the poller is parked.
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
