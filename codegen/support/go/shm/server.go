type r2g_shm_cell struct {
	slot, gen, method, length, kind, status uint32
	check                                   uint64
}

// r2g_shm_handler runs one method: arguments decoded from req (w's private copy of the
// request), reply encoded into w.resp[:n] (r2g_shm_reply).
type r2g_shm_handler func(method uint32, req []byte, w *r2g_shm_scratch) (n int, status uint32, msg string)

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
	scratch   sync.Pool // of *r2g_shm_scratch: the pollers' private payload bytes
	stop      atomic.Bool
	inflight  sync.WaitGroup
	pollers   sync.WaitGroup // the current poller and demoted ones finishing a handler
	inline    atomic.Uint64  // token (generation, slot+1) of the call the current poller runs inline; 0 between
	asleep    atomic.Bool    // the current poller is parked on the callee doorbell, or rests after a timed-out park
	parks     atomic.Uint64  // the poller's parks on the doorbell (tests count the idle ones)
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

// r2g_shm_PARK: the doorbell wait's timeout while a grace period runs (parkTimeout).
const r2g_shm_PARK = 20 * time.Millisecond

// r2g_shm_IDLE_PARK: the doorbell wait's timeout otherwise, the period of the caller
// liveness probe of an idle segment: each timeout wakes the Go runtime (a cgo call
// returning, the scheduler, sysmon), which a short period would turn into a steady cost.
const r2g_shm_IDLE_PARK = time.Second

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

// r2g_shm_SPIN_CHECK: ring polls between clock reads (and yields) while the poller spins
// after a burst of requests: several callers, whose threads may want this core back soon.
const r2g_shm_SPIN_CHECK = 64

// r2g_shm_SPIN_CHECK_LONE: the same after a lone request. Its caller's next request is
// not helped by a yield, and each check (the clock, the session check, a goroutine yield
// that can move the poller to another thread) delays a request that lands meanwhile: at
// 64 polls they came often enough to shape the sync call's p99.
const r2g_shm_SPIN_CHECK_LONE = 1024

// r2g_shm_SPIN: how long an idle poller spins before it parks on the doorbell.
const r2g_shm_SPIN = 50 * time.Microsecond

func (s *r2g_shm_server) u32(off uintptr) *uint32 { return (*uint32)(unsafe.Pointer(&s.mem[off])) }
func (s *r2g_shm_server) u64(off uintptr) *uint64 { return (*uint64)(unsafe.Pointer(&s.mem[off])) }
