package main

// The Bench implementation behind the generated binding (same body as
// bench/rust2go_crate/go/impl.go).

type benchImpl struct{}

func init() {
	BenchImpl = benchImpl{}
}

func (benchImpl) small_async(req *Small) SmallOut {
	return SmallOut{id: req.id, score: req.score * 2, ok: req.flag}
}
