package main

// The practical floor: hand-written cgo calls of hand-written Rust `extern "C"` functions
// doing the same work (src/main.rs), no binding layer.

/*
#include <stdbool.h>
#include <stdint.h>
typedef struct HandSmall { uint64_t id; double score; bool flag; uint32_t tag; } HandSmall;
typedef struct HandSmallOut { uint64_t id; double score; bool ok; } HandSmallOut;
typedef struct HandStr { const void *ptr; uintptr_t len; } HandStr;
HandSmallOut hand_g2r_small(HandSmall req);
uint64_t hand_g2r_strings(const HandStr *refs, uintptr_t n);
void hand_g2r_noop(void);
*/
import "C"

import (
	"runtime"
	"unsafe"
)

type SmallOutHand struct {
	id    uint64
	score float64
	ok    bool
}

func handSmall(i uint64) SmallOutHand {
	out := C.hand_g2r_small(C.HandSmall{id: C.uint64_t(i), score: C.double(float64(i) * 0.5),
		flag: C.bool(i%2 == 0), tag: C.uint32_t(i)})
	return SmallOutHand{id: uint64(out.id), score: float64(out.score), ok: bool(out.ok)}
}

// handStrings lends the strings as an array of (ptr, len) in a pointer-free Go block (cgo
// rejects a Go array of Go pointers), keeping the strings alive for the call.
func handStrings(words []string) uint64 {
	block := make([]uint64, 2*len(words))
	for i, w := range words {
		*(*unsafe.Pointer)(unsafe.Pointer(&block[2*i])) = unsafe.Pointer(unsafe.StringData(w))
		block[2*i+1] = uint64(len(w))
	}
	n := C.hand_g2r_strings((*C.HandStr)(unsafe.Pointer(&block[0])), C.uintptr_t(len(words)))
	runtime.KeepAlive(words)
	return uint64(n)
}

func handNoop() { C.hand_g2r_noop() }
