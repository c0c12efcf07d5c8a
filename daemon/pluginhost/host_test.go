//go:build unix

package pluginhost_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
	"github.com/switchboard-desk/switchboard/sdk"
)

func TestNewRejectsBadSpecs(t *testing.T) {
	ok := pluginhost.Spec{Name: "eng", Cmd: []string{"/bin/true"}}
	tests := []struct {
		name  string
		specs []pluginhost.Spec
		opts  pluginhost.Options
		want  string
	}{
		{"empty name", []pluginhost.Spec{{Cmd: []string{"x"}}}, pluginhost.Options{}, "name is empty"},
		{"duplicate", []pluginhost.Spec{ok, ok}, pluginhost.Options{}, `department "eng" is listed twice`},
		{"no command", []pluginhost.Spec{{Name: "eng"}}, pluginhost.Options{}, `department "eng": command is empty`},
		{"blank binary", []pluginhost.Spec{{Name: "eng", Cmd: []string{" "}}}, pluginhost.Options{}, "command is empty"},
		{"short sum", []pluginhost.Spec{{Name: "eng", Cmd: []string{"x"}, SHA256: "abc"}}, pluginhost.Options{}, `sha256 "abc" is not 64 hex digits`},
		{"bad settings", []pluginhost.Spec{{Name: "eng", Cmd: []string{"x"}, Settings: json.RawMessage(`{"a":`)}}, pluginhost.Options{}, "settings are not valid JSON"},
		{"negative timeout", []pluginhost.Spec{ok}, pluginhost.Options{CallTimeout: -time.Second}, "CallTimeout is negative"},
		{"backoffs inverted", []pluginhost.Spec{ok}, pluginhost.Options{MinBackoff: time.Second, MaxBackoff: time.Millisecond}, "MaxBackoff 1ms is below MinBackoff 1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pluginhost.New(tt.specs, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: error %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := pluginhost.New(nil, pluginhost.Options{}); err != nil {
		t.Fatalf("New with no specs: %v", err)
	}
}

func TestRoundTrip(t *testing.T) {
	r := &recorder{}
	s := spec("eng", "version=2.5.0")
	s.Settings = json.RawMessage(`{"assignee":"Wang Li"}`)
	h := startHost(t, []pluginhost.Spec{s}, fastOptions(t, r))
	st := waitState(t, h, "eng", pluginhost.StateRunning)
	if !alive(st.PID) {
		t.Fatalf("running with pid %d, which is not a live process", st.PID)
	}
	if st.Version != "2.5.0" || st.Title != "Dept eng" || st.Restarts != 0 {
		t.Errorf("status = %+v, want version 2.5.0, title, no restarts", st)
	}

	ctx := context.Background()
	reply, err := h.HandleTicket(ctx, "eng", sdk.Ticket{ID: "T-1", Kind: "repair"})
	if err != nil {
		t.Fatalf("HandleTicket: %v", err)
	}
	want := sdk.Reply{Accept: true, Assignee: "Wang Li", Note: fmt.Sprintf("pid=%d id=T-1", st.PID)}
	if reply != want {
		t.Errorf("reply = %+v, want %+v", reply, want)
	}
	if err := h.HandleEvent(ctx, "eng", sdk.Event{ID: "T-1/2", TicketID: "T-1", Type: "assigned"}); err != nil {
		t.Errorf("HandleEvent: %v", err)
	}

	// The plugin's own errors are not ErrUnavailable and do not restart it.
	_, err = h.HandleTicket(ctx, "eng", sdk.Ticket{ID: "T-2", Fields: map[string]string{"fail": "no technician"}})
	if err == nil || errors.Is(err, pluginhost.ErrUnavailable) || !sdk.IsPluginError(err) || !strings.Contains(err.Error(), "no technician") {
		t.Errorf("failing ticket: error %v, want the plugin's own error", err)
	}
	err = h.HandleEvent(ctx, "eng", sdk.Event{ID: "T-1/3", Type: "fail"})
	if err == nil || errors.Is(err, pluginhost.ErrUnavailable) || !sdk.IsPluginError(err) {
		t.Errorf("failing event: error %v, want the plugin's own error", err)
	}
	if now, _ := h.Status("eng"); now.PID != st.PID || now.State != pluginhost.StateRunning {
		t.Errorf("after plugin errors: status %+v, want still running as pid %d", now, st.PID)
	}

	if _, err := h.HandleTicket(ctx, "nobody", sdk.Ticket{ID: "T-3"}); !errors.Is(err, pluginhost.ErrUnknownDepartment) {
		t.Errorf("unknown department: error %v, want ErrUnknownDepartment", err)
	}
	if _, ok := h.Status("nobody"); ok {
		t.Error("Status of an unknown department reported ok")
	}
}

func TestUnavailableBeforeStart(t *testing.T) {
	h, err := pluginhost.New([]pluginhost.Spec{spec("eng")}, pluginhost.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.HandleTicket(context.Background(), "eng", sdk.Ticket{ID: "T-1"})
	if !errors.Is(err, pluginhost.ErrUnavailable) || !strings.Contains(err.Error(), `"eng" is stopped`) {
		t.Fatalf("error %v, want ErrUnavailable naming the department and state", err)
	}
}

func TestKillRestarts(t *testing.T) {
	r := &recorder{}
	h := startHost(t, []pluginhost.Spec{spec("eng")}, fastOptions(t, r))
	first := waitState(t, h, "eng", pluginhost.StateRunning)

	killed := time.Now()
	if err := syscall.Kill(first.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var st pluginhost.Status
	waitFor(t, "a new process", func() bool {
		st, _ = h.Status("eng")
		return st.State == pluginhost.StateRunning && st.PID != first.PID
	})
	t.Logf("back in service %s after kill -9", time.Since(killed).Round(time.Millisecond))
	if !alive(st.PID) || st.Restarts != 1 {
		t.Errorf("after restart: status %+v, want a live pid and 1 restart", st)
	}
	// The reason shows while restarting; running again clears it.
	if why, _ := r.lastError("eng", pluginhost.StateRestarting); !strings.Contains(why, "exited") {
		t.Errorf("restarting: last error %q, want the reason (the process exited)", why)
	}
	if st.LastError != "" {
		t.Errorf("running again: last error %q, want it cleared", st.LastError)
	}
	waitFor(t, "the killed process to be reaped", func() bool { return !alive(first.PID) })

	reply, err := h.HandleTicket(context.Background(), "eng", sdk.Ticket{ID: "T-1"})
	if err != nil || !strings.Contains(reply.Note, fmt.Sprintf("pid=%d", st.PID)) {
		t.Fatalf("after restart: reply %+v, error %v; want an answer from pid %d", reply, err, st.PID)
	}
	got := r.states("eng")
	want := []pluginhost.State{pluginhost.StateStarting, pluginhost.StateRunning, pluginhost.StateRestarting, pluginhost.StateRunning}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("OnState saw %v, want %v", got, want)
	}
}

func TestCrashDuringCall(t *testing.T) {
	r := &recorder{}
	h := startHost(t, []pluginhost.Spec{spec("eng")}, fastOptions(t, r))
	first := waitState(t, h, "eng", pluginhost.StateRunning)

	_, err := h.HandleTicket(context.Background(), "eng", sdk.Ticket{ID: "T-1", Fields: map[string]string{"crash": "1"}})
	if !errors.Is(err, pluginhost.ErrUnavailable) {
		t.Fatalf("crashing call: error %v, want ErrUnavailable", err)
	}
	waitFor(t, "a new process", func() bool {
		st, _ := h.Status("eng")
		return st.State == pluginhost.StateRunning && st.PID != first.PID
	})
	if _, err := h.HandleTicket(context.Background(), "eng", sdk.Ticket{ID: "T-1"}); err != nil {
		t.Fatalf("redelivery after restart: %v", err)
	}
}

func TestHungCallIsKilled(t *testing.T) {
	r := &recorder{}
	opts := fastOptions(t, r)
	opts.CallTimeout = 2 * time.Second
	h := startHost(t, []pluginhost.Spec{spec("eng"), spec("fin")}, opts)
	first := waitState(t, h, "eng", pluginhost.StateRunning)
	waitState(t, h, "fin", pluginhost.StateRunning)

	// While eng hangs, fin answers at once.
	hung := make(chan error, 1)
	begun := time.Now()
	go func() {
		_, err := h.HandleTicket(context.Background(), "eng", sdk.Ticket{ID: "T-1", Fields: map[string]string{"hang": "1"}})
		hung <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if _, err := h.HandleTicket(context.Background(), "fin", sdk.Ticket{ID: "F-1"}); err != nil {
		t.Fatalf("fin while eng hangs: %v", err)
	}
	select {
	case err := <-hung:
		t.Fatalf("eng's hung call ended (%v) before fin answered: fin was held up", err)
	default:
		t.Logf("fin answered in %s while eng hung", time.Since(begun).Round(time.Millisecond))
	}

	var err error
	select {
	case err = <-hung:
	case <-time.After(waitTimeout):
		t.Fatal("hung call never returned")
	}
	if !errors.Is(err, pluginhost.ErrCallTimeout) || !errors.Is(err, pluginhost.ErrUnavailable) {
		t.Fatalf("hung call: error %v, want ErrCallTimeout and ErrUnavailable", err)
	}
	waitFor(t, "the hung process to die", func() bool { return !alive(first.PID) })
	var st pluginhost.Status
	waitFor(t, "a new process", func() bool {
		st, _ = h.Status("eng")
		return st.State == pluginhost.StateRunning && st.PID != first.PID
	})
	if why, _ := r.lastError("eng", pluginhost.StateRestarting); !strings.Contains(why, "exceeded 2s") || st.LastError != "" {
		t.Errorf("after hung call: restarting with last error %q, running with %q; want the timeout, then none", why, st.LastError)
	}
	if fin, _ := h.Status("fin"); fin.Restarts != 0 {
		t.Errorf("fin restarted %d times, want 0", fin.Restarts)
	}
}

func TestFrozenProcessFailsHealth(t *testing.T) {
	r := &recorder{}
	opts := fastOptions(t, r)
	opts.CallTimeout = 300 * time.Millisecond
	opts.HealthInterval = 100 * time.Millisecond
	h := startHost(t, []pluginhost.Spec{spec("eng")}, opts)
	first := waitState(t, h, "eng", pluginhost.StateRunning)

	if err := syscall.Kill(first.PID, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	var st pluginhost.Status
	waitFor(t, "a new process", func() bool {
		st, _ = h.Status("eng")
		return st.State == pluginhost.StateRunning && st.PID != first.PID
	})
	if why, _ := r.lastError("eng", pluginhost.StateRestarting); !strings.Contains(why, "health check failed") {
		t.Errorf("restarting: last error %q, want the health check", why)
	}
	waitFor(t, "the frozen process to die", func() bool { return !alive(first.PID) })
}

func TestCallerDeadlineDoesNotKill(t *testing.T) {
	r := &recorder{}
	h := startHost(t, []pluginhost.Spec{spec("eng")}, fastOptions(t, r))
	first := waitState(t, h, "eng", pluginhost.StateRunning)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := h.HandleTicket(ctx, "eng", sdk.Ticket{ID: "T-1", Fields: map[string]string{"hang": "1"}})
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, pluginhost.ErrUnavailable) {
		t.Fatalf("error %v, want the caller's deadline and not ErrUnavailable", err)
	}
	if _, err := h.HandleTicket(context.Background(), "eng", sdk.Ticket{ID: "T-2"}); err != nil {
		t.Fatalf("next call: %v", err)
	}
	if st, _ := h.Status("eng"); st.PID != first.PID || st.Restarts != 0 {
		t.Errorf("status %+v, want the same process, not restarted", st)
	}
}

func TestOnStateMayCallBack(t *testing.T) {
	var h *pluginhost.Host
	replies := make(chan error, 10)
	opts := fastOptions(t, &recorder{})
	opts.OnState = func(st pluginhost.Status) {
		if st.State == pluginhost.StateRunning {
			// As the daemon does: redeliver what is pending.
			_, err := h.HandleTicket(context.Background(), st.Name, sdk.Ticket{ID: "T-pending"})
			replies <- err
		}
	}
	var err error
	if h, err = pluginhost.New([]pluginhost.Spec{spec("eng")}, opts); err != nil {
		t.Fatal(err)
	}
	h.Start(context.Background())
	defer h.Stop(context.Background())
	select {
	case err := <-replies:
		if err != nil {
			t.Fatalf("redelivery from OnState: %v", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("OnState never reported running")
	}
}
