// ---- the segments this process serves ----

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
