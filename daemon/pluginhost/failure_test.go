//go:build unix

package pluginhost_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
)

func binarySum(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(pluginBin)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// startCount returns how many processes the plugin started, from its
// startlog file.
func startCount(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

func TestChecksum(t *testing.T) {
	good := binarySum(t)
	wrong := strings.Repeat("ab", 32)
	tests := []struct {
		name   string
		sum    string
		state  pluginhost.State
		starts int
	}{
		{"matching", good, pluginhost.StateRunning, 1},
		{"matching in upper case", strings.ToUpper(good), pluginhost.StateRunning, 1},
		// A mismatch fails the plugin at once: restarting the same file
		// cannot cure it, only a daemon restart with the right sum.
		{"mismatch", wrong, pluginhost.StateFailed, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			log := filepath.Join(t.TempDir(), "starts")
			s := spec("eng", "startlog="+log)
			s.SHA256 = tt.sum
			var ce *pluginhost.ChecksumError
			if err := s.Check(); (tt.state == pluginhost.StateFailed) != errors.As(err, &ce) {
				t.Errorf("Check() = %v, want a *ChecksumError only for a mismatch", err)
			}
			h := startHost(t, []pluginhost.Spec{s}, fastOptions(t, r))
			st := waitState(t, h, "eng", tt.state)
			if got := startCount(t, log); got != tt.starts {
				t.Errorf("plugin started %d times, want %d", got, tt.starts)
			}
			if tt.state != pluginhost.StateFailed {
				return
			}
			for _, want := range []string{pluginBin, wrong, good} {
				if !strings.Contains(st.LastError, want) {
					t.Errorf("last error %q does not name %s", st.LastError, want)
				}
			}
			if st.PID != 0 || st.Restarts != 0 {
				t.Errorf("status %+v, want no pid and no restarts", st)
			}
		})
	}
}

func TestGivesUp(t *testing.T) {
	tests := []struct {
		name     string
		spec     func(log string) pluginhost.Spec
		starts   int
		restarts int
		want     string
	}{
		{
			name:     "exits at once",
			spec:     func(log string) pluginhost.Spec { return spec("eng", "startlog="+log, "exit=3") },
			starts:   3,
			restarts: 2,
			want:     "3 failures within 1m0s",
		},
		{
			name: "refuses its settings",
			spec: func(log string) pluginhost.Spec {
				s := spec("eng", "startlog="+log)
				s.Settings = json.RawMessage(`{"refuse":true}`)
				return s
			},
			starts: 1,
			want:   "refuse is set",
		},
		{
			name: "missing binary",
			spec: func(string) pluginhost.Spec {
				return pluginhost.Spec{Name: "eng", Cmd: []string{"/nonexistent/plugin"}}
			},
			starts: 0,
			want:   "/nonexistent/plugin",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			opts := fastOptions(t, r)
			opts.MaxFailures = 3
			opts.FailureWindow = time.Minute
			opts.MinBackoff = 10 * time.Millisecond
			opts.MaxBackoff = 40 * time.Millisecond
			log := filepath.Join(t.TempDir(), "starts")
			h := startHost(t, []pluginhost.Spec{tt.spec(log)}, opts)
			st := waitState(t, h, "eng", pluginhost.StateFailed)
			if !strings.Contains(st.LastError, tt.want) {
				t.Errorf("last error %q, want it to contain %q", st.LastError, tt.want)
			}
			if st.Restarts != tt.restarts {
				t.Errorf("restarts = %d, want %d", st.Restarts, tt.restarts)
			}
			// Failed means no more starts.
			time.Sleep(200 * time.Millisecond)
			if got := startCount(t, log); got != tt.starts {
				t.Errorf("plugin started %d times, want %d", got, tt.starts)
			}
		})
	}
}
