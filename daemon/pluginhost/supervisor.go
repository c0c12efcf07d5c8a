package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
)

// exitPoll is how often a running plugin is checked for a dead process:
// go-plugin notices the exit, but tells no one. The check is a mutex read,
// so it can be frequent; it bounds the time to notice a death.
const exitPoll = 20 * time.Millisecond

// exitGrace is how long a broken instance is given to be found exited, so
// that a process that died is reported as such rather than as the broken
// connection that its death caused first.
const exitGrace = 50 * time.Millisecond

// supervisor runs one plugin: it starts it, watches it, restarts it, and is
// the only writer of its state.
type supervisor struct {
	spec Spec
	opts Options
	log  hclog.Logger // the host's logger, with the department
	plog hclog.Logger // the plugin's logger, Named(department)
	now  func() time.Time

	mu        sync.Mutex
	st        Status
	inst      *instance          // set only while running
	launching *plugin.Client     // set while a start is in progress
	final     bool               // stopped or retired: no more state reports
	started   bool               // run was started
	cancel    context.CancelFunc // ends run; set with started

	// calls counts the calls in flight on this supervisor. Host.enter adds
	// to it only while the supervisor is the department's (under the
	// Host's lock), so once Update has swapped it out, calls.Wait sees
	// every call that can still reach it.
	calls sync.WaitGroup

	done chan struct{} // closed when run returns
}

func newSupervisor(spec Spec, opts Options, now func() time.Time) *supervisor {
	return &supervisor{
		spec: spec,
		opts: opts,
		log:  opts.Logger.With("department", spec.Name),
		plog: opts.Logger.Named(spec.Name),
		now:  now,
		st:   Status{Name: spec.Name, Title: spec.Title, State: StateStopped, Since: now()},
		done: make(chan struct{}),
	}
}

// start runs the supervision loop under a child of ctx. When first is
// not nil, it is an instance already launched (by Update) and the loop
// begins with it running.
func (s *supervisor) start(ctx context.Context, first *instance) {
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.started, s.cancel = true, cancel
	s.mu.Unlock()
	go s.run(ctx, first)
}

// retire ends the reports of a supervisor that Update has swapped out and
// returns its cancel, or nil when it never ran.
func (s *supervisor) retire() context.CancelFunc {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.final = true
	if !s.started {
		return nil
	}
	return s.cancel
}

// status returns a snapshot of the state.
func (s *supervisor) status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	st.Capabilities = slices.Clone(st.Capabilities)
	return st
}

// current returns the running instance and the state (for the error when
// there is none).
func (s *supervisor) current() (*instance, State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inst, s.st.State
}

// set moves to a new state under the lock, then reports it outside it.
func (s *supervisor) set(state State, inst *instance, cause error) {
	st, ok := s.apply(state, inst, cause)
	if ok && s.opts.OnState != nil {
		s.opts.OnState(st)
	}
}

// apply moves to a new state and returns the status to report, or false
// when the supervisor reports no more (stopped or retired).
func (s *supervisor) apply(state State, inst *instance, cause error) (Status, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.final {
		return Status{}, false
	}
	s.final = state == StateStopped
	s.inst = nil
	s.st.State = state
	s.st.PID = 0
	s.st.Since = s.now()
	if state == StateRunning && inst != nil {
		s.inst = inst
		s.st.PID = inst.pid
		s.st.Version = inst.version
		s.st.Capabilities = capabilityNames(inst.caps)
		s.st.LastError = "" // recovered: the wallboard shows no stale error
	}
	if state == StateRestarting {
		s.st.Restarts++
	}
	if cause != nil {
		s.st.LastError = cause.Error()
	}
	st := s.st
	st.Capabilities = slices.Clone(st.Capabilities)
	return st, true
}

func (s *supervisor) track(c *plugin.Client) {
	s.mu.Lock()
	s.launching = c
	s.mu.Unlock()
}

// forceKill kills a start in progress; Stop uses it when its context runs
// out while run is still starting a process.
func (s *supervisor) forceKill() {
	s.mu.Lock()
	c, inst := s.launching, s.inst
	s.mu.Unlock()
	if c != nil {
		go c.Kill()
	}
	if inst != nil {
		inst.signalKill()
		go inst.client.Kill()
	}
}

// run is the supervision loop; it returns when ctx is done or the plugin
// has failed for good. first, when not nil, is the instance to begin with.
func (s *supervisor) run(ctx context.Context, first *instance) {
	defer close(s.done)
	var (
		fails   failureLog
		backoff time.Duration
	)
	if first == nil {
		s.set(StateStarting, nil, nil)
	}
	for {
		started := s.now()
		inst, err := first, error(nil)
		if first == nil {
			inst, err = launch(ctx, s.spec, s.opts, s.plog, s.track)
		}
		first = nil
		if ctx.Err() != nil {
			if inst != nil {
				inst.kill()
			}
			return
		}
		if err == nil {
			s.log.Info("plugin running", "pid", inst.pid, "version", inst.version)
			s.set(StateRunning, inst, nil)
			err = s.watch(ctx, inst)
			if ctx.Err() != nil {
				inst.stop() // graceful: close, then force after 2s
				return
			}
			s.log.Warn("plugin died", "pid", inst.pid, "error", err)
			if s.now().Sub(started) >= stableRun {
				backoff = 0
			}
		} else {
			s.log.Error("plugin failed to start", "error", err)
		}
		// Kill at once, leave running (new calls get ErrUnavailable), then
		// wait for go-plugin to clean up.
		if inst != nil {
			inst.signalKill()
		}
		state := StateRestarting
		switch {
		case isPermanent(err):
			state = StateFailed
		case fails.add(s.now(), s.opts.FailureWindow, s.opts.MaxFailures):
			state = StateFailed
			err = fmt.Errorf("%d failures within %s, giving up: %w", s.opts.MaxFailures, s.opts.FailureWindow, err)
			s.log.Error("plugin failed", "error", err)
		}
		s.set(state, nil, err)
		if inst != nil {
			inst.kill()
		}
		if state == StateFailed {
			return
		}
		backoff = nextBackoff(backoff, s.opts.MinBackoff, s.opts.MaxBackoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// watch waits until the instance dies, is found broken, fails its health
// check, or ctx is done, and says why.
func (s *supervisor) watch(ctx context.Context, inst *instance) error {
	exits := time.NewTicker(exitPoll)
	defer exits.Stop()
	health := time.NewTicker(s.opts.HealthInterval)
	defer health.Stop()
	for {
		select {
		case <-ctx.Done():
			return errStopping
		case <-inst.broken:
			if inst.exitsWithin(exitGrace) {
				// The broken stream or call was the process dying.
				return errors.New("plugin process exited")
			}
			return inst.reason
		case <-exits.C:
			if inst.exited() {
				return errors.New("plugin process exited")
			}
		case <-health.C:
			hctx, cancel := context.WithTimeout(ctx, s.opts.CallTimeout)
			err := inst.health(hctx)
			cancel()
			if err != nil && ctx.Err() == nil {
				if inst.exited() {
					return errors.New("plugin process exited")
				}
				return fmt.Errorf("health check failed: %w", err)
			}
		}
	}
}
