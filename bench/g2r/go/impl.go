package main

import "fmt"

type driver struct{}

func init() { BenchG2RDriverImpl = driver{} }

// benchWords are the 16 strings of 32 bytes the strings cases send.
var benchWords = func() []string {
	w := make([]string, 16)
	for i := range w {
		w[i] = fmt.Sprintf("%032d", i)
	}
	return w
}()

var echo BenchG2RImpl

// g2r_loop makes `calls` Go→Rust calls of one case and folds the replies into a checksum:
// 0, 2, 4, 6 through the generated binding's default (Go's system stack), 7, 8, 9 through
// its #[cgo_call] methods, 1, 3, 5 through hand.go.
func (driver) g2r_loop(which *uint32, calls *uint64) uint64 {
	var sum uint64
	n := *calls
	switch *which {
	case 0:
		for i := uint64(0); i < n; i++ {
			req := Small{id: i, score: float64(i) * 0.5, flag: i%2 == 0, tag: uint32(i)}
			sum += echo.g2r_small(&req).id
		}
	case 1:
		for i := uint64(0); i < n; i++ {
			sum += handSmall(i).id
		}
	case 2:
		for i := uint64(0); i < n; i++ {
			sum += echo.g2r_strings(&benchWords)
		}
	case 3:
		for i := uint64(0); i < n; i++ {
			sum += handStrings(benchWords)
		}
	case 4:
		for i := uint64(0); i < n; i++ {
			echo.g2r_noop()
		}
	case 5:
		for i := uint64(0); i < n; i++ {
			handNoop()
		}
	case 6:
		for i := uint64(0); i < n; i++ {
			sum += echo.g2r_strings_ref(&benchWords)
		}
	case 7:
		for i := uint64(0); i < n; i++ {
			req := Small{id: i, score: float64(i) * 0.5, flag: i%2 == 0, tag: uint32(i)}
			sum += echo.g2r_small_cgo(&req).id
		}
	case 8:
		for i := uint64(0); i < n; i++ {
			sum += echo.g2r_strings_cgo(&benchWords)
		}
	case 9:
		for i := uint64(0); i < n; i++ {
			echo.g2r_noop_cgo()
		}
	}
	return sum
}
