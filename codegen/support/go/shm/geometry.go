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
