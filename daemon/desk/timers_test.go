package desk_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/desk"
	"github.com/switchboard-desk/switchboard/daemon/escalate"
	"github.com/switchboard-desk/switchboard/daemon/route"
	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/sla/slatest"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/store/sqlite"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// extraLevelCfg is testCfg with one more level in the engineering chain: 10
// minutes after the warning, before the breach.
func extraLevelCfg() *config.Config {
	cfg := *testCfg
	ch := cfg.Escalations[0]
	ch.Levels = append([]config.Level{{Name: "duty technician", At: "warning",
		After: config.Duration{Duration: 10 * time.Minute}, Notify: []string{"project_manager"}}}, ch.Levels...)
	cfg.Escalations = []config.Chain{ch}
	return &cfg
}

// engineFor builds the SLA engine of cfg.
func engineFor(t *testing.T, cfg *config.Config) *sla.Engine {
	t.Helper()
	esc, err := escalate.New(cfg.Escalations, cfg.Roles)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := sla.New(cfg.Policies, esc)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// newTimerEnv is newEnv on the file at path with the rules of cfg.
func newTimerEnv(t *testing.T, path string, cfg *config.Config, clock *slatest.FakeClock) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	fp := &fakePlugins{handleTicket: accept("Chen")}
	e := &env{t: t, path: path, st: st, clock: clock, plugins: fp, pub: &recorder{}}
	e.desk = desk.New(desk.Options{Store: st, Publisher: e.pub, Plugins: fp, Now: clock.Now, RetryDelay: 10 * time.Millisecond})
	e.sched = sla.NewScheduler(clock, e.desk.FireSLA, nil)
	e.desk.SetScheduler(e.sched)
	e.desk.SetRules(route.New(cfg.Routes, "service"), engineFor(t, cfg), "service")
	ctx, cancel := context.WithCancel(context.Background())
	e.sched.Start(ctx)
	if err := e.desk.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.close(); cancel() })
	return e
}

// stored returns the stored timer of id.
func (e *env) stored(id string) store.Timer {
	e.t.Helper()
	var got store.Timer
	err := e.st.(store.TimerStore).Timers(context.Background(), func(tm store.Timer) error {
		if tm.TicketID == id {
			got = tm
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return got
}

// waitTimer waits until id is scheduled at want, in memory and in the store.
func (e *env) waitTimer(id string, want time.Time) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		at, ok := e.sched.At(id)
		tm := e.stored(id)
		if ok && at.Equal(want) && tm.Known && tm.At.Equal(want) {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s scheduled at %v (%v), stored %+v; want both at %v", id, at, ok, tm, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestTimersRebuiltFromStore: every commit stores the ticket's next
// checkpoint, and a restart schedules each ticket from it.
func TestTimersRebuiltFromStore(t *testing.T) {
	clock := slatest.NewFakeClock(t0)
	path := filepath.Join(t.TempDir(), "desk.db")
	e := newTimerEnv(t, path, testCfg, clock)
	acked := e.create(ticket.KindRepair, "valve")
	e.waitStatus(acked.ID, ticket.StatusAcknowledged)
	other := e.create(ticket.KindRequest, "keys") // no policy: no timer
	e.waitStatus(other.ID, ticket.StatusAcknowledged)
	// Acknowledged: the response is met, next is the resolution's warning.
	e.waitTimer(acked.ID, t0.Add(96*time.Minute))
	if tm := e.stored(other.ID); tm.TicketID != "" {
		t.Fatalf("a ticket with no promise has a stored timer %+v", tm)
	}
	clock.Advance(96 * time.Minute)
	e.waitTimer(acked.ID, t0.Add(120*time.Minute)) // warned: next the breach
	e.close()

	e2 := newTimerEnv(t, path, testCfg, clock)
	e2.waitTimer(acked.ID, t0.Add(120*time.Minute))
	if _, ok := e2.sched.At(other.ID); ok {
		t.Errorf("%s scheduled after restart with no promise", other.ID)
	}
	clock.Advance(24 * time.Minute)
	e2.waitCount(acked.ID, ticket.EventSLABreached, 1)
}

// TestTimersCheckedAgainstChangedRules: a level added to the chain while the
// daemon was down brings a checkpoint before the stored one; the check
// after Start reschedules the ticket and rewrites the stored time, and the
// level fires on time. A reload does the same through Rearm.
func TestTimersCheckedAgainstChangedRules(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, e *env, path string, clock *slatest.FakeClock) *env
	}{
		{"restart with the new config", func(t *testing.T, e *env, path string, clock *slatest.FakeClock) *env {
			e.close()
			return newTimerEnv(t, path, extraLevelCfg(), clock)
		}},
		{"reload", func(t *testing.T, e *env, path string, clock *slatest.FakeClock) *env {
			cfg := extraLevelCfg()
			e.desk.SetRules(route.New(cfg.Routes, "service"), engineFor(t, cfg), "service")
			if err := e.desk.Rearm(context.Background()); err != nil {
				t.Fatal(err)
			}
			return e
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := slatest.NewFakeClock(t0)
			path := filepath.Join(t.TempDir(), "desk.db")
			e := newTimerEnv(t, path, testCfg, clock)
			tk := e.create(ticket.KindRepair, "valve")
			e.waitStatus(tk.ID, ticket.StatusAcknowledged)
			clock.Advance(96 * time.Minute)
			e.waitCount(tk.ID, ticket.EventSLAWarning, 1)
			e.waitTimer(tk.ID, t0.Add(120*time.Minute))

			e = tc.change(t, e, path, clock)
			e.waitTimer(tk.ID, t0.Add(106*time.Minute))
			clock.Advance(10 * time.Minute)
			e.waitCount(tk.ID, ticket.EventEscalated, 2) // the warning's level, then the new one
			e.waitTimer(tk.ID, t0.Add(120*time.Minute))
		})
	}
}

// TestTimersUnknownAreComputedAtStart: tickets written with no NextDueFunc
// (a file from before stored timers) are read once at start, scheduled, and
// their times stored.
func TestTimersUnknownAreComputedAtStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	due := map[string]time.Time{}
	for i, h := range []int{3, 1, 2} {
		created := t0.Add(time.Duration(i) * time.Minute)
		warn := created.Add(time.Duration(h) * time.Hour)
		tk, _, _, err := st.Create(context.Background(), ticket.Ticket{
			Kind: ticket.KindRepair, Category: "valve", Title: "Broken valve", Reporter: ticket.Reporter{Name: "Liu"},
			Status: ticket.StatusInProgress, Department: "engineering", Policy: "repair.minor",
			SLA: []ticket.Target{{Name: "resolution", Start: created, WarnAt: warn, DueAt: warn.Add(time.Hour),
				State: ticket.TargetPending, Escalation: "engineering"}},
			CreatedAt: created,
		}, []ticket.Event{{Type: ticket.EventCreated, Actor: "agent"}}, store.Idempotency{})
		if err != nil {
			t.Fatal(err)
		}
		due[tk.ID] = warn
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	e := newTimerEnv(t, path, testCfg, slatest.NewFakeClock(t0))
	for id, at := range due {
		e.waitTimer(id, at)
	}
}

// waitCount waits until id's history holds n events of type typ.
func (e *env) waitCount(id, typ string, n int) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for count(e.types(id), typ) < n {
		if time.Now().After(deadline) {
			e.t.Fatalf("%d × %s, want %d; history %v", count(e.types(id), typ), typ, n, e.types(id))
		}
		time.Sleep(5 * time.Millisecond)
	}
}
