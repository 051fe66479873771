package main

// The same body behind every path (cgo and shm); bench/shm_paths/uds/main.go repeats it
// for the socket baseline.

import "encoding/binary"

type cgo struct{}
type ring struct{}

// sum is the proof that the callee read every payload byte. It folds 8-byte words, one
// multiply each: folding bytes put 64 dependent multiplies (~90 ns) on each side of every
// 64 B call, work that is no part of any transport.
func sum(seq uint64, payload []uint8) uint64 {
	h := seq*0x9E3779B97F4A7C15 + 1
	for ; len(payload) >= 8; payload = payload[8:] {
		h = (h ^ binary.LittleEndian.Uint64(payload)) * 0x100000001B3
	}
	for _, b := range payload {
		h = (h ^ uint64(b)) * 0x100000001B3
	}
	return h
}

func (cgo) echo(req *Msg) Ack        { return Ack{seq: req.seq, sum: sum(req.seq, req.payload)} }
func (cgo) echo_async(req *Msg) Ack  { return Ack{seq: req.seq, sum: sum(req.seq, req.payload)} }
func (ring) echo(req *Msg) Ack       { return Ack{seq: req.seq, sum: sum(req.seq, req.payload)} }
func (ring) echo_async(req *Msg) Ack { return Ack{seq: req.seq, sum: sum(req.seq, req.payload)} }
func (ring) echo_async_owned(req *Msg) Ack {
	return Ack{seq: req.seq, sum: sum(req.seq, req.payload)}
}

func init() {
	CgoImpl = cgo{}
	RingImpl = ring{}
}
