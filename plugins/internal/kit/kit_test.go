package kit_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/switchboard-desk/switchboard/plugins/internal/kit"
	"github.com/switchboard-desk/switchboard/sdk"
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
