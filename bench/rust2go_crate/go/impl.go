package main

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
