// ---- check64: the integrity check every cell carries (algorithm: shm/layout.py) ----

func r2g_shm_mix(a, w uint64) uint64 {
	return bits.RotateLeft64((a^w)*r2g_shm_CHECK_K1, int(r2g_shm_CHECK_ROT))
}

// r2g_shm_check64 is the check of cell c (its fields slot..status) announcing payload p;
// len(p) must be c.length.
func r2g_shm_check64(c *r2g_shm_cell, p []byte) uint64 {
	return r2g_shm_copy_check64(c, nil, p)
}

// r2g_shm_copy_check64 copies src into dst (nil: no copy) and returns the check of cell
// c announcing exactly the bytes copied: each word is loaded once, stored and mixed from
// the same register, so a racing writer of src can change what dst holds, never make it
// differ from what was checked; and the copy's loads (cache misses when src is shared
// memory another core wrote) overlap the check's multiply chains instead of coming
// before them. Four independent lanes so their multiplies overlap. len(src) must be
// c.length, len(dst) at least that.
func r2g_shm_copy_check64(c *r2g_shm_cell, dst, src []byte) uint64 {
	l0 := (uint64(c.slot) | uint64(c.gen)<<32) ^ r2g_shm_CHECK_K2
	l1 := (uint64(c.method) | uint64(c.length)<<32) ^ r2g_shm_CHECK_K3
	l2 := (uint64(c.kind) | uint64(c.status)<<32) ^ r2g_shm_CHECK_K1
	l3 := r2g_shm_CHECK_K2 ^ r2g_shm_CHECK_K3
	const block = 8 * int(r2g_shm_CHECK_LANES)
	n := len(src)
	copying := dst != nil
	if copying {
		dst = dst[:n]
	}
	whole := n - n%block
	// The whole blocks: i+block <= whole <= n, so each block is in both slices. Words in
	// machine order: amd64 and arm64, the only targets, are little-endian. One loop per
	// case, indexed from fixed base pointers: that shape keeps the four lanes in
	// registers (a pointer-walking or single loop made Go's register allocator spill a
	// lane, putting a store and a load into its multiply chain and halving the speed).
	if whole > 0 {
		ps := unsafe.Pointer(&src[0])
		if copying {
			pd := unsafe.Pointer(&dst[0])
			for i := 0; i < whole; i += block {
				w0 := *(*uint64)(unsafe.Add(ps, i))
				w1 := *(*uint64)(unsafe.Add(ps, i+8))
				w2 := *(*uint64)(unsafe.Add(ps, i+16))
				w3 := *(*uint64)(unsafe.Add(ps, i+24))
				*(*uint64)(unsafe.Add(pd, i)) = w0
				*(*uint64)(unsafe.Add(pd, i+8)) = w1
				*(*uint64)(unsafe.Add(pd, i+16)) = w2
				*(*uint64)(unsafe.Add(pd, i+24)) = w3
				l0, l1, l2, l3 = r2g_shm_mix(l0, w0), r2g_shm_mix(l1, w1), r2g_shm_mix(l2, w2), r2g_shm_mix(l3, w3)
			}
		} else {
			for i := 0; i < whole; i += block {
				l0 = r2g_shm_mix(l0, *(*uint64)(unsafe.Add(ps, i)))
				l1 = r2g_shm_mix(l1, *(*uint64)(unsafe.Add(ps, i+8)))
				l2 = r2g_shm_mix(l2, *(*uint64)(unsafe.Add(ps, i+16)))
				l3 = r2g_shm_mix(l3, *(*uint64)(unsafe.Add(ps, i+24)))
			}
		}
	}
	if whole < n {
		// The last block is read once, zero-padded onto the stack (private whichever
		// side dst is), stored to dst and checked from there.
		var t [block]byte
		copy(t[:], src[whole:])
		if copying {
			copy(dst[whole:], t[:n-whole])
		}
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
