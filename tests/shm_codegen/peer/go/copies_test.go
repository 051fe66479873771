package main

import (
	"os"
	"path/filepath"
	"testing"
)

// keeper records what echo_all was given (an owned All) and checks that kinds was lent
// its request (a borrowed &Kinds) without keeping it.
type keeper struct {
	svc
	kept *All
}

func (k *keeper) echo_all(a *All) All {
	k.kept = a
	return *a
}

// The request copy the poller makes is given away to a method with an owned argument
// that views it (what it keeps never changes), and reused after a method whose viewing
// arguments are all borrowed (that call allocates no request copy).
func TestRequestCopies(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(os.Getenv("R2G_VECTORS"), name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	k := &keeper{}
	handle := r2g_shm_handler_Svc(k)
	w := &r2g_shm_scratch{reqCap: 4096, respCap: 4096}
	call := func(method uint32, image []byte) []byte {
		req := w.request(len(image)) // as the poller does: its scratch copy
		copy(req, image)
		if _, status, msg := handle(method, req, w); status != r2g_shm_CALL_STATUS_OK {
			t.Fatalf("method %d: status %d: %s", method, status, msg)
		}
		return req
	}

	intact := func() {
		if k.kept.s != "hello 0" || k.kept.vs[2] != "bc" || k.kept.o.tag != "t" {
			t.Errorf("what echo_all kept changed under it: %+v", *k.kept)
		}
	}

	all, kinds := read("payload_echo_all.bin"), read("payload_kinds.bin")
	given := call(1, all)
	next := call(9, kinds)
	if &next[0] == &given[0] {
		t.Fatal("echo_all (owned All) was given the request copy, yet the next call reused it")
	}
	intact()
	again := call(9, kinds)
	if &again[0] != &next[0] {
		t.Error("kinds (borrowed &Kinds) kept its request copy: the next call allocated a new one")
	}
	for i := range again {
		again[i] = 0xAA // the next request overwriting the copy, as the poller would
	}
	intact()
}
