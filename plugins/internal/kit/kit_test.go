package kit_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/plugins/internal/kit"
	"github.com/switchboard-desk/switchboard/sdk"
	"github.com/switchboard-desk/switchboard/sdk/sdktest"
)

func TestSeenIsBounded(t *testing.T) {
	s := kit.Seen{Max: 3}
	for _, k := range []string{"a", "b", "c", "a"} {
		s.Add(k)
	}
	if !s.Has("a") || !s.Has("b") || !s.Has("c") {
		t.Fatal("forgot a key within the bound")
	}
	s.Add("d") // evicts the oldest, "a"
	if s.Has("a") || !s.Has("d") || !s.Has("b") {
		t.Errorf("after a fourth key: a=%v b=%v d=%v; want a forgotten", s.Has("a"), s.Has("b"), s.Has("d"))
	}
}

func TestSeenOnce(t *testing.T) {
	var s kit.Seen
	runs := 0
	fail := errors.New("host down")
	step := func(err error) func() error { return func() error { runs++; return err } }
	if err := s.Once("k", step(fail)); err != fail {
		t.Fatalf("Once = %v, want the step's error", err)
	}
	if err := s.Once("k", step(nil)); err != nil {
		t.Fatal(err)
	}
	if err := s.Once("k", step(nil)); err != nil {
		t.Fatal(err)
	}
	if runs != 2 {
		t.Errorf("step ran %d times, want 2 (a failure is retried, a success is not repeated)", runs)
	}
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&sdk.HostError{Code: sdk.HostUnavailable}, true},
		{&sdk.HostError{Code: sdk.HostInternal}, true},
		{fmt.Errorf("wrapped: %w", &sdk.HostError{Code: sdk.HostUnavailable}), true},
		{&sdk.HostError{Code: sdk.HostConflict}, false},
		{&sdk.HostError{Code: sdk.HostNotFound}, false},
		{&sdk.HostError{Code: sdk.HostPermissionDenied}, false},
		{&sdk.HostError{Code: sdk.HostInvalid}, false},
		{errors.New("transport"), true},
		{context.Canceled, false},
		{nil, false},
	}
	for _, tc := range tests {
		if got := kit.Retryable(tc.err); got != tc.want {
			t.Errorf("Retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestFollowupWaitsForAcknowledgement(t *testing.T) {
	h := sdktest.NewHost()
	h.Put(sdk.Ticket{ID: "T-1", Status: "new"})
	var f kit.Followups
	var ran atomic.Int32
	var seen atomic.Value
	work := func(_ context.Context, t sdk.Ticket) error {
		ran.Add(1)
		seen.Store(t.Status)
		return nil
	}
	f.Start(h, "T-1", "test", work)
	f.Start(h, "T-1", "test", work) // a second start while the first waits
	time.Sleep(50 * time.Millisecond)
	if ran.Load() != 0 {
		t.Fatal("work ran on a new ticket")
	}
	h.Put(sdk.Ticket{ID: "T-1", Status: "acknowledged"})
	deadline := time.Now().Add(5 * time.Second)
	for ran.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if ran.Load() != 1 || seen.Load() != "acknowledged" {
		t.Errorf("work ran %d times, saw %v; want once, on the acknowledged ticket", ran.Load(), seen.Load())
	}
}

func TestFollowupGivesUp(t *testing.T) {
	h := sdktest.NewHost()
	h.Put(sdk.Ticket{ID: "T-1", Status: "new"})
	f := kit.Followups{Timeout: 50 * time.Millisecond}
	var ran atomic.Int32
	f.Start(h, "T-1", "test", func(context.Context, sdk.Ticket) error { ran.Add(1); return nil })
	time.Sleep(200 * time.Millisecond)
	reads := len(h.Calls())
	time.Sleep(100 * time.Millisecond)
	if ran.Load() != 0 || len(h.Calls()) != reads {
		t.Errorf("after the timeout: ran %d, reads went on (%d → %d)", ran.Load(), reads, len(h.Calls()))
	}
	// An unknown ticket ends the follow-up at once.
	f.Start(h, "T-404", "test", func(context.Context, sdk.Ticket) error { ran.Add(1); return nil })
	time.Sleep(50 * time.Millisecond)
	if ran.Load() != 0 {
		t.Error("work ran on an unknown ticket")
	}
}

func TestFollowupRetriesUnavailable(t *testing.T) {
	h := sdktest.NewHost()
	h.Put(sdk.Ticket{ID: "T-1", Status: "acknowledged"})
	var f kit.Followups
	var tries atomic.Int32
	done := make(chan struct{})
	f.Start(h, "T-1", "test", func(context.Context, sdk.Ticket) error {
		if tries.Add(1) < 3 {
			return &sdk.HostError{Op: "Transition", Code: sdk.HostUnavailable}
		}
		close(done)
		return nil
	})
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("work tried %d times, never succeeded", tries.Load())
	}
}
