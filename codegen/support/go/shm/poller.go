// ---- serving ----

//	poller   one current poller goroutine pops requests (spin 50 µs, yielding the
//	         goroutine every r2g_shm_SPIN_CHECK polls, and the core too after a burst, then
//	         park on the callee doorbell) and runs each handler inline (no goroutine
//	         spawn, no scheduler wake-up): inline = token while a handler runs, 0 after
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
	for !s.stop.Load() {
		if !s.broken.Load() {
			c, ok, bad := s.pop(s.g.reqRingOff, s.g.reqRingCap)
			if ok {
				if !s.take(c, w) {
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
		// ~50-300 ns, several times a ring poll) only every r2g_shm_SPIN_CHECK polls, so
		// a request that lands mid-spin is seen within a few ns, and the many short
		// gaps of a busy ring cost no clock read at all.
		if spins++; spins%r2g_shm_SPIN_CHECK != 0 {
			continue
		}
		if idle.IsZero() {
			idle = time.Now()
			s.control(false)
		}
		if time.Since(idle) < r2g_shm_SPIN {
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
