package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// timerStore returns s as a store.TimerStore, skipping the test when s is
// not one.
func timerStore(t *testing.T, s store.Store) store.TimerStore {
	t.Helper()
	ts, ok := s.(store.TimerStore)
	if !ok {
		t.Skipf("%T keeps no timers", s)
	}
	return ts
}

// earliestDue is the NextDueFunc of the suite: the earliest DueAt of the
// ticket's pending targets.
func earliestDue(tk *ticket.Ticket) (time.Time, bool) {
	var next time.Time
	for _, tg := range tk.SLA {
		if tg.State == ticket.TargetPending && (next.IsZero() || tg.DueAt.Before(next)) {
			next = tg.DueAt
		}
	}
	return next, !next.IsZero()
}

// due returns sample(i) with one pending target due at base+h hours.
func due(i int, h int) ticket.Ticket {
	tk := sample(i, "hot-water")
	tk.SLA = []ticket.Target{{Name: "resolution", DueAt: base.Add(time.Duration(h) * time.Hour), State: ticket.TargetPending}}
	return tk
}

// timers lists ts's timers as "ID@hours" (hours after base, "?" when not
// known), in the order Timers gives them.
func timers(t *testing.T, ts store.TimerStore) string {
	t.Helper()
	var out []string
	err := ts.Timers(ctx(t), func(tm store.Timer) error {
		switch {
		case !tm.Known:
			out = append(out, tm.TicketID+"@?")
		case tm.At.IsZero():
			return fmt.Errorf("Timers gave %s with no time", tm.TicketID)
		default:
			out = append(out, fmt.Sprintf("%s@%g", tm.TicketID, tm.At.Sub(base).Hours()))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Timers: %v", err)
	}
	return strings.Join(out, " ")
}

// setDue moves the pending target of id to base+h hours.
func setDue(t *testing.T, s store.Store, id string, h int) ticket.Ticket {
	t.Helper()
	got, _, err := s.Update(ctx(t), id, func(tk *ticket.Ticket) ([]ticket.Event, error) {
		tk.SLA[0].DueAt = base.Add(time.Duration(h) * time.Hour)
		return []ticket.Event{ticket.NewEvent(ticket.EventReplanned, "sla", base, nil)}, nil
	})
	if err != nil {
		t.Fatalf("Update(%s): %v", id, err)
	}
	return got
}

// testTimersFollowWrites: every Create and Update stores the NextDueFunc's
// answer; Timers lists open tickets with a checkpoint in due order, those
// written before a NextDueFunc was installed first, as not known.
func testTimersFollowWrites(t *testing.T, s store.Store) {
	ts := timerStore(t, s)
	if got := timers(t, ts); got != "" {
		t.Fatalf("Timers on an empty store = %q", got)
	}
	early := mustCreate(t, s, due(1, 5), 1) // before SetNextDue: not known
	ts.SetNextDue(earliestDue)
	a := mustCreate(t, s, due(2, 3), 2)
	b := mustCreate(t, s, due(3, 1), 3)
	none := mustCreate(t, s, sample(4, "hot-water"), 4) // no target: no timer
	c := mustCreate(t, s, due(5, 2), 5)
	steps := []struct {
		name  string
		write func()
		want  string
	}{
		{"created", func() {}, fmt.Sprintf("%s@? %s@1 %s@2 %s@3", early.ID, b.ID, c.ID, a.ID)},
		{"a moved earlier", func() { setDue(t, s, a.ID, -2) }, fmt.Sprintf("%s@? %s@-2 %s@1 %s@2", early.ID, a.ID, b.ID, c.ID)},
		{"the unknown one written", func() { setDue(t, s, early.ID, 4) }, fmt.Sprintf("%s@-2 %s@1 %s@2 %s@4", a.ID, b.ID, c.ID, early.ID)},
		{"b's target met", func() {
			if _, _, err := s.Update(ctx(t), b.ID, func(tk *ticket.Ticket) ([]ticket.Event, error) {
				tk.SLA[0].State = ticket.TargetMet
				return []ticket.Event{ticket.NewEvent(ticket.EventSLAMet, "sla", base, nil)}, nil
			}); err != nil {
				t.Fatal(err)
			}
		}, fmt.Sprintf("%s@-2 %s@2 %s@4", a.ID, c.ID, early.ID)},
		{"c closed", func() { setStatus(t, s, c.ID, ticket.StatusClosed) }, fmt.Sprintf("%s@-2 %s@4", a.ID, early.ID)},
		{"none given a target", func() {
			if _, _, err := s.Update(ctx(t), none.ID, func(tk *ticket.Ticket) ([]ticket.Event, error) {
				tk.SLA = due(4, 3).SLA
				return []ticket.Event{ticket.NewEvent(ticket.EventNote, "agent", base, nil)}, nil
			}); err != nil {
				t.Fatal(err)
			}
		}, fmt.Sprintf("%s@-2 %s@3 %s@4", a.ID, none.ID, early.ID)},
		{"an update with no events writes nothing", func() {
			if _, _, err := s.Update(ctx(t), a.ID, func(tk *ticket.Ticket) ([]ticket.Event, error) {
				tk.SLA[0].DueAt = base.Add(9 * time.Hour)
				return nil, nil
			}); err != nil {
				t.Fatal(err)
			}
		}, fmt.Sprintf("%s@-2 %s@3 %s@4", a.ID, none.ID, early.ID)},
	}
	for _, st := range steps {
		st.write()
		if got := timers(t, ts); got != st.want {
			t.Fatalf("after %s: Timers = %q, want %q", st.name, got, st.want)
		}
	}

	ts.SetNextDue(nil)
	setDue(t, s, a.ID, 7)
	if got, want := timers(t, ts), fmt.Sprintf("%s@? %s@3 %s@4", a.ID, none.ID, early.ID); got != want {
		t.Fatalf("written with no NextDueFunc: Timers = %q, want %q", got, want)
	}

	stop := errors.New("stop")
	calls := 0
	if err := ts.Timers(ctx(t), func(store.Timer) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("Timers with failing fn = %v after %d calls, want fn's error after 1", err, calls)
	}
}

// testFixTimers: FixTimers rewrites the stored time of tickets still at the
// version given, and OpenTimers reads every open ticket with its stored
// timer.
func testFixTimers(t *testing.T, s store.Store) {
	ts := timerStore(t, s)
	ts.SetNextDue(earliestDue)
	a := mustCreate(t, s, due(1, 1), 1)
	b := mustCreate(t, s, due(2, 2), 2)
	c := mustCreate(t, s, due(3, 3), 3)
	stale := setDue(t, s, c.ID, 4)
	setDue(t, s, c.ID, 5)
	closed := setStatus(t, s, mustCreate(t, s, due(4, 4), 4).ID, ticket.StatusClosed)

	if n, err := ts.FixTimers(ctx(t), nil); n != 0 || err != nil {
		t.Fatalf("FixTimers(nil) = %d, %v", n, err)
	}
	n, err := ts.FixTimers(ctx(t), []store.Timer{
		{TicketID: a.ID, Version: a.Version, Known: true, At: base.Add(10 * time.Hour)}, // moved
		{TicketID: b.ID, Version: b.Version, Known: true, At: base.Add(2 * time.Hour)},  // unchanged
		{TicketID: c.ID, Version: stale.Version, Known: true, At: base.Add(11 * time.Hour)},
		{TicketID: closed.ID, Version: closed.Version, Known: true, At: base.Add(12 * time.Hour)},
		{TicketID: "SB-999", Version: 1, Known: true, At: base},
	})
	if err != nil || n != 1 {
		t.Fatalf("FixTimers = %d changed, %v; want 1 (a; b unchanged, c written since, closed and unknown left)", n, err)
	}
	if got, want := timers(t, ts), fmt.Sprintf("%s@2 %s@5 %s@10", b.ID, c.ID, a.ID); got != want {
		t.Fatalf("after FixTimers: Timers = %q, want %q", got, want)
	}
	if n, err := ts.FixTimers(ctx(t), []store.Timer{{TicketID: b.ID, Version: b.Version, Known: true}}); err != nil || n != 1 {
		t.Fatalf("FixTimers to none = %d, %v", n, err)
	}
	if got, want := timers(t, ts), fmt.Sprintf("%s@5 %s@10", c.ID, a.ID); got != want {
		t.Fatalf("after fixing b to none: Timers = %q, want %q", got, want)
	}

	got := map[string]string{}
	err = ts.OpenTimers(ctx(t), func(tk ticket.Ticket, tm store.Timer) error {
		if tm.TicketID != tk.ID || tm.Version != tk.Version {
			return fmt.Errorf("ticket %s v%d given timer of %s v%d", tk.ID, tk.Version, tm.TicketID, tm.Version)
		}
		got[tk.ID] = fmt.Sprintf("%v/%g", tm.Known, tm.At.Sub(base).Hours())
		if tm.At.IsZero() {
			got[tk.ID] = fmt.Sprintf("%v/none", tm.Known)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("OpenTimers: %v", err)
	}
	want := map[string]string{a.ID: "true/10", b.ID: "true/none", c.ID: "true/5"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("OpenTimers = %v, want %v", got, want)
	}
}

// testWithStatus: WithStatus lists the tickets in one status, oldest first,
// across batches, and refuses an unknown status.
func testWithStatus(t *testing.T, s store.Store) {
	ts := timerStore(t, s)
	var want []string
	for i := range 700 { // more than one batch for implementations that page
		tk := mustCreate(t, s, sample(i, []string{"hot-water", "tally"}[i%2]), i)
		if i%7 == 0 {
			setStatus(t, s, tk.ID, ticket.StatusDispatched)
			continue
		}
		want = append(want, tk.ID+"/"+tk.Department)
	}
	var got []string
	err := ts.WithStatus(ctx(t), ticket.StatusNew, func(id, dept string) error {
		got = append(got, id+"/"+dept)
		return nil
	})
	if err != nil {
		t.Fatalf("WithStatus: %v", err)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("WithStatus(new) gave %d tickets, want %d oldest first:\ngot  %.200v\nwant %.200v", len(got), len(want), got, want)
	}
	err = ts.WithStatus(ctx(t), "lost", func(string, string) error { return nil })
	var fe *ticket.FieldError
	if !errors.As(err, &fe) || fe.Field != "status" {
		t.Fatalf("WithStatus(lost) = %v, want a FieldError on status", err)
	}
}
