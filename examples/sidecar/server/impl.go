package main

import (
	"fmt"
	"os"
	"sync"
	"time"
)

type kv struct {
	mu sync.Mutex
	m  map[string]string
}

// Arguments are views into the shared request area: copy what outlives the call.
func (s *kv) put(key *string, value *string) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[string([]byte(*key))] = string([]byte(*value))
	return uint64(len(s.m))
}

func (s *kv) get(key *string) *string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.m[*key]; ok {
		return &v
	}
	return nil
}

func (s *kv) log(line *string) { fmt.Printf("[go %d] log: %s\n", os.Getpid(), *line) }

func (s *kv) slow(ms *uint64) uint64 {
	time.Sleep(time.Duration(*ms) * time.Millisecond)
	return *ms
}

func (s *kv) pid() uint32 { return uint32(os.Getpid()) }

func init() { KvImpl = &kv{m: map[string]string{}} }
