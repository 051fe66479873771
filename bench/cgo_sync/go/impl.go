package main

// The Bench implementation behind the generated binding (same bodies as
// bench/rust2go_crate/go/impl.go).

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

func (benchImpl) noop() {}
