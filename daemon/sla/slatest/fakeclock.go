// Package slatest provides test doubles for package sla: a fake Clock whose
// time moves only when the test says so.
package slatest

import (
	"sync"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/sla"
)

// FakeClock is a virtual clock. Its time moves only by Advance and Set, which
// run the callbacks that fall due synchronously, in time order, with Now
// reading each callback's own due time while it runs. It is safe for
// concurrent use.
//
// As with time.AfterFunc, a callback registered with d <= 0 runs at once in
// its own goroutine, so that code may arm a timer while holding its own locks.
type FakeClock struct {
	mu     sync.Mutex
	now    time.Time
	seq    uint64
	timers []*fakeTimer
}

var _ sla.Clock = (*FakeClock)(nil)

// NewFakeClock returns a FakeClock reading start.
func NewFakeClock(start time.Time) *FakeClock { return &FakeClock{now: start} }

// Now returns the virtual time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc registers f to run when the clock reaches Now()+d.
func (c *FakeClock) AfterFunc(d time.Duration, f func()) sla.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &fakeTimer{c: c, at: c.now.Add(d), seq: c.seq, f: f}
	if d <= 0 {
		t.fired = true
		go f()
		return t
	}
	c.timers = append(c.timers, t)
	return t
}

// Advance moves the clock forward by d, running every callback due on the
// way, in time order (ties in registration order), including callbacks
// registered by those callbacks that fall due before the end.
func (c *FakeClock) Advance(d time.Duration) {
	c.Set(c.Now().Add(d))
}

// Set moves the clock to t, running the callbacks due on the way like
// Advance. A t before Now moves the clock back and runs nothing.
func (c *FakeClock) Set(t time.Time) {
	for {
		c.mu.Lock()
		next := c.earliest()
		if next == nil || next.at.After(t) {
			c.now = t
			c.mu.Unlock()
			return
		}
		c.remove(next)
		next.fired = true
		if next.at.After(c.now) {
			c.now = next.at
		}
		c.mu.Unlock()
		next.f()
	}
}

// Timers returns the number of callbacks waiting.
func (c *FakeClock) Timers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// NextAt returns when the earliest waiting callback is due; false if none.
func (c *FakeClock) NextAt() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.earliest(); t != nil {
		return t.at, true
	}
	return time.Time{}, false
}

func (c *FakeClock) earliest() *fakeTimer {
	var min *fakeTimer
	for _, t := range c.timers {
		if min == nil || t.at.Before(min.at) || (t.at.Equal(min.at) && t.seq < min.seq) {
			min = t
		}
	}
	return min
}

func (c *FakeClock) remove(t *fakeTimer) bool {
	for i, x := range c.timers {
		if x == t {
			c.timers = append(c.timers[:i], c.timers[i+1:]...)
			return true
		}
	}
	return false
}

type fakeTimer struct {
	c     *FakeClock
	at    time.Time
	seq   uint64
	f     func()
	fired bool
}

// Stop removes the callback if it has not run yet.
func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.fired {
		return false
	}
	t.fired = true
	return t.c.remove(t)
}
