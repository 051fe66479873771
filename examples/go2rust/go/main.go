package main

import (
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
)

// Go is the program; every G2RCallImpl{}.method(..) runs the Rust library's impl. The
// arguments are lent to Rust for the call only; what comes back is an ordinary Go value.
func main() {
	alice := DemoUser{name: "alice", age: 30}
	bob := DemoUser{name: "bob", age: 42}

	fmt.Println("g2r demo_log(&alice.name, &alice.age)")
	G2RCallImpl{}.demo_log(&alice.name, &alice.age)

	name := G2RCallImpl{}.demo_convert_name(&alice)
	fmt.Printf("g2r demo_convert_name(&alice) -> %q\n", name)
	check(name, "ALICE (30)")

	age, err := G2RCallImpl{}.demo_parse_age(ptr(" 41 "))
	fmt.Printf("g2r demo_parse_age(\" 41 \") -> %d, %v\n", age, err)
	check(age, uint8(41))
	check(err, error(nil))
	age, err = G2RCallImpl{}.demo_parse_age(ptr("forty"))
	fmt.Printf("g2r demo_parse_age(\"forty\") -> %d, %v\n", age, err)
	if err == nil || !strings.Contains(err.Error(), `not an age: "forty"`) {
		fail("want a Rust Err as the error, got %v", err)
	}

	users := []DemoUser{alice, bob}
	stats := G2RCallImpl{}.demo_stats(&users)
	fmt.Printf("g2r demo_stats(&[alice bob]) -> count %d, oldest %+v, names %q\n",
		stats.count, *stats.oldest, stats.names)
	check(stats, DemoStats{count: 2, oldest: &bob, names: []string{"alice", "bob"}})
	var none []DemoUser
	empty := G2RCallImpl{}.demo_stats(&none)
	fmt.Printf("g2r demo_stats(&nil) -> count %d, oldest %v, names %q\n",
		empty.count, empty.oldest, empty.names)
	check(empty.count, uint32(0))
	check(empty.oldest, (*DemoUser)(nil))

	// Results are Go values: later calls and a GC leave them as they were.
	G2RCallImpl{}.demo_convert_name(&bob)
	runtime.GC()
	check(name, "ALICE (30)")
	check(stats.names, []string{"alice", "bob"})

	first := G2RCallImpl{}.demo_first_char(ptr("rust"))
	fmt.Printf("g2r demo_first_char(\"rust\") -> %q\n", first)
	check(first, "r")
	msg := panicOf(func() { G2RCallImpl{}.demo_first_char(ptr("")) })
	fmt.Printf("g2r demo_first_char(\"\") -> Go panic: %s\n", msg)
	if !strings.HasPrefix(msg, "Rust panicked in G2RCall::demo_first_char:") {
		fail("want the Rust panic as a Go panic, got %q", msg)
	}

	fmt.Println("every call returned what Rust computed")
}

func ptr[T any](v T) *T { return &v }

func panicOf(f func()) (msg string) {
	defer func() { msg = fmt.Sprint(recover()) }()
	f()
	return "no panic"
}

func check(got, want any) {
	if !reflect.DeepEqual(got, want) {
		fail("got %#v, want %#v", got, want)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}
