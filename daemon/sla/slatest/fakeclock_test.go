package slatest_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/sla/slatest"
)

var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

func TestAdvanceRunsCallbacksInOrder(t *testing.T) {
	c := slatest.NewFakeClock(t0)
	var got []string
	var seen []time.Duration
	add := func(name string, d time.Duration) {
		c.AfterFunc(d, func() {
			got = append(got, name)
			seen = append(seen, c.Now().Sub(t0))
		})
	}
	add("c", 3*time.Minute)
	add("a", time.Minute)
	add("b1", 2*time.Minute)
	add("b2", 2*time.Minute) // same time: registration order
	add("late", time.Hour)
	stopped := c.AfterFunc(90*time.Second, func() { t.Error("stopped timer ran") })
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop: want true once, then false")
	}
	// A callback that arms another inside the window: it runs too.
	c.AfterFunc(150*time.Second, func() {
		c.AfterFunc(time.Second, func() { got = append(got, "chained"); seen = append(seen, c.Now().Sub(t0)) })
	})

	if c.Timers() != 7-1 {
		t.Fatalf("Timers = %d, want 6", c.Timers())
	}
	if at, ok := c.NextAt(); !ok || !at.Equal(t0.Add(time.Minute)) {
		t.Fatalf("NextAt = %s %v", at, ok)
	}
	c.Advance(5 * time.Minute)
	want := []string{"a", "b1", "b2", "chained", "c"}
	if !slices.Equal(got, want) {
		t.Fatalf("ran %v, want %v", got, want)
	}
	wantSeen := []time.Duration{time.Minute, 2 * time.Minute, 2 * time.Minute, 151 * time.Second, 3 * time.Minute}
	if !slices.Equal(seen, wantSeen) {
		t.Fatalf("Now inside callbacks %v, want %v", seen, wantSeen)
	}
	if !c.Now().Equal(t0.Add(5 * time.Minute)) {
		t.Fatalf("Now = %s", c.Now())
	}
	if c.Timers() != 1 {
		t.Fatalf("Timers = %d, want 1 (late)", c.Timers())
	}
	c.Set(t0.Add(2 * time.Hour))
	if got[len(got)-1] != "late" {
		t.Fatalf("Set did not run late: %v", got)
	}
	if _, ok := c.NextAt(); ok {
		t.Fatal("NextAt: want none")
	}
}

func TestSetBackwardsRunsNothing(t *testing.T) {
	c := slatest.NewFakeClock(t0)
	ran := false
	c.AfterFunc(time.Minute, func() { ran = true })
	c.Set(t0.Add(-time.Hour))
	if ran || !c.Now().Equal(t0.Add(-time.Hour)) {
		t.Fatalf("ran %v, Now %s", ran, c.Now())
	}
}

func TestZeroDelayRunsAsynchronously(t *testing.T) {
	c := slatest.NewFakeClock(t0)
	var mu sync.Mutex
	mu.Lock() // held by the caller, as a scheduler holds its lock
	done := make(chan struct{})
	tm := c.AfterFunc(0, func() { mu.Lock(); close(done); mu.Unlock() })
	if tm.Stop() {
		t.Error("Stop of a started zero-delay timer: want false")
	}
	mu.Unlock()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("zero-delay callback never ran")
	}
}
