package shmtest

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
)

const vectorDir = "../shm/vectors/"

// vectorPayload is shm/vectors.py check_payload: n bytes counting up from 3 in steps of 7.
func vectorPayload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(3 + 7*i)
	}
	return b
}

type checkVector struct {
	Slot, Generation, Method, Length, Kind, Status uint32
	Check                                          string
}

func checkVectors(t *testing.T) []checkVector {
	raw, err := os.ReadFile(vectorDir + "check.json")
	if err != nil {
		t.Fatal(err)
	}
	var vectors []checkVector
	if err := json.Unmarshal(raw, &vectors); err != nil {
		t.Fatal(err)
	}
	return vectors
}

func TestCheck64MatchesEveryVector(t *testing.T) {
	vectors := checkVectors(t)
	if len(vectors) < 12 {
		t.Fatalf("%d vectors; shm/vectors.py writes one per CHECK_LENGTHS entry", len(vectors))
	}
	for _, v := range vectors {
		c := r2g_shm_cell{v.Slot, v.Generation, v.Method, v.Length, v.Kind, v.Status, 0}
		if got := fmt.Sprintf("%016x", r2g_shm_check64(&c, vectorPayload(int(v.Length)))); got != v.Check {
			t.Errorf("%+v: check64 %s, want %s", v, got, v.Check)
		}
	}
}

func TestCheck64OfTheGoldenCell(t *testing.T) {
	b, err := os.ReadFile(vectorDir + "cell.bin")
	if err != nil {
		t.Fatal(err)
	}
	if uintptr(len(b)) != r2g_shm_CELL_SIZE {
		t.Fatalf("cell.bin has %d bytes, CELL_SIZE is %d", len(b), r2g_shm_CELL_SIZE)
	}
	f := func(off uintptr) uint32 { return binary.LittleEndian.Uint32(b[off:]) }
	c := r2g_shm_cell{f(r2g_shm_CELL_SLOT), f(r2g_shm_CELL_GENERATION), f(r2g_shm_CELL_METHOD),
		f(r2g_shm_CELL_LENGTH), f(r2g_shm_CELL_KIND), f(r2g_shm_CELL_STATUS), 0}
	want := binary.LittleEndian.Uint64(b[r2g_shm_CELL_CHECK:])
	if got := r2g_shm_check64(&c, vectorPayload(int(c.length))); got != want {
		t.Fatalf("%+v: check64 %#x, cell.bin says %#x", c, got, want)
	}
}

func TestCheck64AllocatesNothing(t *testing.T) {
	c := r2g_shm_cell{slot: 1, gen: 2, method: 3, kind: r2g_shm_CELL_KIND_CALL}
	for _, n := range []int{0, 33, 4096} {
		p := vectorPayload(n)
		c.length = uint32(n)
		if a := testing.AllocsPerRun(100, func() { r2g_shm_check64(&c, p) }); a != 0 {
			t.Fatalf("%d bytes: %v allocations per check64", n, a)
		}
	}
}

// calleeCapacity: the request and response capacity of callee's servers, room for
// payloads too long to travel in a cell.
const calleeCapacity = 256

// callee: a server answering with h, a caller attached, its log kept.
func callee(t *testing.T, h r2g_shm_handler) (*r2g_shm_server, *strings.Builder) {
	t.Helper()
	s := server(t, 2, calleeCapacity)
	s.handle = h
	atomic.StoreUint32(s.u32(r2g_shm_HEADER_CALLER_STATE), r2g_shm_CALLER_STATE_ATTACHED)
	var log strings.Builder
	prev := r2g_shm_log
	r2g_shm_log = func(msg string) { log.WriteString(msg + "\n") }
	t.Cleanup(func() { r2g_shm_log = prev })
	return s, &log
}

// request does what a caller does: a long payload into the slot's request area, the
// a cell carrying the check of its fields and the payload pushed (a short payload in the
// cell: push copies it there and computes the check); the slot word is left alone, as a
// caller leaves it.
func request(t *testing.T, s *r2g_shm_server, slot, gen, method, kind uint32, payload []byte) {
	t.Helper()
	c := r2g_shm_cell{slot: slot, gen: gen, method: method, length: uint32(len(payload)), kind: kind}
	if len(payload) > int(r2g_shm_CELL_INLINE_MAX) {
		copy(s.reqArea(slot), payload)
		c.check = r2g_shm_check64(&c, payload)
	}
	if got, _ := s.push(s.g.reqRingOff, s.g.reqRingCap, c, payload); got != 1 {
		t.Fatal("request ring full")
	}
}

// payloadOf: where the payload cell c (at offset cell) announces is: its inline bytes
// when short, else its slot's request (CALL, ONEWAY) or response (REPLY) area.
func payloadOf(s *r2g_shm_server, cell uintptr, c r2g_shm_cell) []byte {
	switch {
	case uintptr(c.length) <= r2g_shm_CELL_INLINE_MAX:
		return s.cellInline(cell, c.length)
	case c.kind == r2g_shm_CELL_KIND_REPLY:
		return s.respArea(c.slot)[:c.length]
	}
	return s.reqArea(c.slot)[:c.length]
}

// nextCell: the offset of the cell the next pop of ring takes.
func nextCell(s *r2g_shm_server, ring, capacity uintptr) uintptr {
	return s.cellAt(ring, capacity, atomic.LoadUint64(s.u64(ring+r2g_shm_RING_DEQUEUE_POS)))
}

// lastRequest: the offset of the cell request pushed last.
func lastRequest(s *r2g_shm_server) uintptr {
	pos := atomic.LoadUint64(s.u64(s.g.reqRingOff+r2g_shm_RING_ENQUEUE_POS)) - 1
	return s.cellAt(s.g.reqRingOff, s.g.reqRingCap, pos)
}

func takeOne(t *testing.T, s *r2g_shm_server, w *r2g_shm_scratch) {
	t.Helper()
	c, sum, ok, bad := s.pop(s.g.reqRingOff, s.g.reqRingCap, w)
	if !ok {
		t.Fatalf("no request to take (%q)", bad)
	}
	s.take(c, sum, w)
}

// completion pops one completion and checks it the way a caller does: over its reply
// bytes in the cell or in the response area (read after the pop: nobody pushes meanwhile).
func completion(t *testing.T, s *r2g_shm_server) (r2g_shm_cell, string) {
	t.Helper()
	cell := nextCell(s, s.g.compRingOff, s.g.compRingCap)
	c, _, ok, _ := s.pop(s.g.compRingOff, s.g.compRingCap, nil)
	if !ok {
		t.Fatal("no completion")
	}
	reply := payloadOf(s, cell, c)
	if sum := r2g_shm_check64(&c, reply); sum != c.check {
		t.Fatalf("completion %+v: check %#x, its reply %q checks %#x", c, c.check, reply, sum)
	}
	return c, string(reply)
}

// echo: method 1 answers its request reversed; 2 fails; 3 panics; others are unknown.
func echo(method uint32, req []byte, w *r2g_shm_scratch) (int, uint32, string) {
	switch method {
	case 1:
		b := w.reply(len(req))
		for i := range req {
			b[i] = req[len(req)-1-i]
		}
		return len(b), r2g_shm_CALL_STATUS_OK, ""
	case 2:
		return 0, r2g_shm_CALL_STATUS_HANDLER_ERROR, "no: " + string(req)
	case 3:
		panic("boom")
	}
	return 0, r2g_shm_CALL_STATUS_UNKNOWN_METHOD, fmt.Sprintf("method %d", method)
}

func TestEveryCompletionCarriesTheCheckOfItsReply(t *testing.T) {
	s, log := callee(t, echo)
	w := s.getScratch()
	for _, tc := range []struct {
		method, kind, status uint32
		reply                string
	}{
		{1, r2g_shm_CELL_KIND_CALL, r2g_shm_CALL_STATUS_OK, "olleh"},
		{1, r2g_shm_CELL_KIND_ONEWAY, r2g_shm_CALL_STATUS_OK, ""},
		{2, r2g_shm_CELL_KIND_CALL, r2g_shm_CALL_STATUS_HANDLER_ERROR, "no: hello"},
		{3, r2g_shm_CELL_KIND_CALL, r2g_shm_CALL_STATUS_HANDLER_ERROR, "go panic: boom"},
		{9, r2g_shm_CELL_KIND_CALL, r2g_shm_CALL_STATUS_UNKNOWN_METHOD, "method 9"},
	} {
		request(t, s, 1, 5, tc.method, tc.kind, []byte("hello"))
		takeOne(t, s, w)
		if c, reply := completion(t, s); c.status != tc.status || reply != tc.reply || c.method != tc.method {
			t.Fatalf("method %d kind %d: completion %+v %q", tc.method, tc.kind, c, reply)
		}
	}
	// a caller that gave up: ABANDONED, no reply
	request(t, s, 0, 6, 1, r2g_shm_CELL_KIND_CALL, []byte("x"))
	atomic.StoreUint64(s.slotWord(0), uint64(6)<<32|uint64(r2g_shm_SLOT_STATE_ABANDONED))
	takeOne(t, s, w)
	if c, reply := completion(t, s); c.status != r2g_shm_CALL_STATUS_ABANDONED || reply != "" {
		t.Fatalf("abandoned: %+v %q", c, reply)
	}
	// the quit handshake's answer, cut to the response capacity
	s.answerMsg(r2g_shm_cell{slot: 0, gen: 7, method: 4}, r2g_shm_CALL_STATUS_CALLEE_CLOSING, strings.Repeat("z", 300), w)
	if c, reply := completion(t, s); c.status != r2g_shm_CALL_STATUS_CALLEE_CLOSING || reply != strings.Repeat("z", calleeCapacity) {
		t.Fatalf("closing: %+v %q", c, reply)
	}
	if log.Len() != 0 || s.broken.Load() {
		t.Fatalf("a violation: %s", log)
	}
}

// A request is refused when a byte of it changed after its check was computed: of its
// payload, in the cell (short) or in the slot's request area (long), or of a cell field.
func TestARequestWithAFlippedPayloadByteOrCellFieldIsRefused(t *testing.T) {
	inlineMax := int(r2g_shm_CELL_INLINE_MAX)
	// short with a whole block and a partial one; exactly the cell's room; long
	for _, n := range []int{40, inlineMax, inlineMax + 32} {
		payload := vectorPayload(n)
		type corrupt struct {
			what string
			do   func(s *r2g_shm_server, cell uintptr)
		}
		var cases []corrupt
		for _, i := range []int{0, 7, 8, 31, 32, n - 1} {
			i := i
			cases = append(cases, corrupt{fmt.Sprintf("payload byte %d", i), func(s *r2g_shm_server, cell uintptr) {
				if n <= inlineMax {
					s.mem[cell+r2g_shm_CELL_INLINE+uintptr(i)] ^= 0x10
				} else {
					s.reqArea(1)[i] ^= 0x10
				}
			}})
		}
		for _, f := range []struct {
			name string
			off  uintptr
			xor  uint32
		}{
			{"slot", r2g_shm_CELL_SLOT, 1}, // slot 0 holds the same payload
			{"generation", r2g_shm_CELL_GENERATION, 1 << 31},
			{"method", r2g_shm_CELL_METHOD, 2},
			{"length", r2g_shm_CELL_LENGTH, 8},         // still within the capacity, on the same side of CELL_INLINE_MAX
			{"length low bit", r2g_shm_CELL_LENGTH, 1}, // 88 -> 89: the area is read instead of the cell
			{"kind", r2g_shm_CELL_KIND, r2g_shm_CELL_KIND_CALL ^ r2g_shm_CELL_KIND_ONEWAY},
			{"status", r2g_shm_CELL_STATUS, 1},
			{"check low half", r2g_shm_CELL_CHECK, 1},
			{"check high half", r2g_shm_CELL_CHECK + 4, 1 << 31},
		} {
			f := f
			cases = append(cases, corrupt{"cell." + f.name, func(s *r2g_shm_server, cell uintptr) {
				*s.u32(cell + f.off) ^= f.xor
			}})
		}
		for _, tc := range cases {
			what := fmt.Sprintf("%d bytes, %s", n, tc.what)
			ran := false
			s, log := callee(t, func(method uint32, req []byte, w *r2g_shm_scratch) (int, uint32, string) {
				ran = true
				return 0, r2g_shm_CALL_STATUS_OK, ""
			})
			copy(s.reqArea(0), payload)
			request(t, s, 1, 9, 1, r2g_shm_CELL_KIND_CALL, payload)
			cell := lastRequest(s)
			tc.do(s, cell)
			w := s.getScratch()
			c, sum, ok, _ := s.pop(s.g.reqRingOff, s.g.reqRingCap, w)
			if !ok {
				t.Fatalf("%s: nothing popped", what)
			}
			want := r2g_shm_check64(&c, payloadOf(s, cell, c))
			if uintptr(c.length) <= r2g_shm_CELL_INLINE_MAX && sum != want {
				t.Fatalf("%s: pop's check of the cell's payload %#x, want %#x", what, sum, want)
			}
			s.take(c, sum, w)
			if ran {
				t.Fatalf("%s: the handler ran", what)
			}
			if !s.broken.Load() || atomic.LoadUint32(s.u32(r2g_shm_HEADER_CALLER_STATE)) != r2g_shm_CALLER_STATE_BROKEN {
				t.Fatalf("%s: the session was not ended", what)
			}
			if _, _, ok, _ := s.pop(s.g.compRingOff, s.g.compRingCap, nil); ok {
				t.Fatalf("%s: answered", what)
			}
			msg := fmt.Sprintf("protocol violation: request_ring cell.check=0x%016x of slot %d does not match 0x%016x", c.check, c.slot, want)
			if !strings.Contains(log.String(), msg) {
				t.Fatalf("%s: log %q lacks %q", what, log, msg)
			}
		}
	}
}

// A request of at most CELL_INLINE_MAX bytes is read from its cell, before the cell is
// released (what the caller writes there next does not reach the handler), never from
// the request area; a longer one is read from the area, never from the cell.
func TestAShortRequestIsReadFromItsCellAndALongOneFromItsArea(t *testing.T) {
	var got []byte
	s, log := callee(t, func(method uint32, req []byte, w *r2g_shm_scratch) (int, uint32, string) {
		got = append(got[:0], req...)
		return 0, r2g_shm_CALL_STATUS_OK, ""
	})
	w := s.getScratch()
	inlineMax := int(r2g_shm_CELL_INLINE_MAX)
	for _, n := range []int{0, inlineMax - 1, inlineMax, inlineMax + 1, 200} {
		payload := vectorPayload(n)
		area := s.reqArea(1)
		for i := range area {
			area[i] = 0xee // what a short request must not be read from
		}
		request(t, s, 1, 4, 1, r2g_shm_CELL_KIND_CALL, payload)
		cell := lastRequest(s)
		inline := s.mem[cell+r2g_shm_CELL_INLINE : cell+r2g_shm_CELL_INLINE+r2g_shm_CELL_INLINE_MAX]
		if n > inlineMax {
			for i := range inline {
				inline[i] = 0xee // what a long request must not be read from
			}
		}
		c, sum, ok, _ := s.pop(s.g.reqRingOff, s.g.reqRingCap, w)
		if !ok {
			t.Fatalf("%d bytes: nothing popped", n)
		}
		for i := range inline {
			inline[i] = 0x55 // the released cell, reused by the caller
		}
		got = nil
		s.take(c, sum, w)
		if string(got) != string(payload) || log.Len() != 0 {
			t.Fatalf("%d bytes: the handler got %x, want %x (log %q)", n, got, payload, log)
		}
		if c, _ := completion(t, s); c.status != r2g_shm_CALL_STATUS_OK {
			t.Fatalf("%d bytes: completion %+v", n, c)
		}
	}
}

// A reply of at most CELL_INLINE_MAX bytes is written into its completion cell, with the
// check of its bytes, and the response area is left untouched; a longer one goes into
// the area.
func TestAShortReplyIsWrittenIntoItsCellAndALongOneIntoTheArea(t *testing.T) {
	s := server(t, 2, calleeCapacity)
	inlineMax := int(r2g_shm_CELL_INLINE_MAX)
	for _, n := range []int{0, inlineMax - 1, inlineMax, inlineMax + 1, 200} {
		area := s.respArea(1)
		for i := range area {
			area[i] = 0xee // a sentinel a short reply must leave in place
		}
		reply := vectorPayload(n)
		cell := nextCell(s, s.g.compRingOff, s.g.compRingCap)
		s.answer(r2g_shm_cell{slot: 1, gen: 7, method: 3}, r2g_shm_CALL_STATUS_OK, reply)
		c, _, ok, _ := s.pop(s.g.compRingOff, s.g.compRingCap, nil)
		want := r2g_shm_cell{slot: 1, gen: 7, method: 3, length: uint32(n), kind: r2g_shm_CELL_KIND_REPLY}
		want.check = r2g_shm_check64(&want, reply)
		if !ok || c != want {
			t.Fatalf("%d bytes: completion %+v, want %+v", n, c, want)
		}
		if n <= inlineMax {
			if inline := s.cellInline(cell, uint32(n)); string(inline) != string(reply) {
				t.Fatalf("%d bytes: the cell holds %x, want %x", n, inline, reply)
			}
			for i, b := range area {
				if b != 0xee {
					t.Fatalf("%d bytes: response area byte %d written (%#x)", n, i, b)
				}
			}
		} else if string(area[:n]) != string(reply) {
			t.Fatalf("%d bytes: the response area holds %x, want %x", n, area[:n], reply)
		}
	}
}

// A handler may keep what it decoded: a request copy it kept is never reused, while one
// nobody kept is, so answering allocates nothing.
func TestAKeptRequestCopyIsNeverReusedAndOthersAllocateNothing(t *testing.T) {
	var kept []string
	s, log := callee(t, func(method uint32, req []byte, w *r2g_shm_scratch) (int, uint32, string) {
		if method == 2 {
			w.keep()
			kept = append(kept, r2g_shm_rd_str(req, 0)) // a view of req, as generated readers make
		}
		return 0, r2g_shm_CALL_STATUS_OK, ""
	})
	w := s.getScratch()
	str := func(v string) []byte {
		b := make([]byte, 16+r2g_shm_round8(len(v)))
		r2g_shm_wr_str(b, 0, 16, &v)
		return b
	}
	call := func(method uint32, payload []byte) {
		request(t, s, 1, 3, method, r2g_shm_CELL_KIND_CALL, payload)
		takeOne(t, s, w)
		completion(t, s)
	}
	call(2, str("first"))
	call(1, str("overwrite"))
	call(2, str("second"))
	call(1, str("again and again"))
	if len(kept) != 2 || kept[0] != "first" || kept[1] != "second" {
		t.Fatalf("kept %q", kept)
	}
	for _, other := range [][]byte{str("no view"), str(strings.Repeat("too long for a cell", 6))} {
		if a := testing.AllocsPerRun(100, func() { call(1, other) }); a != 0 {
			t.Fatalf("%d bytes: %v allocations per call", len(other), a)
		}
	}
	if log.Len() != 0 {
		t.Fatal(log)
	}
}

func benchmarkCheck64(b *testing.B, n int) {
	p := vectorPayload(n)
	c := r2g_shm_cell{slot: 1, gen: 2, method: 3, length: uint32(n), kind: r2g_shm_CELL_KIND_REPLY}
	b.SetBytes(int64(n))
	var sink uint64
	for i := 0; i < b.N; i++ {
		sink += r2g_shm_check64(&c, p)
	}
	if sink == 1 {
		b.Log(sink)
	}
}

func BenchmarkCheck64_64B(b *testing.B)  { benchmarkCheck64(b, 64) }
func BenchmarkCheck64_4KiB(b *testing.B) { benchmarkCheck64(b, 4096) }

func TestCopyCheck64CopiesAndChecksEveryVector(t *testing.T) {
	for _, v := range checkVectors(t) {
		c := r2g_shm_cell{v.Slot, v.Generation, v.Method, v.Length, v.Kind, v.Status, 0}
		src := vectorPayload(int(v.Length))
		// an offset that is not a multiple of 8, and a destination longer than the copy
		for _, at := range []int{0, 3} {
			buf := make([]byte, at+len(src)+5)
			copy(buf[at:], src)
			dst := make([]byte, len(src)+9)
			got := fmt.Sprintf("%016x", r2g_shm_copy_check64(&c, dst, buf[at:at+len(src)]))
			if got != v.Check || string(dst[:len(src)]) != string(src) {
				t.Errorf("%+v at %d: copy and check64 %s, want %s (copy equal: %v)", v, at, got, v.Check,
					string(dst[:len(src)]) == string(src))
			}
			if a := testing.AllocsPerRun(10, func() { r2g_shm_copy_check64(&c, dst, buf[at:at+len(src)]) }); a != 0 {
				t.Fatalf("%d bytes: %v allocations", len(src), a)
			}
		}
	}
}
