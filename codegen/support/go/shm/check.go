// ---- check64: the integrity check every cell carries (algorithm: shm/layout.py) ----

func r2g_shm_mix(a, w uint64) uint64 {
	return bits.RotateLeft64((a^w)*r2g_shm_CHECK_K1, int(r2g_shm_CHECK_ROT))
}

// r2g_shm_check64 is the check of cell c (its fields slot..status) announcing payload p;
// len(p) must be c.length. Four independent lanes so their multiplies overlap.
func r2g_shm_check64(c *r2g_shm_cell, p []byte) uint64 {
	l0 := (uint64(c.slot) | uint64(c.gen)<<32) ^ r2g_shm_CHECK_K2
	l1 := (uint64(c.method) | uint64(c.length)<<32) ^ r2g_shm_CHECK_K3
	l2 := (uint64(c.kind) | uint64(c.status)<<32) ^ r2g_shm_CHECK_K1
	l3 := r2g_shm_CHECK_K2 ^ r2g_shm_CHECK_K3
	const block = 8 * int(r2g_shm_CHECK_LANES)
	for len(p) >= block {
		l0 = r2g_shm_mix(l0, binary.LittleEndian.Uint64(p[0:8]))
		l1 = r2g_shm_mix(l1, binary.LittleEndian.Uint64(p[8:16]))
		l2 = r2g_shm_mix(l2, binary.LittleEndian.Uint64(p[16:24]))
		l3 = r2g_shm_mix(l3, binary.LittleEndian.Uint64(p[24:32]))
		p = p[block:]
	}
	if len(p) > 0 { // the last block, zero-padded (on the stack)
		var t [block]byte
		copy(t[:], p)
		l0 = r2g_shm_mix(l0, binary.LittleEndian.Uint64(t[0:8]))
		l1 = r2g_shm_mix(l1, binary.LittleEndian.Uint64(t[8:16]))
		l2 = r2g_shm_mix(l2, binary.LittleEndian.Uint64(t[16:24]))
		l3 = r2g_shm_mix(l3, binary.LittleEndian.Uint64(t[24:32]))
	}
	h := r2g_shm_mix(r2g_shm_mix(r2g_shm_mix(r2g_shm_mix(r2g_shm_CHECK_K3, l0), l1), l2), l3)
	h ^= h >> 33
	h *= r2g_shm_CHECK_K2
	h ^= h >> 29
	h *= r2g_shm_CHECK_K3
	return h ^ h>>32
}
