package main

// The practical floor: hand-written cgo exports doing the same work with no binding
// layer (C structs read and written in place, no Go values built).

/*
#include <stdbool.h>
#include <stdint.h>
typedef struct hand_Small { uint64_t id; double score; bool flag; uint32_t tag; } hand_Small;
typedef struct hand_SmallOut { uint64_t id; double score; bool ok; } hand_SmallOut;
typedef struct hand_Str { const void *ptr; uintptr_t len; } hand_Str;
*/
import "C"

import "unsafe"

//export hand_small
func hand_small(req *C.hand_Small, out *C.hand_SmallOut) {
	out.id = req.id
	out.score = req.score * 2
	out.ok = req.flag
}

//export hand_strings
func hand_strings(ptr *C.hand_Str, n C.uintptr_t) C.uint64_t {
	var total C.uint64_t
	for _, s := range unsafe.Slice(ptr, int(n)) {
		total += C.uint64_t(s.len)
	}
	return total
}

//export hand_noop
func hand_noop() {}
