package main

import (
	"errors"
	"sync/atomic"
	"time"
)

type svc struct{}

var notes, checks atomic.Uint64

func (svc) add(a *uint64, b *uint64) uint64 { return *a + *b }
func (svc) echo_all(a *All) All             { return *a }
func (svc) note(p *Point, name *string)     { notes.Add(uint64(p.x) + uint64(len(*name))) }
func (svc) notes() uint64                   { return notes.Load() }

// check answers a checksum of its arguments: the caller verifies every reply.
func (svc) check(id *uint64, data *[]uint8) uint64 {
	checks.Add(1)
	h := *id*0x9E3779B97F4A7C15 + 1
	for _, b := range *data {
		h = (h ^ uint64(b)) * 0x100000001B3
	}
	return h
}
func (svc) fail(msg *string) (uint64, error) { return 0, errors.New("refused: " + *msg) }
func (svc) boom(n *uint64) uint64            { panic("boom") }
func (svc) nap(ms *uint64) uint64 {
	time.Sleep(time.Duration(*ms) * time.Millisecond)
	return *ms
}
func (svc) big(n *uint64) []uint8            { return make([]uint8, *n) }
func (svc) kinds(k *Kinds, tag *uint8) Kinds { return *k }
func (svc) checks() uint64                   { return checks.Load() }

func init() { SvcImpl = svc{} }
