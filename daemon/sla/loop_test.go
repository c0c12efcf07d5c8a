package sla_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/sla/slatest"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// memDesk is the desk's use of the engine and scheduler, over an in-memory
// table in place of the store: fire runs Engine.Fire in an "update" and
// schedules the ticket again at Engine.Next.
type memDesk struct {
	t       *testing.T
	engine  *sla.Engine
	clock   *slatest.FakeClock
	sched   *sla.Scheduler
	mu      sync.Mutex
	tickets map[string]*ticket.Ticket
	history map[string][]string
	events  int
}

func newMemDesk(t *testing.T, e *sla.Engine, clock *slatest.FakeClock, tickets map[string]*ticket.Ticket) *memDesk {
	d := &memDesk{t: t, engine: e, clock: clock, tickets: tickets, history: map[string][]string{}}
	d.sched = sla.NewScheduler(clock, d.fire, hclog.NewNullLogger())
	d.sched.Start(context.Background())
	t.Cleanup(d.sched.Stop)
	// Rebuild the timers from the "store", as the daemon does on start.
	for id := range tickets {
		d.reschedule(id)
	}
	return d
}

func (d *memDesk) fire(id string) {
	d.mu.Lock()
	tk := d.tickets[id]
	evs := d.engine.Fire(tk, d.clock.Now())
	d.history[id] = append(d.history[id], summary(d.t, evs)...)
	d.events += len(evs)
	d.mu.Unlock()
	d.reschedule(id)
}

func (d *memDesk) reschedule(id string) {
	d.mu.Lock()
	next, ok := d.engine.Next(d.tickets[id])
	d.mu.Unlock()
	if ok {
		d.sched.Schedule(id, next)
	} else {
		d.sched.Cancel(id)
	}
}

func (d *memDesk) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.events
}

func (d *memDesk) hist(id string) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.history[id])
}

// The engine and scheduler together escalate a ticket in virtual time, each
// checkpoint at its time; after a "restart" past all deadlines, a fresh
// scheduler fires everything overdue at once, each once.
func TestDeskLoop(t *testing.T) {
	e := newEngine(t)
	clock := slatest.NewFakeClock(t0)
	tk := planned(e, ticket.KindRepair, "boundary", "minor", "general")
	d := newMemDesk(t, e, clock, map[string]*ticket.Ticket{tk.ID: tk})

	steps := []struct {
		advance time.Duration
		want    []string
	}{
		{7 * time.Minute, nil},
		{time.Minute, atWarning},                         // +8m
		{2 * time.Minute, cat(atWarning, atBreach)},      // +10m
		{4 * time.Hour, cat(atWarning, atBreach, atGM)},  // +4h10m
		{24 * time.Hour, cat(atWarning, atBreach, atGM)}, // nothing more
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		waitFor(t, fmt.Sprintf("step %d", i), func() bool { return d.count() >= len(s.want) })
		if got := d.hist(tk.ID); !slices.Equal(got, s.want) {
			t.Fatalf("step %d (+%s): history %q, want %q", i, clock.Now().Sub(t0), got, s.want)
		}
	}
	if d.sched.Len() != 0 {
		t.Fatalf("Len = %d after full escalation", d.sched.Len())
	}

	// Restart: a ticket planned before the downtime, loaded 6h later.
	restarted := planned(e, ticket.KindRepair, "boundary", "minor", "general")
	restarted.ID = "T2"
	clock2 := slatest.NewFakeClock(t0.Add(6 * time.Hour))
	d2 := newMemDesk(t, e, clock2, map[string]*ticket.Ticket{"T2": restarted})
	want := cat(atWarning, atBreach, atGM)
	waitFor(t, "the overdue checkpoints", func() bool { return d2.count() >= len(want) })
	clock2.Advance(time.Hour)
	time.Sleep(5 * time.Millisecond)
	if got := d2.hist("T2"); !slices.Equal(got, want) {
		t.Fatalf("after restart: history %q, want %q", got, want)
	}
}
