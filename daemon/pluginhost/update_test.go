//go:build unix

package pluginhost_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
	"github.com/switchboard-desk/switchboard/sdk"
)

// sumOf returns the hex sha256 of a file.
func sumOf(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// removedSeen reports whether OnState told of dept's removal.
func (r *recorder) removedSeen(dept string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.seen {
		if s.Name == dept && s.Removed && s.State == pluginhost.StateStopped {
			return true
		}
	}
	return false
}

func update(t *testing.T, h *pluginhost.Host, specs ...pluginhost.Spec) pluginhost.Changes {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	ch, err := h.Update(ctx, specs)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	return ch
}

func TestUpdateAddsAndRemoves(t *testing.T) {
	r := &recorder{}
	h := startHost(t, []pluginhost.Spec{spec("eng"), spec("fin")}, fastOptions(t, r))
	eng := waitState(t, h, "eng", pluginhost.StateRunning)
	fin := waitState(t, h, "fin", pluginhost.StateRunning)

	// A new title alone changes nothing but the title.
	svc := spec("svc")
	retitled := spec("fin")
	retitled.Title = "Finance"
	ch := update(t, h, spec("eng"), retitled, svc)
	if fmt.Sprintf("%v", ch) != "{[svc] [] []}" {
		t.Errorf("changes %+v, want svc added only", ch)
	}
	waitState(t, h, "svc", pluginhost.StateRunning)
	if st, _ := h.Status("fin"); st.PID != fin.PID || st.Title != "Finance" {
		t.Errorf("fin: %+v, want pid %d untouched, titled Finance", st, fin.PID)
	}
	if _, err := h.Deliver(context.Background(), "svc", ticket(1, "S-1", nil)); err != nil {
		t.Errorf("Deliver to the added department: %v", err)
	}

	ch = update(t, h, spec("fin"), svc)
	if fmt.Sprintf("%v", ch) != "{[] [eng] []}" {
		t.Errorf("changes %+v, want eng removed only", ch)
	}
	if _, ok := h.Status("eng"); ok {
		t.Error("Status still knows the removed department")
	}
	if alive(eng.PID) {
		t.Errorf("removed plugin pid %d still alive after Update returned", eng.PID)
	}
	if !r.removedSeen("eng") {
		t.Error("OnState was not told eng was removed")
	}
	if _, err := h.Deliver(context.Background(), "eng", ticket(1, "T-1", nil)); !errors.Is(err, pluginhost.ErrUnknownDepartment) {
		t.Errorf("Deliver to the removed department: error %v, want ErrUnknownDepartment", err)
	}
	var names []string
	for _, st := range h.Statuses() {
		names = append(names, st.Name)
	}
	if fmt.Sprint(names) != "[fin svc]" {
		t.Errorf("Statuses %v, want [fin svc]", names)
	}
	if st, _ := h.Status("fin"); st.PID != fin.PID || st.Restarts != 0 {
		t.Errorf("fin: %+v, want pid %d untouched", st, fin.PID)
	}
}

// TestUpdateUpgrades replaces the plugin of eng with another build (a new
// sha256 and version) under a burst of Deliver calls: each call succeeds
// or gets ErrUnavailable, none hangs, and afterwards every call reaches
// the new process.
func TestUpdateUpgrades(t *testing.T) {
	r := &recorder{}
	opts := fastOptions(t, r)
	old := spec("eng")
	old.SHA256 = sumOf(t, pluginBin)
	h := startHost(t, []pluginhost.Spec{old, spec("fin")}, opts)
	first := waitState(t, h, "eng", pluginhost.StateRunning)
	fin := waitState(t, h, "fin", pluginhost.StateRunning)
	if first.Version != "0.0.1" {
		t.Fatalf("old version %q, want 0.0.1", first.Version)
	}

	var (
		stop     = make(chan struct{})
		wg       sync.WaitGroup
		mu       sync.Mutex
		ok, down int
		bad      []string
	)
	for c := range 32 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				begun := time.Now()
				_, err := h.Deliver(context.Background(), "eng", ticket(uint64(i), fmt.Sprintf("T-%d-%d", c, i), nil))
				took := time.Since(begun)
				mu.Lock()
				switch {
				case took > opts.CallTimeout+time.Second:
					bad = append(bad, fmt.Sprintf("a call took %s", took))
				case err == nil:
					ok++
				case errors.Is(err, pluginhost.ErrUnavailable):
					down++
				default:
					bad = append(bad, err.Error())
				}
				mu.Unlock()
			}
		})
	}
	time.Sleep(100 * time.Millisecond)

	next := pluginhost.Spec{Name: "eng", Title: old.Title, Cmd: []string{pluginBin2}, SHA256: sumOf(t, pluginBin2)}
	begun := time.Now()
	ch := update(t, h, next, spec("fin"))
	t.Logf("Update took %s", time.Since(begun).Round(time.Millisecond))
	time.Sleep(100 * time.Millisecond)
	close(stop)
	wg.Wait()
	t.Logf("during the upgrade: %d calls answered, %d unavailable", ok, down)
	if len(bad) > 0 {
		t.Errorf("%d calls neither succeeded nor got ErrUnavailable, e.g. %s", len(bad), bad[0])
	}
	if fmt.Sprintf("%v", ch) != "{[] [] [eng]}" {
		t.Errorf("changes %+v, want eng upgraded only", ch)
	}
	st, _ := h.Status("eng")
	if st.State != pluginhost.StateRunning || st.Version != "2.0.0" || st.PID == first.PID {
		t.Errorf("after the upgrade: %+v, want running version 2.0.0 in a new process", st)
	}
	if alive(first.PID) {
		t.Errorf("old pid %d still alive after Update returned", first.PID)
	}
	for i := range 10 {
		ack, err := h.Deliver(context.Background(), "eng", ticket(uint64(i), "T-after", nil))
		if err != nil || !strings.Contains(ack.Reply.Note, fmt.Sprintf("pid=%d", st.PID)) {
			t.Fatalf("after the upgrade: ack %+v, error %v; want an answer from pid %d", ack, err, st.PID)
		}
	}
	if now, _ := h.Status("fin"); now.PID != fin.PID {
		t.Errorf("fin restarted (pid %d → %d), want it untouched", fin.PID, now.PID)
	}
	// OnState saw the new process running; no stop of eng in between.
	states := r.states("eng")
	if fmt.Sprint(states) != "[starting running running]" {
		t.Errorf("OnState for eng: %v, want [starting running running]", states)
	}
}

// TestUpdateFailedUpgradeKeepsOld tries upgrades whose new process cannot
// start: Update fails naming the department and the cause, nothing
// changes, and the old process keeps serving.
func TestUpdateFailedUpgradeKeepsOld(t *testing.T) {
	tests := []struct {
		name string
		next func(pluginhost.Spec) pluginhost.Spec
		want string
	}{
		{"wrong sha256", func(s pluginhost.Spec) pluginhost.Spec {
			s.Cmd = []string{pluginBin2}
			s.SHA256 = strings.Repeat("ab", 32)
			return s
		}, "checksum mismatch for " + pluginBin2},
		{"missing binary", func(s pluginhost.Spec) pluginhost.Spec {
			s.Cmd = []string{"/nonexistent/plugin"}
			return s
		}, "/nonexistent/plugin"},
		{"exits at once", func(s pluginhost.Spec) pluginhost.Spec {
			s.Cmd = []string{pluginBin, "exit=3"}
			return s
		}, "start " + pluginBin},
		{"refuses its settings", func(s pluginhost.Spec) pluginhost.Spec {
			s.Settings = json.RawMessage(`{"refuse":true}`)
			return s
		}, "refuse is set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			old := spec("eng")
			h := startHost(t, []pluginhost.Spec{old}, fastOptions(t, r))
			first := waitState(t, h, "eng", pluginhost.StateRunning)

			ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			defer cancel()
			ch, err := h.Update(ctx, []pluginhost.Spec{tt.next(old), spec("fin")})
			if err == nil || !strings.Contains(err.Error(), `department "eng"`) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Update: error %v, want one naming eng and %q", err, tt.want)
			}
			if fmt.Sprintf("%v", ch) != "{[] [] []}" {
				t.Errorf("changes %+v, want none", ch)
			}
			if _, ok := h.Status("fin"); ok {
				t.Error("fin was added by a failed Update")
			}
			st, _ := h.Status("eng")
			if st.PID != first.PID || st.State != pluginhost.StateRunning || st.Version != first.Version {
				t.Errorf("after the failed upgrade: %+v, want the old process %d running", st, first.PID)
			}
			if _, err := h.Deliver(context.Background(), "eng", ticket(1, "T-1", nil)); err != nil {
				t.Errorf("the old process after the failed upgrade: %v", err)
			}
			if got := r.states("eng"); fmt.Sprint(got) != "[starting running]" {
				t.Errorf("OnState for eng: %v, want [starting running]", got)
			}
		})
	}
}

func TestUpdateRejectsBadSpecs(t *testing.T) {
	h := startHost(t, []pluginhost.Spec{spec("eng")}, fastOptions(t, &recorder{}))
	first := waitState(t, h, "eng", pluginhost.StateRunning)
	_, err := h.Update(context.Background(), []pluginhost.Spec{spec("fin"), spec("fin")})
	if err == nil || !strings.Contains(err.Error(), `department "fin" is listed twice`) {
		t.Fatalf("Update: error %v, want the duplicate named", err)
	}
	if _, ok := h.Status("fin"); ok {
		t.Error("fin was added by a rejected Update")
	}
	if st, _ := h.Status("eng"); st.PID != first.PID {
		t.Errorf("eng: %+v, want pid %d untouched", st, first.PID)
	}
}

// TestUpdateRestartsFailed gives a failed department a fixed spec.
func TestUpdateRestartsFailed(t *testing.T) {
	bad := spec("eng")
	bad.SHA256 = strings.Repeat("ab", 32)
	h := startHost(t, []pluginhost.Spec{bad}, fastOptions(t, &recorder{}))
	waitState(t, h, "eng", pluginhost.StateFailed)
	fixed := spec("eng")
	fixed.SHA256 = sumOf(t, pluginBin)
	if ch := update(t, h, fixed); fmt.Sprint(ch.Upgraded) != "[eng]" {
		t.Errorf("changes %+v, want eng upgraded", ch)
	}
	waitState(t, h, "eng", pluginhost.StateRunning)
}

func TestUpdateBeforeStart(t *testing.T) {
	h, err := pluginhost.New([]pluginhost.Spec{spec("eng")}, fastOptions(t, &recorder{}))
	if err != nil {
		t.Fatal(err)
	}
	next := spec("eng", "version=3.0.0")
	ch, err := h.Update(context.Background(), []pluginhost.Spec{next, spec("fin")})
	if err != nil || fmt.Sprintf("%v", ch) != "{[fin] [] [eng]}" {
		t.Fatalf("Update: changes %+v, error %v; want fin added, eng upgraded", ch, err)
	}
	if st, _ := h.Status("eng"); st.State != pluginhost.StateStopped {
		t.Errorf("before Start: %+v, want stopped", st)
	}
	h.Start(context.Background())
	t.Cleanup(func() { h.Stop(context.Background()) })
	if st := waitState(t, h, "eng", pluginhost.StateRunning); st.Version != "3.0.0" {
		t.Errorf("eng runs version %q, want 3.0.0", st.Version)
	}
	waitState(t, h, "fin", pluginhost.StateRunning)

	h.Stop(context.Background())
	if _, err := h.Update(context.Background(), []pluginhost.Spec{spec("eng")}); err == nil {
		t.Error("Update after Stop succeeded")
	}
}

// TestStdoutBeforeHandshake runs a plugin that prints to stdout before
// the handshake: it fails at once, with an error that says so.
func TestStdoutBeforeHandshake(t *testing.T) {
	script := filepath.Join(t.TempDir(), "chatty")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho 'starting the chatty plugin'\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := &recorder{}
	h := startHost(t, []pluginhost.Spec{{Name: "eng", Cmd: []string{script}}}, fastOptions(t, r))
	st := waitState(t, h, "eng", pluginhost.StateFailed)
	want := fmt.Sprintf(`plugin eng (%s) wrote to stdout before the go-plugin handshake: "starting the chatty plugin"; `+
		`a plugin must keep stdout for the handshake and log to stderr (sdk.NewLogger)`, script)
	if st.LastError != want {
		t.Errorf("last error:\n%s\nwant:\n%s", st.LastError, want)
	}
	if st.Restarts != 0 {
		t.Errorf("restarts = %d, want none: a restart cannot cure it", st.Restarts)
	}
	_, err := h.Deliver(context.Background(), "eng", sdk.Delivery{Ticket: &sdk.Ticket{ID: "T-1"}})
	if !errors.Is(err, pluginhost.ErrUnavailable) {
		t.Errorf("Deliver: error %v, want ErrUnavailable", err)
	}
}
