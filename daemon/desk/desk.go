// Package desk is the core of the daemon: the pipeline every ticket goes
// through. Intake validates and routes a submission, plans its SLA and
// commits it; after every commit the desk publishes the new events to the
// wallboards, reschedules the ticket's SLA timer, and hands the ticket or its
// events to the department plugin.
//
// The desk owns no storage, timers or processes of its own: it is given a
// store, an SLA engine and scheduler, a router, a plugin host and a publisher,
// each behind a small interface declared here, so that each stage can be
// tested alone.
package desk

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/switchboard-desk/switchboard/daemon/route"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
	"github.com/switchboard-desk/switchboard/sdk"
)

// Router picks the department of a ticket.
type Router interface {
	Route(t *ticket.Ticket) route.Decision
}

// Engine plans and advances a ticket's SLA targets.
type Engine interface {
	Plan(t *ticket.Ticket, start time.Time) error
	Fire(t *ticket.Ticket, now time.Time) []ticket.Event
	Observe(t *ticket.Ticket, from, to ticket.Status, now time.Time) []ticket.Event
	Next(t *ticket.Ticket) (time.Time, bool)
}

// Scheduler calls back when a ticket's next SLA checkpoint is due.
type Scheduler interface {
	Schedule(ticketID string, at time.Time)
	Cancel(ticketID string)
}

// Publisher sends stream messages to wallboards. It must not block.
type Publisher interface {
	Publish(msgs ...wire.Message)
}

// Plugins reaches department plugins. Deliver hands one ticket offer or
// event to dept's plugin and returns its acknowledgement; an error wrapping
// pluginhost.ErrUnavailable means the item was not delivered for sure and
// must be sent again when the plugin is back, and
// pluginhost.ErrUnknownDepartment that dept has no plugin.
type Plugins interface {
	Deliver(ctx context.Context, dept string, d sdk.Delivery) (sdk.Ack, error)
}

// Departments reports the departments and their plugins' states.
type Departments func() []wire.Department

// Options configure a Desk.
type Options struct {
	Store     store.Store
	Scheduler Scheduler
	Publisher Publisher
	Plugins   Plugins
	// Departments lists departments with their plugin state (without
	// open-ticket counts, which the desk adds).
	Departments Departments
	Logger      hclog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// RetryDelay is how long a failed delivery waits before it is tried
	// again; default 2s.
	RetryDelay time.Duration
}

// Desk is the ticket pipeline. Create it with New, give it its routing and
// SLA rules with SetRules, then Start it.
type Desk struct {
	store   store.Store
	sched   Scheduler
	pub     Publisher
	plugins Plugins
	depts   Departments
	log     hclog.Logger
	now     func() time.Time
	opts    Options

	rules atomic.Pointer[rules]

	mu       sync.Mutex
	outbox   store.OutboxStore
	couriers map[string]*courier // outbox delivery, per department
	attempts map[string]int      // failed deliveries per ticket
	closed   bool
	onCommit []func(ticket.Ticket, []ticket.Event)

	// stop is closed by Stop: workers finish the ticket in hand and exit.
	// ctx is cancelled when Stop's deadline passes, abandoning calls still
	// in flight (their tickets stay new and are delivered after restart).
	stop      chan struct{}
	ctx       context.Context
	cancel    context.CancelFunc
	workers   sync.WaitGroup
	acksTotal atomic.Int64
}

type rules struct {
	router   Router
	engine   Engine
	fallback string
}

// New builds a desk. It does nothing until Start.
func New(o Options) *Desk {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = 2 * time.Second
	}
	if o.Logger == nil {
		o.Logger = hclog.NewNullLogger()
	}
	ctx, cancel := context.WithCancel(context.Background())
	ob, _ := o.Store.(store.OutboxStore)
	if ob != nil {
		// Before any write: every event from now on decides its outbox
		// items in its own transaction.
		ob.SetOutbox(outboxFor)
	}
	return &Desk{
		outbox: ob,
		store:  o.Store, sched: o.Scheduler, pub: o.Publisher, plugins: o.Plugins,
		depts: o.Departments, log: o.Logger, now: o.Now, opts: o,
		couriers: map[string]*courier{}, attempts: map[string]int{},
		stop: make(chan struct{}), ctx: ctx, cancel: cancel,
	}
}

// SetScheduler gives the desk its SLA scheduler, whose callback is FireSLA.
// Call it before Start.
func (d *Desk) SetScheduler(s Scheduler) { d.sched = s }

// SetRules installs the router, the SLA engine and the fallback department
// (which gets tickets a plugin declines); a config reload calls it again with
// rules built from the new config. Tickets already planned keep their
// targets.
func (d *Desk) SetRules(r Router, e Engine, fallback string) {
	d.rules.Store(&rules{router: r, engine: e, fallback: fallback})
}

func (d *Desk) engine() Engine { return d.rules.Load().engine }

// OnCommit registers f to be called after every commit with the ticket's
// new state and the events appended. Used by tests and metrics.
func (d *Desk) OnCommit(f func(ticket.Ticket, []ticket.Event)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.onCommit = append(d.onCommit, f)
}

// Start rebuilds the SLA timers of every open ticket (so that what breached
// while the daemon was down fires at once, in deadline order) and starts
// delivering every department's outbox. With a store.TimerStore it reads
// only the stored timers, then checks them against the current rules in
// the background (see timers.go).
func (d *Desk) Start(ctx context.Context) error {
	if d.outbox == nil {
		return errNoOutbox
	}
	pending, err := d.startCouriers(ctx)
	if err != nil {
		return fmt.Errorf("desk: read the outbox: %w", err)
	}
	ts, ok := d.store.(store.TimerStore)
	if !ok {
		n, err := d.rearm(ctx)
		if err != nil {
			return err
		}
		d.log.Info("desk started", "open_tickets", n, "outbox", pending)
		return nil
	}
	ts.SetNextDue(d.nextDue)
	began := time.Now()
	n, unknown, err := d.rebuildTimers(ctx, ts)
	if err != nil {
		return fmt.Errorf("desk: rebuild timers: %w", err)
	}
	if unknown > 0 {
		// A file from before stored timers: read every ticket once.
		d.log.Info("some tickets have no stored timer: checking every open ticket", "unknown", unknown)
		checked, _, err := d.CheckTimers(ctx)
		if err != nil {
			return err
		}
		n = checked
	}
	d.mu.Lock()
	if !d.closed && unknown == 0 {
		d.workers.Add(1)
		go d.checkInBackground()
	}
	d.mu.Unlock()
	d.log.Info("desk started", "timers", n, "outbox", pending, "took", time.Since(began).Round(time.Millisecond))
	return nil
}

// Rearm schedules every open ticket's next SLA checkpoint again under the
// current rules (CheckTimers). A reload calls it after SetRules, so that a
// checkpoint the new rules make due (a level added to a chain) fires at once.
func (d *Desk) Rearm(ctx context.Context) error {
	_, _, err := d.CheckTimers(ctx)
	return err
}

// rearm reschedules every open ticket read from the store, for stores that
// keep no timers.
func (d *Desk) rearm(ctx context.Context) (n int, err error) {
	err = d.store.Open(ctx, func(t ticket.Ticket) error {
		n++
		d.reschedule(&t)
		return nil
	})
	return n, err
}

// Stop stops taking work and lets each dispatch worker finish the ticket
// it holds, so that plugin answers already received are recorded. Whatever
// is still in flight when ctx ends is abandoned: those tickets stay new and
// are delivered again after a restart.
func (d *Desk) Stop(ctx context.Context) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	d.closed = true
	d.mu.Unlock()
	close(d.stop)
	done := make(chan struct{})
	go func() { d.workers.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		d.log.Warn("dispatch workers did not finish in time; abandoning their calls")
	}
	d.cancel()
}

// committed runs every post-commit stage for one update.
func (d *Desk) committed(t ticket.Ticket, evs []ticket.Event) {
	if len(evs) == 0 {
		return
	}
	msgs := make([]wire.Message, len(evs))
	for i := range evs {
		tt := t
		msgs[i] = wire.Message{Type: wire.MsgEvent, Seq: evs[i].Seq, Event: &evs[i], Ticket: &tt}
	}
	if d.pub != nil {
		d.pub.Publish(msgs...)
	}
	d.reschedule(&t)
	d.kickFor(&t, evs)
	d.mu.Lock()
	hooks := d.onCommit
	d.mu.Unlock()
	for _, f := range hooks {
		f(t, evs)
	}
}

func (d *Desk) reschedule(t *ticket.Ticket) {
	if d.sched == nil {
		return
	}
	if at, ok := d.engine().Next(t); ok && slaLive(t) {
		d.sched.Schedule(t.ID, at)
		return
	}
	d.sched.Cancel(t.ID)
}
