//go:build unix

package pluginhost_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
)

// pluginBin is the test plugin binary, pluginBin2 the same built as
// version 2.0.0, rawBin the plugin written against the bare protocol, and
// hostBin the test host (a Host in a process of its own), all built by
// TestMain.
var pluginBin, pluginBin2, rawBin, hostBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pluginhost-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pluginBin = filepath.Join(dir, "testplugin")
	pluginBin2 = filepath.Join(dir, "testplugin2")
	rawBin = filepath.Join(dir, "rawplugin")
	hostBin = filepath.Join(dir, "testhost")
	builds := [][]string{
		{"-o", pluginBin, "./internal/testplugin"},
		{"-o", pluginBin2, "-ldflags", "-X main.builtVersion=2.0.0", "./internal/testplugin"},
		{"-o", rawBin, "./internal/rawplugin"},
		{"-o", hostBin, "./internal/testhost"},
	}
	errs := make(chan error, len(builds))
	for _, args := range builds {
		go func() {
			build := exec.Command("go", append([]string{"build"}, args...)...)
			build.Stdout, build.Stderr = os.Stderr, os.Stderr
			if err := build.Run(); err != nil {
				errs <- fmt.Errorf("go build %v: %w", args, err)
				return
			}
			errs <- nil
		}()
	}
	failed := false
	for range builds {
		if err := <-errs; err != nil {
			fmt.Fprintln(os.Stderr, err)
			failed = true
		}
	}
	if failed {
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// waitTimeout is how long a test waits for a state: generous, for a noisy
// 2-core machine.
const waitTimeout = 10 * time.Second

// recorder keeps every Status passed to OnState.
type recorder struct {
	mu   sync.Mutex
	seen []pluginhost.Status
}

func (r *recorder) record(s pluginhost.Status) {
	r.mu.Lock()
	r.seen = append(r.seen, s)
	r.mu.Unlock()
}

// states returns the states seen for dept, in order.
func (r *recorder) states(dept string) []pluginhost.State {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []pluginhost.State
	for _, s := range r.seen {
		if s.Name == dept {
			out = append(out, s.State)
		}
	}
	return out
}

// lastError returns the LastError of the first status in state reported
// for dept, and whether there was one.
func (r *recorder) lastError(dept string, state pluginhost.State) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.seen {
		if s.Name == dept && s.State == state {
			return s.LastError, true
		}
	}
	return "", false
}

// fastOptions are options for tests: quick health checks and backoffs.
func fastOptions(t *testing.T, r *recorder) pluginhost.Options {
	return pluginhost.Options{
		Logger: hclog.New(&hclog.LoggerOptions{
			Name:   "pluginhost",
			Level:  hclog.Info,
			Output: testWriter{t},
		}),
		CallTimeout:    2 * time.Second,
		HealthInterval: 200 * time.Millisecond,
		MinBackoff:     20 * time.Millisecond,
		MaxBackoff:     200 * time.Millisecond,
		OnState:        r.record,
	}
}

// testWriter sends log lines to t.Log while the test runs.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	defer func() { recover() }() // a log line after the test ended
	w.t.Helper()
	w.t.Log(string(p))
	return len(p), nil
}

// spec runs the test plugin with args.
func spec(name string, args ...string) pluginhost.Spec {
	return pluginhost.Spec{Name: name, Title: "Dept " + name, Cmd: append([]string{pluginBin}, args...)}
}

// startHost builds and starts a Host, stopped at the test's end.
func startHost(t *testing.T, specs []pluginhost.Spec, opts pluginhost.Options) *pluginhost.Host {
	t.Helper()
	h, err := pluginhost.New(specs, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.Start(context.Background())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		h.Stop(ctx)
	})
	return h
}

// waitFor polls cond until it holds or waitTimeout passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", waitTimeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitState waits until dept is in state and returns its status.
func waitState(t *testing.T, h *pluginhost.Host, dept string, state pluginhost.State) pluginhost.Status {
	t.Helper()
	var st pluginhost.Status
	waitFor(t, fmt.Sprintf("%s to be %s", dept, state), func() bool {
		st, _ = h.Status(dept)
		return st.State == state
	})
	return st
}

// alive reports whether a process exists (and is not a reaped zombie).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	return syscall.Kill(pid, 0) == nil
}
