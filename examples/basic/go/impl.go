package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Written exactly as for the original rust2go: one type implementing the DemoCall
// interface, registered in init. Arguments borrow Rust memory during the call: copy what
// you keep.
type Demo struct{}

func init() {
	DemoCallImpl = Demo{}
}

func (Demo) demo_oneway(req *DemoUser) {
	fmt.Printf("  [go] oneway: got user %q, age %d\n", req.name, req.age)
}

func (Demo) demo_check(req *DemoComplicatedRequest) DemoResponse {
	fmt.Printf("  [go] check: %d users, %d bytes of balabala\n", len(req.users), len(req.balabala))
	for _, u := range req.users {
		if u.age < 18 {
			return DemoResponse{pass: false}
		}
	}
	return DemoResponse{pass: true}
}

func (Demo) demo_get_n() int32 { return 42 }

func (Demo) demo_greet(user DemoUser, times uint32) string {
	return strings.TrimSpace(strings.Repeat("hello "+user.name+" ", int(times)))
}

func (Demo) demo_parse_age(text *string) (uint8, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(*text), 10, 8)
	if err != nil {
		return 0, fmt.Errorf("not an age: %q", *text)
	}
	return uint8(n), nil
}

func (Demo) demo_profile(user *DemoUser, nickname *string) *DemoProfile {
	if user.name == "" {
		return nil
	}
	level := LevelMember
	if user.age > 60 {
		level = LevelAdmin
	}
	return &DemoProfile{
		user:     *user,
		level:    level,
		tags:     map[string]uint32{"letters": uint32(len(user.name)), "age": uint32(user.age)},
		nickname: nickname,
	}
}

// Async methods are written like sync ones: the binding runs them in a goroutine.
func (Demo) demo_nap(nap *DemoNap) string {
	time.Sleep(time.Duration(nap.ms) * time.Millisecond)
	return nap.who + " slept " + strconv.Itoa(int(nap.ms)) + " ms"
}

func (Demo) demo_count_adults(req *DemoComplicatedRequest) uint32 {
	n := uint32(0)
	for _, u := range req.users {
		if u.age >= 18 {
			n++
		}
	}
	return n
}
