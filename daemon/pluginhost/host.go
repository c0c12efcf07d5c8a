package pluginhost

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Host supervises the plugins of a set of departments. Build it with New,
// run it with Start, end it with Stop. A Host is not restarted once
// stopped. Today the daemon builds one Host at start and keeps it for its
// life: a reload does not rebuild it, so plugins, their settings and a
// failed department's state change only when the daemon restarts.
type Host struct {
	opts  Options
	sups  map[string]*supervisor
	names []string // sorted

	mu       sync.Mutex
	started  bool
	stopping bool
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
	h := &Host{opts: opts, sups: make(map[string]*supervisor, len(specs))}
	for _, s := range specs {
		h.sups[s.Name] = newSupervisor(s, opts, time.Now)
		h.names = append(h.names, s.Name)
	}
	sort.Strings(h.names)
	return h, nil
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
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	h.cancel = cancel
	for _, name := range h.names {
		go h.sups[name].run(runCtx)
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
	h.mu.Unlock()

	drained := make(chan struct{})
	go func() { h.calls.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-ctx.Done():
	}
	if started {
		cancel()
		for _, name := range h.names {
			s := h.sups[name]
			select {
			case <-s.done:
			case <-ctx.Done():
				s.forceKill()
			}
		}
		h.opts.Logger.Info("plugins stopped", "count", len(h.names))
	}
	for _, name := range h.names {
		h.sups[name].set(StateStopped, nil, nil)
	}
}

// Statuses returns a snapshot of every plugin, sorted by name.
func (h *Host) Statuses() []Status {
	out := make([]Status, 0, len(h.names))
	for _, name := range h.names {
		out = append(out, h.sups[name].status())
	}
	return out
}

// Status returns the snapshot of one department's plugin.
func (h *Host) Status(dept string) (Status, bool) {
	s, ok := h.sups[dept]
	if !ok {
		return Status{}, false
	}
	return s.status(), true
}

// enter counts a call in, unless the host is stopping.
func (h *Host) enter(dept string) (*supervisor, error) {
	s, ok := h.sups[dept]
	if !ok {
		return nil, fmt.Errorf("pluginhost: department %q: %w", dept, ErrUnknownDepartment)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopping {
		return nil, fmt.Errorf("pluginhost: department %q: host stopping: %w", dept, ErrUnavailable)
	}
	h.calls.Add(1)
	return s, nil
}
