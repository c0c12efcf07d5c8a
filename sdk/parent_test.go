package sdk

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
)

// lockedBuffer is a log sink safe for the watch goroutine and the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestParentWatch drives the watch with a fake parent id: it must end the
// plugin once the parent changes (to init or to a subreaper), and never
// when it does not, when it started under init, or after done.
func TestParentWatch(t *testing.T) {
	tests := []struct {
		name    string
		first   int  // the parent at start
		next    int  // the parent after the change; 0: no change
		stop    bool // close done before the change
		watches bool
		exits   bool
	}{
		{name: "host dies, orphan goes to init", first: 4242, next: 1, watches: true, exits: true},
		{name: "host dies, orphan goes to a subreaper", first: 4242, next: 77, watches: true, exits: true},
		{name: "host lives", first: 4242, watches: true},
		{name: "watch stopped before the change", first: 4242, next: 1, stop: true, watches: true},
		{name: "started by init", first: 1},
		{name: "parent unknown", first: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				ppid  atomic.Int64
				polls atomic.Int64
				exits atomic.Int64
				logs  lockedBuffer
			)
			ppid.Store(int64(tt.first))
			exited := make(chan struct{})
			done := make(chan struct{})
			w := parentWatch{
				getppid: func() int { polls.Add(1); return int(ppid.Load()) },
				every:   time.Millisecond,
				log:     hclog.New(&hclog.LoggerOptions{Output: &logs, JSONFormat: true}),
				exit: func() {
					if exits.Add(1) == 1 {
						close(exited)
					}
				},
				done: done,
			}
			if got := w.start(); got != tt.watches {
				t.Fatalf("start() = %v, want %v", got, tt.watches)
			}
			if tt.watches {
				// Let it poll the unchanged parent a few times first.
				waitUntil(t, "the watch to poll", func() bool { return polls.Load() >= 5 })
			}
			if tt.stop {
				close(done)
				time.Sleep(20 * time.Millisecond) // the watch sees done
			}
			if tt.next != 0 {
				ppid.Store(int64(tt.next))
			}
			if tt.exits {
				select {
				case <-exited:
				case <-time.After(10 * time.Second):
					t.Fatal("the watch did not exit after the parent changed")
				}
				line := logs.String()
				for _, want := range []string{"host process is gone", `"host_pid":4242`, `"ppid":` + strconv.Itoa(tt.next)} {
					if !strings.Contains(line, want) {
						t.Errorf("log %q does not contain %s", line, want)
					}
				}
				if n := strings.Count(line, "\n"); n != 1 {
					t.Errorf("logged %d lines, want 1: %q", n, line)
				}
			}
			time.Sleep(50 * time.Millisecond) // many polls: any second exit would show
			if got, want := exits.Load(), map[bool]int64{true: 1, false: 0}[tt.exits]; got != want {
				t.Errorf("exit called %d times, want %d", got, want)
			}
			if !tt.exits && strings.Contains(logs.String(), "gone") {
				t.Errorf("logged a death that did not happen: %q", logs.String())
			}
			if !tt.stop {
				close(done)
			}
		})
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
