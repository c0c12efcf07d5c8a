package pluginhost

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Host supervises the plugins of a set of departments. Build it with New,
// run it with Start, change its departments with Update (a config reload),
// end it with Stop. A Host is not restarted once stopped.
type Host struct {
	opts Options

	// updating serialises Update.
	updating sync.Mutex

	// mu guards the fields below. Calls take it for reading only.
	mu       sync.RWMutex
	sups     map[string]*supervisor // the department's current supervisor
	names    []string               // sorted
	retiring map[*supervisor]bool   // swapped out by Update, still draining
	started  bool
	stopping bool
	runCtx   context.Context // parent of every supervisor's context
	cancel   context.CancelFunc
	calls    sync.WaitGroup // calls in flight, counted while !stopping
}

// New validates the specs (non-empty, unique names; non-empty commands;
// well-formed sums and settings) and options, and returns a Host whose
// plugins are all stopped.
func New(specs []Spec, opts Options) (*Host, error) {
	if err := validateSpecs(specs); err != nil {
		return nil, err
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	h := &Host{
		opts:     opts,
		sups:     make(map[string]*supervisor, len(specs)),
		retiring: make(map[*supervisor]bool),
	}
	for _, s := range specs {
		h.sups[s.Name] = newSupervisor(s, opts, time.Now)
	}
	h.sortNames()
	return h, nil
}

// sortNames rebuilds names from sups; h.mu must be held for writing.
func (h *Host) sortNames() {
	h.names = h.names[:0]
	for name := range h.sups {
		h.names = append(h.names, name)
	}
	sort.Strings(h.names)
}

// Start starts every plugin concurrently in the background and supervises
// them until Stop. Only Stop ends the supervision: ctx gives its values to
// the supervisors, not its cancellation, so that a daemon can stop intake
// and drain before its plugins go. Start returns at once; a second call,
// or a call after Stop, does nothing.
func (h *Host) Start(ctx context.Context) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.started || h.stopping {
		return
	}
	h.started = true
	h.runCtx, h.cancel = context.WithCancel(context.WithoutCancel(ctx))
	for _, name := range h.names {
		h.sups[name].start(h.runCtx, nil)
	}
}

// Stop refuses new calls (they get ErrUnavailable), waits for the calls in
// flight, then kills every plugin and waits for the processes to exit. When
// ctx ends first, it stops waiting and kills what is left at once. Every
// plugin ends in state stopped.
func (h *Host) Stop(ctx context.Context) {
	h.mu.Lock()
	if h.stopping {
		h.mu.Unlock()
		return
	}
	h.stopping = true
	started, cancel := h.started, h.cancel
	current := make([]*supervisor, 0, len(h.names))
	for _, name := range h.names {
		current = append(current, h.sups[name])
	}
	all := current
	for s := range h.retiring {
		all = append(all, s)
	}
	h.mu.Unlock()

	drained := make(chan struct{})
	go func() { h.calls.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-ctx.Done():
	}
	if started {
		cancel()
		for _, s := range all {
			select {
			case <-s.done:
			case <-ctx.Done():
				s.forceKill()
			}
		}
		h.opts.Logger.Info("plugins stopped", "count", len(current))
	}
	for _, s := range current {
		s.set(StateStopped, nil, nil)
	}
}

// Statuses returns a snapshot of every plugin, sorted by name.
func (h *Host) Statuses() []Status {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]Status, 0, len(h.names))
	for _, name := range h.names {
		out = append(out, h.sups[name].status())
	}
	return out
}

// Status returns the snapshot of one department's plugin.
func (h *Host) Status(dept string) (Status, bool) {
	h.mu.RLock()
	s, ok := h.sups[dept]
	h.mu.RUnlock()
	if !ok {
		return Status{}, false
	}
	return s.status(), true
}

// enter counts a call in, unless the host is stopping, and returns the
// department's current supervisor. The caller must call leave.
func (h *Host) enter(dept string) (*supervisor, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	s, ok := h.sups[dept]
	if !ok {
		return nil, fmt.Errorf("pluginhost: department %q: %w", dept, ErrUnknownDepartment)
	}
	if h.stopping {
		return nil, fmt.Errorf("pluginhost: department %q: host stopping: %w", dept, ErrUnavailable)
	}
	h.calls.Add(1)
	s.calls.Add(1)
	return s, nil
}

// leave counts a call out.
func (h *Host) leave(s *supervisor) {
	s.calls.Done()
	h.calls.Done()
}

// running returns the running, unbroken instance of s, or ErrUnavailable.
func (s *supervisor) running() (*instance, error) {
	inst, state := s.current()
	if inst == nil {
		return nil, fmt.Errorf("pluginhost: department %q is %s: %w", s.spec.Name, state, ErrUnavailable)
	}
	if !inst.usable() { // found dead; the supervisor is replacing it
		return nil, fmt.Errorf("pluginhost: department %q is restarting: %w", s.spec.Name, ErrUnavailable)
	}
	return inst, nil
}
