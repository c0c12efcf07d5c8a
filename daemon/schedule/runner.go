// Package schedule runs recurring work: the [[schedule]] entries of the
// config, which create tickets (the maintenance staff's daily inspection
// round) or write reports (the weekly SLA report) on a business calendar.
//
// # Life cycle
//
// New checks the schedules against the calendars; Start runs, once, the
// latest run of each schedule that fell due at or before now (the catch-up
// after a restart: one run, however many were missed), then waits on one
// timer for the earliest next run of all schedules; Stop cancels the timer
// and waits for a run in progress.
//
// # Exactly once
//
// The runner keeps no state on disk. A run is made idempotent by its
// action: the ticket action (Actions) creates its tickets with an
// idempotency key naming the schedule, the run's instant and the for_each
// value, so a run repeated after a restart creates nothing new; the report
// action overwrites the same files.
package schedule

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/switchboard-desk/switchboard/daemon/calendar"
	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/sla"
)

// Run is one due run of a schedule.
type Run struct {
	// Schedule is the [[schedule]] entry.
	Schedule config.Schedule
	// At is the instant the run was due (not when it actually ran), so
	// that a repeated run is recognisably the same run.
	At time.Time
	// From and To are the period a report written by this run covers,
	// local midnights on the schedule's calendar: for every business day,
	// from the date of the previous run to the run's date; for every week,
	// the seven days before the nominal weekday of the run's week; for
	// every month, the previous calendar month.
	From, To time.Time
}

// Func is the work a run does. It must be idempotent for a given Run: a
// run may be repeated after a restart or a failure.
type Func func(ctx context.Context, r Run) error

// Default retry policy of a failed run.
const (
	defaultRetryDelay = time.Minute
	maxAttempts       = 5
)

// Runner fires the runs of every schedule on one timer.
type Runner struct {
	clock sla.Clock
	run   Func
	log   hclog.Logger

	// runMu serialises wakes (and Stop waiting for one).
	runMu sync.Mutex

	mu      sync.Mutex
	entries []*entry
	timer   sla.Timer
	ctx     context.Context
	cancel  context.CancelFunc
	started bool
	stopped bool
	retry   time.Duration
}

// entry is one schedule's state: the run it does next, and when.
type entry struct {
	plan     *plan
	run      time.Time // the run instant to do at the next wake
	wake     time.Time // when to wake for it (later than run on a retry)
	attempts int
}

// New checks specs against cals (calendar names to calendars; "always" is
// known without being listed) and returns a runner that calls run for each
// due run. Nothing runs until Start. A nil log discards.
func New(specs []config.Schedule, cals map[string]*calendar.Calendar, clock sla.Clock, run Func, log hclog.Logger) (*Runner, error) {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	if clock == nil {
		clock = sla.RealClock{}
	}
	if run == nil {
		return nil, fmt.Errorf("schedule: no run function")
	}
	r := &Runner{clock: clock, run: run, log: log, retry: defaultRetryDelay}
	seen := map[string]bool{}
	for _, s := range specs {
		p, err := compile(s, cals)
		if err != nil {
			return nil, err
		}
		if seen[s.Name] {
			return nil, fmt.Errorf("schedule %q: name: used by two schedules", s.Name)
		}
		seen[s.Name] = true
		r.entries = append(r.entries, &entry{plan: p})
	}
	return r, nil
}

// Start runs the catch-up and arms the timer. For each schedule, the latest
// run at or before now is done once, before Start returns: its action is
// idempotent, so a run already done before a restart changes nothing, and
// runs older than it that were missed while the daemon was down are
// skipped (logged). Runs are done with a context derived from ctx that Stop
// cancels.
func (r *Runner) Start(ctx context.Context) {
	r.runMu.Lock()
	defer r.runMu.Unlock()
	r.mu.Lock()
	if r.started {
		r.mu.Unlock()
		return
	}
	r.started = true
	r.ctx, r.cancel = context.WithCancel(ctx)
	now := r.clock.Now()
	var due []*entry
	for _, e := range r.entries {
		if last, ok := e.plan.last(now); ok {
			e.run, e.wake = last, now
			due = append(due, e)
			r.log.Info("catch-up: doing the latest due run; earlier runs missed while the daemon was down, if any, are skipped",
				"schedule", e.plan.spec.Name, "run", last.Format(time.RFC3339))
		} else {
			r.advance(e, now)
		}
	}
	r.mu.Unlock()
	r.do(due)
	r.mu.Lock()
	r.arm()
	r.mu.Unlock()
}

// Resume arms the timer without the catch-up: each schedule's next run is
// its first after now. A reload starts the new schedules with it, since
// the running desk has done the runs due so far (and a changed schedule's
// latest nominal run, which never happened, must not be done now). Start
// and Resume are exclusive: the first call wins.
func (r *Runner) Resume(ctx context.Context) {
	r.runMu.Lock()
	defer r.runMu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return
	}
	r.started = true
	r.ctx, r.cancel = context.WithCancel(ctx)
	now := r.clock.Now()
	for _, e := range r.entries {
		r.advance(e, now)
		r.log.Info("schedule armed", "schedule", e.plan.spec.Name, "next", e.run.Format(time.RFC3339))
	}
	r.arm()
}

// Stop cancels the timer and the context of a run in progress, and waits
// for that run to return.
func (r *Runner) Stop() {
	r.mu.Lock()
	r.stopped = true
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
	if r.cancel != nil {
		r.cancel()
	}
	r.mu.Unlock()
	// Wait for a wake in progress to return.
	r.runMu.Lock()
	r.runMu.Unlock()
}

// Next returns the earliest time the runner will wake, and the schedules
// it will run then; false when nothing is planned (no schedules, or
// stopped).
func (r *Runner) Next() (time.Time, []string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped || len(r.entries) == 0 {
		return time.Time{}, nil, false
	}
	at := r.earliest()
	if at.IsZero() {
		return time.Time{}, nil, false
	}
	var names []string
	for _, e := range r.entries {
		if e.wake.Equal(at) {
			names = append(names, e.plan.spec.Name)
		}
	}
	return at, names, true
}

// wake runs every entry due at the clock's now.
func (r *Runner) wake() {
	r.runMu.Lock()
	defer r.runMu.Unlock()
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return
	}
	r.timer = nil
	now := r.clock.Now()
	var due []*entry
	for _, e := range r.entries {
		if e.wake.After(now) {
			continue
		}
		// A timer that fired late (a suspended machine) does the latest
		// run due, once, not every run it slept through.
		if last, ok := e.plan.last(now); ok && last.After(e.run) {
			if e.attempts > 0 {
				r.log.Warn("giving up a failed run: a later run is due", "schedule", e.plan.spec.Name,
					"run", e.run.Format(time.RFC3339))
			}
			if n, ok := e.plan.next(e.run); ok && n.Before(last) {
				r.log.Warn("runs missed; doing only the latest", "schedule", e.plan.spec.Name,
					"first_missed", n.Format(time.RFC3339), "run", last.Format(time.RFC3339))
			}
			e.run, e.attempts = last, 0
		}
		due = append(due, e)
	}
	r.mu.Unlock()
	r.do(due)
	r.mu.Lock()
	r.arm()
	r.mu.Unlock()
}

// do runs the given entries in order of their run, then moves each to its
// next run (or a retry). Called with runMu held and mu not held.
func (r *Runner) do(due []*entry) {
	sort.SliceStable(due, func(i, j int) bool { return due[i].run.Before(due[j].run) })
	for _, e := range due {
		r.mu.Lock()
		ctx := r.ctx
		stopped := r.stopped
		r.mu.Unlock()
		if stopped {
			return
		}
		from, to := e.plan.period(e.run)
		run := Run{Schedule: e.plan.spec, At: e.run, From: from, To: to}
		err := r.call(ctx, run)
		now := r.clock.Now()
		r.mu.Lock()
		switch {
		case err == nil:
			r.log.Info("schedule run done", "schedule", run.Schedule.Name, "run", run.At.Format(time.RFC3339))
			r.advance(e, now)
		case ctx.Err() != nil:
			// Stopping: the run is done again at the next start.
		case e.attempts+1 >= maxAttempts:
			r.log.Error("schedule run failed; giving up", "schedule", run.Schedule.Name,
				"run", run.At.Format(time.RFC3339), "attempts", e.attempts+1, "error", err)
			r.advance(e, now)
		default:
			e.attempts++
			e.wake = now.Add(r.retry)
			r.log.Error("schedule run failed; will retry", "schedule", run.Schedule.Name,
				"run", run.At.Format(time.RFC3339), "attempt", e.attempts, "retry_in", r.retry, "error", err)
		}
		r.mu.Unlock()
	}
}

// call runs one run, turning a panic into an error so that a bad action
// cannot stop every schedule.
func (r *Runner) call(ctx context.Context, run Run) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("schedule %q: panic: %v", run.Schedule.Name, p)
		}
	}()
	return r.run(ctx, run)
}

// advance moves e to its first run after both its current run and now.
// Called with mu held.
func (r *Runner) advance(e *entry, now time.Time) {
	after := now
	if e.run.After(after) {
		after = e.run
	}
	e.attempts = 0
	if n, ok := e.plan.next(after); ok {
		e.run, e.wake = n, n
		return
	}
	e.run, e.wake = time.Time{}, time.Time{}
	r.log.Warn("schedule has no further run within the calendar's horizon", "schedule", e.plan.spec.Name)
}

// earliest returns the earliest wake of all entries (zero if none).
// Called with mu held.
func (r *Runner) earliest() time.Time {
	var at time.Time
	for _, e := range r.entries {
		if !e.wake.IsZero() && (at.IsZero() || e.wake.Before(at)) {
			at = e.wake
		}
	}
	return at
}

// arm sets the one timer to the earliest wake. Called with mu held.
func (r *Runner) arm() {
	if r.stopped {
		return
	}
	if r.timer != nil {
		r.timer.Stop()
		r.timer = nil
	}
	at := r.earliest()
	if at.IsZero() {
		return
	}
	r.timer = r.clock.AfterFunc(at.Sub(r.clock.Now()), r.wake)
}
