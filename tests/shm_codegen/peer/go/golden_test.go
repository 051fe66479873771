package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// The golden payloads (tests/shm_codegen/vectors.py; R2G_VECTORS names the directory)
// through the generated handler: each request image must decode to the value below and
// the reply value must encode to exactly the reply image. The Python values are
// sample_all / sample_kinds; writing them again here is the point (an independent
// statement in each language).

// Method ids: positions in peer/idl/api.rs.
var goldenMethods = []struct {
	name   string
	method uint32
}{{"echo_all", 1}, {"kinds", 9}}

func goldenAll() All {
	return All{
		b: false, ch: 'é', f: 1.5, s: "hello 0", v: []uint8{1, 2, 0}, vs: []string{"a", "", "bc"},
		o: &Inner{tag: "t", vals: []uint32{5, 6, 0}}, op: ref(int64(0)),
		m: map[string][]Point{"k": {{x: 1, y: -2, c: ColorBlue}}, "z": {}},
		e: ColorRed, inner: []Inner{{tag: "", vals: []uint32{}}, {tag: "x", vals: []uint32{0}}},
	}
}

func goldenKinds() Kinds {
	leaf := func(label string, kids ...Tree) Tree { return Tree{label: label, kids: append([]Tree{}, kids...)} }
	return Kinds{
		a: 0xFF, b: 0xBEEF, c: 0xDEADBEEF, d: math.MaxUint64, e: 1<<40 + 3, f: -128, g: -2,
		h: math.MinInt32, i: math.MinInt64, j: -7, k: -2.25,
		flags: []bool{true, false, true}, chars: []rune{'a', 'é', '😀'}, floats: []float32{0.5, -1},
		wides: []Wide{WideLow, WideHigh}, nested: [][]uint16{{1, 2}, {}, {65535}},
		os: ref("opt"), ov: ref([]string{"x", ""}), oo: ref(ref(int8(-5))), oe: ref(WideHigh), none: nil,
		by_id: map[uint64]string{42: "answer"}, by_char: map[rune]Empty{'ß': {}}, empty: Empty{},
		w: WideLow, tree: leaf("root", leaf("leaf"), leaf("", leaf("deep"))),
	}
}

func ref[T any](v T) *T { return &v }

// goldenSvc answers the golden methods with the golden values; the rest is the peer's.
type goldenSvc struct {
	svc
	t *testing.T
}

func (g goldenSvc) echo_all(a *All) All {
	g.same("echo_all request", *a, goldenAll())
	r := goldenAll()
	delete(r.m, "z") // reply images hold maps of one entry: Go writes them in random order
	return r
}

func (g goldenSvc) kinds(k *Kinds, tag *uint8) Kinds {
	g.same("kinds request", *k, goldenKinds())
	g.same("kinds tag", *tag, uint8(9))
	return goldenKinds()
}

func (g goldenSvc) same(what string, got, want any) {
	if !reflect.DeepEqual(got, want) {
		g.t.Errorf("%s decodes to\n%+v\nwant\n%+v", what, got, want)
	}
}

func TestGoldenPayloads(t *testing.T) {
	dir := os.Getenv("R2G_VECTORS")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	handle := r2g_shm_handler_Svc(goldenSvc{t: t})
	for _, c := range goldenMethods {
		w := &r2g_shm_scratch{reqCap: 4096, respCap: 4096}
		n, status, msg := handle(c.method, read("payload_"+c.name+".bin"), w)
		if status != r2g_shm_CALL_STATUS_OK {
			t.Fatalf("%s: status %d: %s", c.name, status, msg)
		}
		if want := read("payload_" + c.name + "_reply.bin"); !bytes.Equal(w.resp[:n], want) {
			t.Errorf("%s reply: the Go writer gives\n%x\nwant\n%x", c.name, w.resp[:n], want)
		}
	}
}
