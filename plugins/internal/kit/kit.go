// Package kit holds the small pieces the bundled department plugins share:
// a holder for the daemon's host API, a bounded set of handled event ids
// (events are delivered at least once), which host errors are worth a
// retry, and small decoders of event data. It uses only
// sdk/ and the standard library, as a third party's plugin would.
package kit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-desk/switchboard/sdk"
)

// HostRef holds the sdk.Host a department was given by UseHost. The zero
// value holds none. It is safe for concurrent use: the host is replaced
// after every restart of the plugin process while tickets may be in
// flight.
type HostRef struct {
	p atomic.Pointer[hostBox]
}

type hostBox struct{ h sdk.Host }

// Set makes h the current host.
func (r *HostRef) Set(h sdk.Host) { r.p.Store(&hostBox{h}) }

// Get returns the current host, or nil when the department has none (a
// daemon without the host API, or a test without a fake host).
func (r *HostRef) Get() sdk.Host {
	if b := r.p.Load(); b != nil {
		return b.h
	}
	return nil
}

// Seen is a bounded set of recently handled keys (event ids, or an event
// id with a step, "T-1/7/escalate"), so that a redelivered event is not
// applied twice. It remembers the last Max keys; the zero value remembers
// DefaultSeen. It is safe for concurrent use.
type Seen struct {
	// Max bounds the keys remembered; 0 means DefaultSeen.
	Max int

	mu    sync.Mutex
	set   map[string]struct{}
	order []string // ring of keys, oldest at next
	next  int
}

// DefaultSeen is how many keys a zero Seen remembers: far more than the
// events a department has in flight at once.
const DefaultSeen = 8192

// Has reports whether key was added and is still remembered.
func (s *Seen) Has(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.set[key]
	return ok
}

// Add remembers key, forgetting the oldest key when full.
func (s *Seen) Add(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.set == nil {
		max := s.Max
		if max <= 0 {
			max = DefaultSeen
		}
		s.set = make(map[string]struct{}, max)
		s.order = make([]string, max)
	}
	if _, ok := s.set[key]; ok {
		return
	}
	if old := s.order[s.next]; old != "" {
		delete(s.set, old)
	}
	s.order[s.next] = key
	s.set[key] = struct{}{}
	s.next = (s.next + 1) % len(s.order)
}

// Once runs step unless key was done before, and remembers key when step
// succeeds, so that a failed step is tried again on the next delivery.
func (s *Seen) Once(key string, step func() error) error {
	if s.Has(key) {
		return nil
	}
	if err := step(); err != nil {
		return err
	}
	s.Add(key)
	return nil
}

// Retryable reports whether a host call's error may go away if the event
// or ticket is delivered again: the daemon was unreachable or failed.
// Refusals (not found, permission denied, invalid, conflict) are not.
func Retryable(err error) bool {
	switch sdk.HostErrorCodeOf(err) {
	case sdk.HostUnavailable, sdk.HostInternal:
		return true
	case "":
		return err != nil && !errors.Is(err, context.Canceled)
	default:
		return false
	}
}

// Zone loads the time zone a department's settings name, *name, setting it
// to def when empty; the error names the "zone" setting.
func Zone(name *string, def string) (*time.Location, error) {
	if *name == "" {
		*name = def
	}
	loc, err := time.LoadLocation(*name)
	if err != nil {
		return nil, fmt.Errorf("zone: %q is not an IANA time zone: %v", *name, err)
	}
	return loc, nil
}
