package main

import "fmt"

// Go side of the benchmark: implements the Bench interface that the crate's
// generator writes into gen.go (from bench/idl/bench.rs).

type benchImpl struct{}

func init() {
	BenchImpl = benchImpl{}
}

func (benchImpl) small(req *Small) SmallOut {
	return SmallOut{id: req.id, score: req.score * 2, ok: req.flag}
}

func (benchImpl) strings(req *[]string) uint64 {
	var n uint64
	for _, s := range *req {
		n += uint64(len(s))
	}
	return n
}

// Runs in the goroutine the generated export starts; no sleep.
func (benchImpl) small_async(req *Small) SmallOut {
	return SmallOut{id: req.id, score: req.score * 2, ok: req.flag}
}

func (benchImpl) noop() {}

type g2rDriver struct{}

func init() {
	BenchG2RDriverImpl = g2rDriver{}
}

// benchWords are the 16 strings of 32 bytes the strings cases send.
var benchWords = func() []string {
	w := make([]string, 16)
	for i := range w {
		w[i] = fmt.Sprintf("%032d", i)
	}
	return w
}()

// g2r_loop makes `calls` Go→Rust calls of one case and folds the replies into a checksum.
func (g2rDriver) g2r_loop(which *uint32, calls *uint64) uint64 {
	var sum uint64
	switch *which {
	case 0:
		for i := uint64(0); i < *calls; i++ {
			req := Small{id: i, score: float64(i) * 0.5, flag: i%2 == 0, tag: uint32(i)}
			out := BenchG2RImpl{}.g2r_small(&req)
			sum += out.id
		}
	case 1:
		for i := uint64(0); i < *calls; i++ {
			sum += BenchG2RImpl{}.g2r_strings(&benchWords)
		}
	case 2:
		for i := uint64(0); i < *calls; i++ {
			BenchG2RImpl{}.g2r_noop()
		}
	}
	return sum
}
