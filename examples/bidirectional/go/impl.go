package main

import "fmt"

// The Go side of DemoCall, written as for the original rust2go. Inside each call it calls
// back into Rust with G2RCallImpl{}: those arguments are lent to Rust for that call only,
// and what Rust returns is an ordinary Go value.
type Demo struct{}

func init() {
	DemoCallImpl = Demo{}
}

func (Demo) demo_check(req *DemoUser) DemoUser {
	age := req.age + 1
	// req points at Rust memory for this call; passing it straight back is fine.
	G2RCallImpl{}.demo_log(&req.name, &age)
	name := G2RCallImpl{}.demo_convert_name(req)
	fmt.Printf("  [go] check: Rust renamed %q to %q\n", req.name, name)
	return DemoUser{name: name, age: age}
}

func (Demo) demo_parse_all(texts *[]string) DemoAges {
	var out DemoAges
	var bad []string
	for i := range *texts {
		age, err := G2RCallImpl{}.demo_parse_age(&(*texts)[i])
		if err != nil {
			fmt.Printf("  [go] parse_all: %q -> error %v\n", (*texts)[i], err)
			out.errors = append(out.errors, err.Error())
			bad = append(bad, (*texts)[i])
			continue
		}
		fmt.Printf("  [go] parse_all: %q -> %d\n", (*texts)[i], age)
		out.ages = append(out.ages, age)
	}
	sep := ", "
	summary := G2RCallImpl{}.demo_join(&bad, &sep)
	fmt.Printf("  [go] parse_all: Rust joined the bad ones: %q\n", summary)
	out.errors = append(out.errors, "bad: "+summary)
	return out
}
