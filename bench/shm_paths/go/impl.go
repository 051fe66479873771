package main

// The same body behind every path (cgo and shm); bench/shm_paths/uds/main.go repeats it
// for the socket baseline.

type cgo struct{}
type ring struct{}

func sum(seq uint64, payload []uint8) uint64 {
	h := seq*0x9E3779B97F4A7C15 + 1
	for _, b := range payload {
		h = (h ^ uint64(b)) * 0x100000001B3
	}
	return h
}

func (cgo) echo(req *Msg) Ack        { return Ack{seq: req.seq, sum: sum(req.seq, req.payload)} }
func (cgo) echo_async(req *Msg) Ack  { return Ack{seq: req.seq, sum: sum(req.seq, req.payload)} }
func (ring) echo(req *Msg) Ack       { return Ack{seq: req.seq, sum: sum(req.seq, req.payload)} }
func (ring) echo_async(req *Msg) Ack { return Ack{seq: req.seq, sum: sum(req.seq, req.payload)} }

func init() {
	CgoImpl = cgo{}
	RingImpl = ring{}
}
