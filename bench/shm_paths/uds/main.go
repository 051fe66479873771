// The Unix-domain-socket + JSON request/reply baseline of bench/shm_paths.py, Go on both
// sides (encoding/json, one newline-delimited JSON object per message):
//
//	uds serve PATH                  answer {"seq","sum"} for every {"seq","payload"}
//	uds call PATH SIZE SECS CONC    1 connection for latency, then CONC connections for
//	                                throughput; prints one JSON line
package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"
)

type msg struct {
	Seq     uint64 `json:"seq"`
	Payload []byte `json:"payload"`
}

type ack struct {
	Seq uint64 `json:"seq"`
	Sum uint64 `json:"sum"`
}

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

func serve(path string) {
	os.Remove(path)
	l, err := net.Listen("unix", path)
	if err != nil {
		panic(err)
	}
	fmt.Println("serving", path)
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
		<-sig
		l.Close()
		os.Remove(path)
		os.Exit(0)
	}()
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func(c net.Conn) {
			defer c.Close()
			dec := json.NewDecoder(bufio.NewReader(c))
			w := bufio.NewWriter(c)
			enc := json.NewEncoder(w)
			for {
				var m msg
				if dec.Decode(&m) != nil {
					return
				}
				enc.Encode(ack{m.Seq, sum(m.Seq, m.Payload)})
				w.Flush()
			}
		}(c)
	}
}

type client struct {
	dec *json.Decoder
	w   *bufio.Writer
	enc *json.Encoder
}

func dial(path string) client {
	c, err := net.Dial("unix", path)
	if err != nil {
		panic(err)
	}
	w := bufio.NewWriter(c)
	return client{json.NewDecoder(bufio.NewReader(c)), w, json.NewEncoder(w)}
}

func (c client) call(seq uint64, payload []byte) ack {
	c.enc.Encode(msg{seq, payload})
	c.w.Flush()
	var a ack
	if err := c.dec.Decode(&a); err != nil {
		panic(err)
	}
	return a
}

func check(a ack, seq uint64, payload []byte) {
	if a.Seq != seq || a.Sum != sum(seq, payload) {
		panic("wrong reply")
	}
}

func main() {
	if len(os.Args) >= 3 && os.Args[1] == "serve" {
		serve(os.Args[2])
		return
	}
	path := os.Args[2]
	size, _ := strconv.Atoi(os.Args[3])
	secs, _ := strconv.ParseFloat(os.Args[4], 64)
	conc, _ := strconv.Atoi(os.Args[5])
	payload := make([]byte, size)
	for i := range payload {
		payload[i] = byte(i * 31)
	}
	dur := time.Duration(secs * float64(time.Second))
	// Latency: one connection, one call at a time.
	c := dial(path)
	var lats []int64
	for end := time.Now().Add(dur); time.Now().Before(end); {
		t, seq := time.Now(), uint64(len(lats))
		a := c.call(seq, payload)
		lats = append(lats, int64(time.Since(t)))
		check(a, seq, payload) // after the timing, as in the Rust paths
	}
	sort.Slice(lats, func(i, j int) bool { return lats[i] < lats[j] })
	// Throughput: CONC connections, each one call at a time.
	var mu sync.Mutex
	total := 0
	var wg sync.WaitGroup
	start := time.Now()
	for k := 0; k < conc; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			c := dial(path)
			n := 0
			for end := start.Add(dur); time.Now().Before(end); n++ {
				seq := uint64(k)<<32 | uint64(n)
				check(c.call(seq, payload), seq, payload)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}(k)
	}
	wg.Wait()
	rate := float64(total) / time.Since(start).Seconds()
	fmt.Printf("{\"p50_ns\":%d,\"p99_ns\":%d,\"calls_per_s\":%.0f,\"concurrency\":%d}\n",
		lats[len(lats)/2], lats[len(lats)*99/100], rate, conc)
}
