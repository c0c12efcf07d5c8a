//go:build unix

package pluginhost_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
	"github.com/switchboard-desk/switchboard/sdk"
	"github.com/switchboard-desk/switchboard/sdk/sdktest"
)

// ticket is a Delivery of a ticket offer with the given fields.
func ticket(id uint64, tid string, fields map[string]string) sdk.Delivery {
	return sdk.Delivery{ID: id, Ticket: &sdk.Ticket{ID: tid, Kind: "repair", Fields: fields}}
}

// event is a Delivery of an event of type typ.
func event(id uint64, typ string) sdk.Delivery {
	return sdk.Delivery{ID: id, Event: &sdk.Event{ID: fmt.Sprintf("T-1/%d", id), TicketID: "T-1", Type: typ}}
}

// TestDeliver runs the same items through the work stream of an sdk
// plugin and through the unary fallback of plugins without it, and checks
// that the caller sees the same answers.
func TestDeliver(t *testing.T) {
	tests := []struct {
		name string
		spec pluginhost.Spec
		caps string
		// events is the ack of an event the plugin does not want sent
		// at once, without a call: then the plugin counts none.
		eventsSeen string
	}{
		{"stream", spec("eng"), "[deliver events health host]", ""},
		{"legacy", pluginhost.Spec{Name: "eng", Cmd: []string{rawBin}}, "[legacy]", "events=1"},
		{"unary with events", pluginhost.Spec{Name: "eng", Cmd: []string{rawBin, "caps=events,health"}}, "[events health]", "events=1"},
		{"unary without events", pluginhost.Spec{Name: "eng", Cmd: []string{rawBin, "caps=health"}}, "[health]", "events=0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startHost(t, []pluginhost.Spec{tt.spec}, fastOptions(t, &recorder{}))
			st := waitState(t, h, "eng", pluginhost.StateRunning)
			if got := fmt.Sprint(st.Capabilities); got != tt.caps {
				t.Errorf("capabilities %s, want %s", got, tt.caps)
			}
			ctx := context.Background()

			ack, err := h.Deliver(ctx, "eng", event(41, "assigned"))
			if err != nil || ack != (sdk.Ack{ID: 41}) {
				t.Errorf("event: ack %+v, error %v; want a plain ack with ID 41", ack, err)
			}
			ack, err = h.Deliver(ctx, "eng", ticket(42, "T-1", nil))
			if err != nil || ack.ID != 42 || ack.Err != "" || !ack.Reply.Accept ||
				!strings.HasPrefix(ack.Reply.Note, fmt.Sprintf("pid=%d id=T-1", st.PID)) ||
				!strings.Contains(ack.Reply.Note, tt.eventsSeen) {
				t.Errorf("ticket: ack %+v, error %v; want ID 42 and an answer from pid %d (%s)", ack, err, st.PID, tt.eventsSeen)
			}

			// The plugin's own failures are acks with Err, not errors.
			ack, err = h.Deliver(ctx, "eng", ticket(43, "T-2", map[string]string{"fail": "no technician"}))
			if err != nil || ack.ID != 43 || ack.Err != "no technician" {
				t.Errorf("failing ticket: ack %+v, error %v; want ID 43 with Err %q", ack, err, "no technician")
			}
			if tt.eventsSeen != "events=0" {
				ack, err = h.Deliver(ctx, "eng", event(44, "fail"))
				if err != nil || ack.ID != 44 || ack.Err != "event refused" {
					t.Errorf("failing event: ack %+v, error %v; want ID 44 with Err %q", ack, err, "event refused")
				}
			}
			if _, err := h.Deliver(ctx, "eng", sdk.Delivery{ID: 45}); err == nil || errors.Is(err, pluginhost.ErrUnavailable) {
				t.Errorf("empty delivery: error %v, want a refusal", err)
			}
			if now, _ := h.Status("eng"); now.PID != st.PID || now.Restarts != 0 {
				t.Errorf("status %+v, want still pid %d, no restarts", now, st.PID)
			}
			if _, err := h.Deliver(ctx, "nobody", ticket(1, "T-3", nil)); !errors.Is(err, pluginhost.ErrUnknownDepartment) {
				t.Errorf("unknown department: error %v, want ErrUnknownDepartment", err)
			}
		})
	}
}

// TestDeliverConcurrent checks that acks go back to the right callers
// when many share the stream.
func TestDeliverConcurrent(t *testing.T) {
	h := startHost(t, []pluginhost.Spec{spec("eng")}, fastOptions(t, &recorder{}))
	waitState(t, h, "eng", pluginhost.StateRunning)
	const callers, each = 64, 50
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for c := range callers {
		wg.Go(func() {
			for i := range each {
				tid := fmt.Sprintf("T-%d-%d", c, i)
				ack, err := h.Deliver(context.Background(), "eng", ticket(uint64(i), tid, nil))
				if err != nil || ack.ID != uint64(i) || !strings.HasSuffix(ack.Reply.Note, " id="+tid) {
					errs <- fmt.Errorf("caller %d item %d: ack %+v, error %v", c, i, ack, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestDeliverBusyIsNotHung: a plugin slower than CallTimeout divided by
// the items queued in it keeps answering; items waiting their turn in it
// are not taken for a hang, and it is not restarted.
func TestDeliverBusyIsNotHung(t *testing.T) {
	opts := fastOptions(t, &recorder{})
	opts.CallTimeout = time.Second
	h := startHost(t, []pluginhost.Spec{spec("eng")}, opts)
	first := waitState(t, h, "eng", pluginhost.StateRunning)
	// 128 items of 150 ms on the plugin's few workers: ~5 s of work, the
	// last ones acknowledged well after CallTimeout.
	var wg sync.WaitGroup
	errs := make(chan error, 128)
	for i := range 128 {
		wg.Go(func() {
			tid := fmt.Sprintf("T-%d", i)
			if _, err := h.Deliver(context.Background(), "eng", ticket(uint64(i), tid, map[string]string{"sleep": "150ms"})); err != nil {
				errs <- fmt.Errorf("%s: %w", tid, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if st, _ := h.Status("eng"); st.PID != first.PID || st.Restarts != 0 {
		t.Errorf("busy plugin was restarted: %+v", st)
	}
}

func TestDeliverHungIsKilled(t *testing.T) {
	r := &recorder{}
	opts := fastOptions(t, r)
	opts.CallTimeout = time.Second
	h := startHost(t, []pluginhost.Spec{spec("eng")}, opts)
	first := waitState(t, h, "eng", pluginhost.StateRunning)

	// The hung item, and others of other tickets in flight with it: they
	// are answered while it hangs; it alone times out.
	hung := make(chan error, 1)
	go func() {
		_, err := h.Deliver(context.Background(), "eng", ticket(1, "T-hung", map[string]string{"hang": "1"}))
		hung <- err
	}()
	time.Sleep(50 * time.Millisecond)
	for i := range 20 {
		if _, err := h.Deliver(context.Background(), "eng", ticket(2, fmt.Sprintf("T-%d", i), nil)); err != nil {
			// An item may share the hung one's worker in the plugin; it
			// then fails with it, as unavailable.
			if !errors.Is(err, pluginhost.ErrUnavailable) {
				t.Fatalf("item beside the hung one: %v", err)
			}
			break
		}
	}
	var err error
	select {
	case err = <-hung:
	case <-time.After(waitTimeout):
		t.Fatal("hung item never returned")
	}
	if !errors.Is(err, pluginhost.ErrCallTimeout) || !errors.Is(err, pluginhost.ErrUnavailable) {
		t.Fatalf("hung item: error %v, want ErrCallTimeout and ErrUnavailable", err)
	}
	waitFor(t, "the hung process to die", func() bool { return !alive(first.PID) })
	var st pluginhost.Status
	waitFor(t, "a new process", func() bool {
		st, _ = h.Status("eng")
		return st.State == pluginhost.StateRunning && st.PID != first.PID
	})
	if why, _ := r.lastError("eng", pluginhost.StateRestarting); !strings.Contains(why, "Deliver exceeded 1s") {
		t.Errorf("restarting with last error %q, want the item's timeout", why)
	}
	ack, err := h.Deliver(context.Background(), "eng", ticket(3, "T-hung", nil))
	if err != nil || !strings.Contains(ack.Reply.Note, fmt.Sprintf("pid=%d", st.PID)) {
		t.Errorf("redelivery: ack %+v, error %v; want an answer from pid %d", ack, err, st.PID)
	}
}

// TestDeliverProcessDies kills the plugin with items in flight: every one
// of them gets ErrUnavailable at once, not after CallTimeout.
func TestDeliverProcessDies(t *testing.T) {
	opts := fastOptions(t, &recorder{})
	opts.CallTimeout = time.Minute
	h := startHost(t, []pluginhost.Spec{spec("eng")}, opts)
	first := waitState(t, h, "eng", pluginhost.StateRunning)

	const inFlight = 10
	errs := make(chan error, inFlight)
	for i := range inFlight {
		go func() {
			_, err := h.Deliver(context.Background(), "eng", ticket(uint64(i), fmt.Sprintf("T-%d", i), map[string]string{"hang": "1"}))
			errs <- err
		}()
	}
	time.Sleep(100 * time.Millisecond)
	killed := time.Now()
	if err := syscall.Kill(first.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for range inFlight {
		select {
		case err := <-errs:
			if !errors.Is(err, pluginhost.ErrUnavailable) || errors.Is(err, pluginhost.ErrCallTimeout) {
				t.Errorf("item in flight: error %v, want ErrUnavailable (not a timeout)", err)
			}
		case <-time.After(waitTimeout):
			t.Fatal("an item in flight never returned")
		}
	}
	t.Logf("items in flight released %s after kill -9", time.Since(killed).Round(time.Millisecond))
	waitFor(t, "a new process", func() bool {
		st, _ := h.Status("eng")
		return st.State == pluginhost.StateRunning && st.PID != first.PID
	})
	if _, err := h.Deliver(context.Background(), "eng", ticket(1, "T-1", nil)); err != nil {
		t.Fatalf("after restart: %v", err)
	}
}

func TestDeliverCallerDeadlineDoesNotKill(t *testing.T) {
	h := startHost(t, []pluginhost.Spec{spec("eng")}, fastOptions(t, &recorder{}))
	first := waitState(t, h, "eng", pluginhost.StateRunning)

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := h.Deliver(ctx, "eng", ticket(1, "T-1", map[string]string{"sleep": "500ms"}))
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, pluginhost.ErrUnavailable) {
		t.Fatalf("error %v, want the caller's deadline and not ErrUnavailable", err)
	}
	if _, err := h.Deliver(context.Background(), "eng", ticket(2, "T-2", nil)); err != nil {
		t.Fatalf("next item: %v", err)
	}
	if st, _ := h.Status("eng"); st.PID != first.PID || st.Restarts != 0 {
		t.Errorf("status %+v, want the same process, not restarted", st)
	}
}

func TestDeliverUnavailable(t *testing.T) {
	h, err := pluginhost.New([]pluginhost.Spec{spec("eng")}, pluginhost.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Deliver(context.Background(), "eng", ticket(1, "T-1", nil)); !errors.Is(err, pluginhost.ErrUnavailable) {
		t.Errorf("before Start: error %v, want ErrUnavailable", err)
	}
	h.Start(context.Background())
	waitState(t, h, "eng", pluginhost.StateRunning)
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	h.Stop(ctx)
	if _, err := h.Deliver(context.Background(), "eng", ticket(1, "T-1", nil)); !errors.Is(err, pluginhost.ErrUnavailable) {
		t.Errorf("after Stop: error %v, want ErrUnavailable", err)
	}
}

// TestHostAPI checks that a plugin that lists "host" gets Options.HostAPI
// for its department, and calls it back.
func TestHostAPI(t *testing.T) {
	fake := sdktest.NewHost().ForDepartment("eng")
	fake.Put(sdk.Ticket{ID: "T-1", Kind: "repair", Status: "acknowledged", Department: "eng"})
	var asked []string
	var mu sync.Mutex
	opts := fastOptions(t, &recorder{})
	opts.HostAPI = func(dept string) sdk.Host {
		mu.Lock()
		asked = append(asked, dept)
		mu.Unlock()
		return fake
	}
	h := startHost(t, []pluginhost.Spec{spec("eng")}, opts)
	waitState(t, h, "eng", pluginhost.StateRunning)
	ack, err := h.Deliver(context.Background(), "eng", ticket(1, "T-1", map[string]string{"note": "boiler checked"}))
	if err != nil || ack.Err != "" || ack.Reply.Note != "noted" {
		t.Fatalf("ack %+v, error %v; want the plugin to have noted through the host", ack, err)
	}
	if got := fake.Notes("T-1"); fmt.Sprint(got) != "[boiler checked]" {
		t.Errorf("notes on T-1 %q, want the plugin's", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(asked) != "[eng]" {
		t.Errorf("HostAPI asked for %v, want [eng]", asked)
	}
}

// TestNoTLS checks the TLS switch: AutoMTLS by default, none with NoTLS.
func TestNoTLS(t *testing.T) {
	for _, noTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("NoTLS=%v", noTLS), func(t *testing.T) {
			s := spec("eng")
			s.NoTLS = noTLS
			s.Settings = json.RawMessage(`{}`)
			h := startHost(t, []pluginhost.Spec{s}, fastOptions(t, &recorder{}))
			waitState(t, h, "eng", pluginhost.StateRunning)
			ack, err := h.Deliver(context.Background(), "eng", ticket(1, "T-1", map[string]string{"tls": "?"}))
			if want := fmt.Sprintf("tls=%v", !noTLS); err != nil || ack.Reply.Note != want {
				t.Errorf("ack %+v, error %v; want the plugin to report %s", ack, err, want)
			}
		})
	}
}
