// ---- payload codec (docs/shm-codegen.md "Payload format"): Refs at `at`, children
// from the cursor; readers view strings and numeric slices in place (zero-copy: valid
// while the method runs, like the cgo path's lent arguments).

type r2g_shm_payload_error string

func r2g_shm_round8(n int) int { return (n + 7) &^ 7 }

func r2g_shm_ref(b []byte, at, elem int) (int, int) {
	off := int(binary.LittleEndian.Uint64(b[at:]))
	n := int(binary.LittleEndian.Uint64(b[at+8:]))
	if n > 0 && (off < 0 || n < 0 || off > len(b) || n > (len(b)-off)/elem) {
		panic(r2g_shm_payload_error(fmt.Sprintf("%d items at offset %d overrun the %d-byte payload", n, off, len(b))))
	}
	return off, n
}

func r2g_shm_put_ref(b []byte, at, off, n int) {
	binary.LittleEndian.PutUint64(b[at:], uint64(off))
	binary.LittleEndian.PutUint64(b[at+8:], uint64(n))
}

func r2g_shm_sz0[T any](*T) int { return 0 }

func r2g_shm_rd_str(b []byte, at int) string {
	off, n := r2g_shm_ref(b, at, 1)
	if n == 0 {
		return ""
	}
	// A string header over the payload bytes, spelled so that a `go 1.18` module builds
	// it (unsafe.String is Go 1.20).
	return *(*string)(unsafe.Pointer(&struct {
		p *byte
		n int
	}{&b[off], n}))
}

func r2g_shm_sz_str(v *string) int { return r2g_shm_round8(len(*v)) }

func r2g_shm_wr_str(b []byte, at, cur int, v *string) int {
	n := len(*v)
	if n == 0 {
		r2g_shm_put_ref(b, at, 0, 0)
		return cur
	}
	r2g_shm_put_ref(b, at, cur, n)
	copy(b[cur:], *v)
	return cur + r2g_shm_round8(n)
}

func r2g_shm_rd_list[T any](b []byte, at, size int, elem func([]byte, int) T) []T {
	off, n := r2g_shm_ref(b, at, size)
	out := make([]T, n)
	for i := range out {
		out[i] = elem(b, off+i*size)
	}
	return out
}

// r2g_shm_view_list: numeric elements in place (arrays are 8-aligned in a 64-aligned area).
func r2g_shm_view_list[T any](b []byte, at, size int) []T {
	off, n := r2g_shm_ref(b, at, size)
	if n == 0 {
		return []T{}
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[off])), n)
}

func r2g_shm_sz_list[T any](v []T, size int, child func(*T) int) int {
	if len(v) == 0 {
		return 0
	}
	total := r2g_shm_round8(len(v) * size)
	for i := range v {
		total += child(&v[i])
	}
	return total
}

func r2g_shm_wr_list[T any](b []byte, at, cur int, v []T, size int, elem func([]byte, int, int, *T) int) int {
	if len(v) == 0 {
		r2g_shm_put_ref(b, at, 0, 0)
		return cur
	}
	r2g_shm_put_ref(b, at, cur, len(v))
	base := cur
	cur += r2g_shm_round8(len(v) * size)
	for i := range v {
		cur = elem(b, base+i*size, cur, &v[i])
	}
	return cur
}

func r2g_shm_rd_opt[T any](b []byte, at, size int, elem func([]byte, int) T) *T {
	items := r2g_shm_rd_list(b, at, size, elem)
	if len(items) > 1 {
		panic(r2g_shm_payload_error(fmt.Sprintf("an Option with %d elements", len(items))))
	}
	if len(items) == 0 {
		return nil
	}
	return &items[0]
}

func r2g_shm_opt_list[T any](v *T) []T {
	if v == nil {
		return nil
	}
	return []T{*v}
}

func r2g_shm_rd_map[K comparable, V any](b []byte, at, ks, vs int, kf func([]byte, int) K, vf func([]byte, int) V) map[K]V {
	keys := r2g_shm_rd_list(b, at, ks, kf)
	values := r2g_shm_rd_list(b, at+16, vs, vf)
	if len(keys) != len(values) {
		panic(r2g_shm_payload_error(fmt.Sprintf("%d keys but %d values", len(keys), len(values))))
	}
	m := make(map[K]V, len(keys))
	for i, k := range keys {
		m[k] = values[i]
	}
	return m
}

// r2g_shm_map_lists splits a map once, so keys and values are written in one order.
func r2g_shm_map_lists[K comparable, V any](m map[K]V) ([]K, []V) {
	ks, vs := make([]K, 0, len(m)), make([]V, 0, len(m))
	for k, v := range m {
		ks = append(ks, k)
		vs = append(vs, v)
	}
	return ks, vs
}

func r2g_shm_rd_bool(b []byte, at int) bool { return b[at] != 0 }
func r2g_shm_wr_bool(b []byte, at, cur int, v *bool) int {
	b[at] = 0
	if *v {
		b[at] = 1
	}
	return cur
}
func r2g_shm_rd_u8(b []byte, at int) uint8 { return b[at] }
func r2g_shm_wr_u8(b []byte, at, cur int, v *uint8) int {
	b[at] = *v
	return cur
}
func r2g_shm_rd_i8(b []byte, at int) int8 { return int8(b[at]) }
func r2g_shm_wr_i8(b []byte, at, cur int, v *int8) int {
	b[at] = uint8(*v)
	return cur
}
func r2g_shm_rd_u16(b []byte, at int) uint16 { return binary.LittleEndian.Uint16(b[at:]) }
func r2g_shm_wr_u16(b []byte, at, cur int, v *uint16) int {
	binary.LittleEndian.PutUint16(b[at:], *v)
	return cur
}
func r2g_shm_rd_i16(b []byte, at int) int16 { return int16(r2g_shm_rd_u16(b, at)) }
func r2g_shm_wr_i16(b []byte, at, cur int, v *int16) int {
	binary.LittleEndian.PutUint16(b[at:], uint16(*v))
	return cur
}
func r2g_shm_rd_u32(b []byte, at int) uint32 { return binary.LittleEndian.Uint32(b[at:]) }
func r2g_shm_wr_u32(b []byte, at, cur int, v *uint32) int {
	binary.LittleEndian.PutUint32(b[at:], *v)
	return cur
}
func r2g_shm_rd_i32(b []byte, at int) int32 { return int32(r2g_shm_rd_u32(b, at)) }
func r2g_shm_wr_i32(b []byte, at, cur int, v *int32) int {
	binary.LittleEndian.PutUint32(b[at:], uint32(*v))
	return cur
}
func r2g_shm_rd_char(b []byte, at int) rune { return rune(r2g_shm_rd_u32(b, at)) }
func r2g_shm_wr_char(b []byte, at, cur int, v *rune) int {
	binary.LittleEndian.PutUint32(b[at:], uint32(*v))
	return cur
}
func r2g_shm_rd_u64(b []byte, at int) uint64 { return binary.LittleEndian.Uint64(b[at:]) }
func r2g_shm_wr_u64(b []byte, at, cur int, v *uint64) int {
	binary.LittleEndian.PutUint64(b[at:], *v)
	return cur
}
func r2g_shm_rd_i64(b []byte, at int) int64 { return int64(r2g_shm_rd_u64(b, at)) }
func r2g_shm_wr_i64(b []byte, at, cur int, v *int64) int {
	binary.LittleEndian.PutUint64(b[at:], uint64(*v))
	return cur
}
func r2g_shm_rd_usize(b []byte, at int) uint { return uint(r2g_shm_rd_u64(b, at)) }
func r2g_shm_wr_usize(b []byte, at, cur int, v *uint) int {
	binary.LittleEndian.PutUint64(b[at:], uint64(*v))
	return cur
}
func r2g_shm_rd_isize(b []byte, at int) int { return int(r2g_shm_rd_u64(b, at)) }
func r2g_shm_wr_isize(b []byte, at, cur int, v *int) int {
	binary.LittleEndian.PutUint64(b[at:], uint64(*v))
	return cur
}
func r2g_shm_rd_f32(b []byte, at int) float32 { return math.Float32frombits(r2g_shm_rd_u32(b, at)) }
func r2g_shm_wr_f32(b []byte, at, cur int, v *float32) int {
	binary.LittleEndian.PutUint32(b[at:], math.Float32bits(*v))
	return cur
}
func r2g_shm_rd_f64(b []byte, at int) float64 { return math.Float64frombits(r2g_shm_rd_u64(b, at)) }
func r2g_shm_wr_f64(b []byte, at, cur int, v *float64) int {
	binary.LittleEndian.PutUint64(b[at:], math.Float64bits(*v))
	return cur
}
