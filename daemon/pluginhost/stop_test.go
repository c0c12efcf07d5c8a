//go:build unix

package pluginhost_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
	"github.com/switchboard-desk/switchboard/sdk"
)

func TestStopKillsEveryPlugin(t *testing.T) {
	r := &recorder{}
	specs := []pluginhost.Spec{spec("fin"), spec("eng"), spec("svc")}
	h, err := pluginhost.New(specs, fastOptions(t, r))
	if err != nil {
		t.Fatal(err)
	}
	h.Start(context.Background())
	var pids []int
	for _, st := range []string{"eng", "fin", "svc"} {
		pids = append(pids, waitState(t, h, st, pluginhost.StateRunning).PID)
	}

	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	begun := time.Now()
	h.Stop(ctx)
	t.Logf("Stop took %s", time.Since(begun).Round(time.Millisecond))
	for _, pid := range pids {
		if alive(pid) {
			t.Errorf("pid %d still alive after Stop", pid)
		}
	}
	var names []string
	for _, st := range h.Statuses() {
		names = append(names, st.Name)
		if st.State != pluginhost.StateStopped || st.PID != 0 {
			t.Errorf("after Stop: %+v, want stopped with no pid", st)
		}
	}
	if fmt.Sprint(names) != "[eng fin svc]" {
		t.Errorf("Statuses order %v, want sorted by name", names)
	}
	if got := r.states("eng"); got[len(got)-1] != pluginhost.StateStopped {
		t.Errorf("OnState for eng ended with %v, want stopped", got)
	}
	if _, err := h.HandleTicket(context.Background(), "eng", sdk.Ticket{ID: "T-1"}); !errors.Is(err, pluginhost.ErrUnavailable) {
		t.Errorf("call after Stop: error %v, want ErrUnavailable", err)
	}
}

func TestStopIsBoundedWithHungCall(t *testing.T) {
	r := &recorder{}
	opts := fastOptions(t, r)
	opts.CallTimeout = time.Minute // the hung call would outlive Stop's deadline
	h, err := pluginhost.New([]pluginhost.Spec{spec("eng")}, opts)
	if err != nil {
		t.Fatal(err)
	}
	h.Start(context.Background())
	pid := waitState(t, h, "eng", pluginhost.StateRunning).PID
	go h.HandleTicket(context.Background(), "eng", sdk.Ticket{ID: "T-1", Fields: map[string]string{"hang": "1"}})
	time.Sleep(50 * time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	begun := time.Now()
	h.Stop(ctx)
	if took := time.Since(begun); took > 3*time.Second {
		t.Errorf("Stop took %s with a 500ms deadline", took)
	}
	waitFor(t, "the plugin to die", func() bool { return !alive(pid) })
}
