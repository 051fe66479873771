package shmtest

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// server: a callee over heap memory laid out by r2g_shm_plan, its header written and its
// session reset as r2g_shm_create does (no segment, no doorbells: nobody is parked).
func server(t *testing.T, slots, capacity uintptr) *r2g_shm_server {
	t.Helper()
	g := r2g_shm_plan(slots, capacity, capacity)
	words := make([]uint64, (g.size+7)/8) // 8-aligned, as a mapping is
	s := &r2g_shm_server{mem: unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), g.size), g: g}
	s.contract = r2g_shm_contract{0xabc, "svc.rs"}
	s.writeHeader()
	return s
}

func TestPlanLaysRegionsOutAlignedInOrderWithoutOverlap(t *testing.T) {
	for _, slots := range []uintptr{1, 2, 3, 16, 17} {
		g := r2g_shm_plan(slots, 100, 1000)
		if g.reqRingCap < slots || g.reqRingCap&(g.reqRingCap-1) != 0 || g.reqRingCap < r2g_shm_MIN_RING_CAPACITY {
			t.Fatalf("slots %d: ring capacity %d is not a power of two >= slots", slots, g.reqRingCap)
		}
		if g.compRingCap != g.reqRingCap || g.stride != 128+1024 {
			t.Fatalf("slots %d: %+v", slots, g)
		}
		regions := [][2]uintptr{
			{r2g_shm_HEADER_SIZE, 0},
			{g.reqRingOff, r2g_shm_RING_SIZE + g.reqRingCap*r2g_shm_CELL_SIZE},
			{g.compRingOff, r2g_shm_RING_SIZE + g.compRingCap*r2g_shm_CELL_SIZE},
			{g.slotOff, slots * r2g_shm_SLOT_SIZE},
			{g.payloadOff, slots * g.stride},
		}
		for i := 1; i < len(regions); i++ {
			prevEnd := regions[i-1][0] + regions[i-1][1]
			if regions[i][0]%r2g_shm_CACHE_LINE != 0 || regions[i][0] < prevEnd || regions[i][0]-prevEnd >= r2g_shm_CACHE_LINE {
				t.Fatalf("slots %d: region %d at %d after end %d", slots, i, regions[i][0], prevEnd)
			}
		}
		if g.size != g.payloadOff+slots*g.stride {
			t.Fatalf("slots %d: size %d", slots, g.size)
		}
	}
}

func TestHeaderCarriesGeometryAndContract(t *testing.T) {
	s := server(t, 3, 64)
	if *s.u64(r2g_shm_HEADER_MAGIC) != r2g_shm_MAGIC || *s.u32(r2g_shm_HEADER_SLOT_COUNT) != 3 {
		t.Fatal("magic or slot count")
	}
	if *s.u64(r2g_shm_HEADER_SEGMENT_SIZE) != uint64(s.g.size) || *s.u64(r2g_shm_HEADER_PAYLOAD_OFFSET) != uint64(s.g.payloadOff) {
		t.Fatal("segment size or payload offset")
	}
	if *s.u64(r2g_shm_HEADER_CONTRACT) != 0xabc || !strings.HasPrefix(string(s.mem[r2g_shm_HEADER_IDL_NAME:]), "svc.rs\x00") {
		t.Fatal("contract")
	}
	if atomic.LoadUint32(s.u32(r2g_shm_HEADER_SEGMENT_STATE)) != r2g_shm_SEGMENT_STATE_CREATING {
		t.Fatal("a new segment is CREATING until it serves")
	}
}

// longCell: a cell numbered n whose payload is too long for the cell (so push keeps its
// check and writes no payload byte), every field telling n apart.
func longCell(n uint32) r2g_shm_cell {
	return r2g_shm_cell{n, n + 1, n + 2, uint32(r2g_shm_CELL_INLINE_MAX) + 1 + n, n + 4, n + 5, uint64(n) << 40}
}

func TestRingIsFifoRefusesWhenFullAndWrapsItsSequences(t *testing.T) {
	s := server(t, 2, 64)
	ring, capacity := s.g.reqRingOff, s.g.reqRingCap
	next, want := uint32(0), uint32(0)
	for lap := uint64(0); lap < 5; lap++ {
		if !s.requestsEmpty() {
			t.Fatal("not empty at the start of a lap")
		}
		for i := uintptr(0); i < capacity; i++ {
			if got, _ := s.push(ring, capacity, longCell(next), nil); got != 1 {
				t.Fatalf("lap %d: push %d refused", lap, i)
			}
			next++
		}
		if got, _ := s.push(ring, capacity, r2g_shm_cell{}, nil); got != 0 {
			t.Fatal("a full ring takes no more")
		}
		for i := uintptr(0); i < capacity; i++ {
			c, _, ok, bad := s.pop(ring, capacity, nil)
			if !ok || bad != "" || c != longCell(want) {
				t.Fatalf("lap %d: pop %v %v %q, want slot %d", lap, c, ok, bad, want)
			}
			want++
		}
		if _, _, ok, _ := s.pop(ring, capacity, nil); ok {
			t.Fatal("an empty ring pops nothing")
		}
		done := (lap + 1) * uint64(capacity)
		for pos := done - uint64(capacity); pos < done; pos++ {
			if seq := *s.u64(s.cellAt(ring, capacity, pos) + r2g_shm_CELL_SEQ); seq != pos+uint64(capacity) {
				t.Fatalf("cell of position %d has seq %d, want %d", pos, seq, pos+uint64(capacity))
			}
		}
	}
}

func TestACellSequenceAheadOfItsPositionIsACorruptRing(t *testing.T) {
	s := server(t, 2, 64)
	ring, capacity := s.g.reqRingOff, s.g.reqRingCap
	*s.u64(s.cellAt(ring, capacity, 0) + r2g_shm_CELL_SEQ) = 9
	if got, bad := s.push(ring, capacity, r2g_shm_cell{}, nil); got != -1 || !strings.Contains(bad, "cell[0].seq=9 is ahead") {
		t.Fatalf("push: %d %q", got, bad)
	}
	if _, _, ok, bad := s.pop(ring, capacity, nil); ok || bad != "request_ring.cell[0].seq=9 is ahead of request_ring.dequeue_pos=0: ring corrupt" {
		t.Fatalf("pop: %v %q", ok, bad)
	}
}

func TestACellSequenceNoCellCanHaveIsACorruptRingNotAFullOrEmptyOne(t *testing.T) {
	s := server(t, 2, 64)
	ring, capacity := s.g.reqRingOff, s.g.reqRingCap
	seqAt := s.u64(s.cellAt(ring, capacity, 0) + r2g_shm_CELL_SEQ)
	*seqAt = 1 - uint64(capacity) // the last lap taken, not yet released: a legitimate wait
	if _, _, ok, bad := s.pop(ring, capacity, nil); ok || bad != "" || !s.requestsEmpty() {
		t.Fatalf("a legitimate wait: %v %q", ok, bad)
	}
	for _, seq := range []uint64{1<<63 + 5, ^uint64(4), ^uint64(6)} { // -5 and -7: more than a lap behind
		*seqAt = seq
		if s.requestsEmpty() {
			t.Fatalf("seq %d must be looked at, not parked on", seq)
		}
		want := fmt.Sprintf("request_ring.cell[0].seq=%d cannot be the seq of a cell at request_ring.dequeue_pos=0: ring corrupt", seq)
		if _, _, ok, bad := s.pop(ring, capacity, nil); ok || bad != want {
			t.Fatalf("pop: %v %q", ok, bad)
		}
		if got, bad := s.push(ring, capacity, r2g_shm_cell{}, nil); got != -1 || !strings.Contains(bad, "corrupt") {
			t.Fatalf("push: %d %q", got, bad)
		}
	}
}

func TestAnswerReadsTheSlotWordAndDropsAnAbandonedReply(t *testing.T) {
	s := server(t, 2, 64)
	for _, tc := range []struct {
		word                uint64
		wantStatus, wantLen uint32
	}{
		{uint64(7)<<32 | uint64(r2g_shm_SLOT_STATE_FREE), r2g_shm_CALL_STATUS_OK, 5},
		{uint64(7)<<32 | uint64(r2g_shm_SLOT_STATE_ABANDONED), r2g_shm_CALL_STATUS_ABANDONED, 0},
		// a mark for another generation is not this call's
		{uint64(6)<<32 | uint64(r2g_shm_SLOT_STATE_ABANDONED), r2g_shm_CALL_STATUS_OK, 5},
		{uint64(8)<<32 | uint64(r2g_shm_SLOT_STATE_ABANDONED), r2g_shm_CALL_STATUS_OK, 5},
	} {
		atomic.StoreUint64(s.slotWord(1), tc.word)
		s.answer(r2g_shm_cell{slot: 1, gen: 7, method: 3}, r2g_shm_CALL_STATUS_OK, []byte("hello"))
		if w := atomic.LoadUint64(s.slotWord(1)); w != tc.word {
			t.Fatalf("from %#x: the callee wrote the slot word: %#x", tc.word, w)
		}
		c, _, ok, _ := s.pop(s.g.compRingOff, s.g.compRingCap, nil)
		want := r2g_shm_cell{slot: 1, gen: 7, method: 3, length: tc.wantLen, kind: r2g_shm_CELL_KIND_REPLY, status: tc.wantStatus}
		want.check = r2g_shm_check64(&want, []byte("hello")[:tc.wantLen])
		if !ok || c != want {
			t.Fatalf("from %#x: completion %+v, want %+v", tc.word, c, want)
		}
	}
}

func TestResetSessionFreesSlotsKeepingTheirGeneration(t *testing.T) {
	s := server(t, 2, 64)
	atomic.StoreUint64(s.slotWord(1), uint64(9)<<32|uint64(r2g_shm_SLOT_STATE_ABANDONED))
	s.push(s.g.reqRingOff, s.g.reqRingCap, r2g_shm_cell{}, nil)
	s.resetSession()
	if w := atomic.LoadUint64(s.slotWord(1)); w != uint64(9)<<32|uint64(r2g_shm_SLOT_STATE_FREE) {
		t.Fatalf("slot word %#x", w)
	}
	if !s.requestsEmpty() || *s.u64(s.g.reqRingOff + r2g_shm_RING_ENQUEUE_POS) != 0 {
		t.Fatal("rings not reset")
	}
}

func TestPayloadCodecRoundTripsAndRefusesAnOverrun(t *testing.T) {
	b := make([]byte, 64)
	v := "hello, shm"
	end := r2g_shm_wr_str(b, 0, 16, &v)
	if end != 16+16 || r2g_shm_rd_str(b, 0) != v || r2g_shm_sz_str(&v) != 16 {
		t.Fatalf("string: end %d, read %q", end, r2g_shm_rd_str(b, 0))
	}
	r2g_shm_put_ref(b, 0, 60, 5)
	defer func() {
		if e, ok := recover().(r2g_shm_payload_error); !ok || !strings.Contains(string(e), "5 items at offset 60 overrun the 64-byte payload") {
			t.Fatalf("recovered %v", e)
		}
	}()
	r2g_shm_rd_str(b, 0)
	t.Fatal("an overrun read returned")
}

func TestTheDoorbellWaitIsLongUnlessAGracePeriodRuns(t *testing.T) {
	s := server(t, 2, 64)
	if d := s.parkTimeout(); d != r2g_shm_IDLE_PARK || d <= r2g_shm_PARK {
		t.Fatalf("idle park %v, want r2g_shm_IDLE_PARK (%v) above r2g_shm_PARK", d, r2g_shm_IDLE_PARK)
	}
	s.broken.Store(true) // the broken grace must end on time
	if d := s.parkTimeout(); d != r2g_shm_PARK {
		t.Fatalf("broken session: park %v", d)
	}
	s.broken.Store(false)
	s.unclaimed.since = time.Now() // ATTACHED with caller_pid 0 being timed
	if d := s.parkTimeout(); d != r2g_shm_PARK {
		t.Fatalf("unclaimed attach: park %v", d)
	}
}

// An idle segment's poller parks once and stays parked (r2g_shm_IDLE_PARK is above the
// quarter second watched): no short timeout wakes it, nor anything else.
func TestAnIdlePollerStaysParked(t *testing.T) {
	stem := fmt.Sprintf("r2g-%d-idlepark", os.Getpid())
	s, err := r2g_shm_create(stem, r2g_shm_plan(4, 64, 64), r2g_shm_contract{0xabc, "svc.rs"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.pollers.Add(2)
	go s.serve()
	go s.watch()
	idle := 250 * time.Millisecond
	time.Sleep(idle)
	parks, asleep := s.parks.Load(), s.asleep.Load()
	s.close()
	if parks != 1 || !asleep || r2g_shm_IDLE_PARK <= idle {
		t.Fatalf("%d parks in %v of idleness (asleep: %v; r2g_shm_IDLE_PARK %v), want 1", parks, idle, asleep, r2g_shm_IDLE_PARK)
	}
}

func TestADeadOwnersLockFileGoesAndALiveOwnersStays(t *testing.T) {
	path := t.TempDir() + "/r2g-x.lock-caller-1"
	fd, err := r2g_shm_take_lock(path)
	if err != nil {
		t.Fatal(err)
	}
	r2g_shm_remove_if_dead(path)
	if !r2g_shm_lock_alive(path) {
		t.Fatal("a live owner's lock file was removed")
	}
	if _, err := r2g_shm_take_lock(path); err == nil {
		t.Fatal("a held lock was taken twice")
	}
	syscall.Close(fd) // the owner dies without removing its file
	r2g_shm_remove_if_dead(path)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("a dead owner's lock file stayed: %v", err)
	}
}

func TestALockFileReplacedAtItsPathIsNotTheOneHeld(t *testing.T) {
	path := t.TempDir() + "/r2g-x.lock-caller-2"
	fd, err := r2g_shm_take_lock(path)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if !r2g_shm_is_at(fd, path) {
		t.Fatal("the lock just taken is not the file at its path")
	}
	os.Remove(path)
	if r2g_shm_is_at(fd, path) {
		t.Fatal("a removed file still reads as the one at its path")
	}
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if r2g_shm_is_at(fd, path) {
		t.Fatal("another file at the path reads as the one held")
	}
}
