package desk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/calendar"
	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/desk"
	"github.com/switchboard-desk/switchboard/daemon/route"
	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/sla/slatest"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
	"github.com/switchboard-desk/switchboard/sdk"
)

// dayCfg: repairs are resolved within 1 business day on a calendar that
// works all day, every day, in UTC.
var dayCfg = &config.Config{
	Routing: config.Routing{Fallback: "service"},
	Routes:  []config.Route{{Department: "engineering", Match: config.Match{Kind: []string{"repair"}}}},
	Policies: []config.Policy{{
		Name: "repair.day", Calendar: "desk", Match: config.Match{Kind: []string{"repair"}},
		Targets: []config.Target{{Name: "resolution", BusinessDays: 1}},
	}},
}

func deskCalendar(t *testing.T, holidays ...calendar.Date) map[string]*calendar.Calendar {
	t.Helper()
	var week [7][]string
	for i := range week {
		week[i] = []string{"00:00-24:00"}
	}
	c, err := calendar.New(calendar.Spec{Name: "desk", Zone: "UTC", Week: week, Holidays: holidays})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*calendar.Calendar{"desk": c}
}

func dayEngine(t *testing.T, holidays ...calendar.Date) desk.Engine {
	t.Helper()
	eng, err := sla.New(dayCfg.Policies, nil, sla.WithCalendars(deskCalendar(t, holidays...)))
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// TestStaleDeadlineDoesNotBreach: a holiday is added while a ticket's timer
// is armed for the old deadline (a reload whose background recompute has not
// reached the ticket, or a restart with an edited calendar). When the timer
// fires, the deadline is checked against the current calendar first: it
// moves, and nothing breaches.
func TestStaleDeadlineDoesNotBreach(t *testing.T) {
	clock := slatest.NewFakeClock(t0) // Tue 2026-11-24 09:00 UTC
	e := newPlanEnv(t, planCfg, clock, &fakePlugins{handleTicket: accept("Chen")})
	e.desk.SetRules(route.New(dayCfg.Routes, "service"), dayEngine(t), "service")
	tk := e.create(ticket.KindRepair, "valve")
	if due := tk.Target("resolution").DueAt; !due.Equal(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("due %v, want close of business on Wed 25th (midnight)", due)
	}
	e.waitStatus(tk.ID, ticket.StatusAcknowledged) // the plugin's answer is in
	// Wednesday becomes a holiday; the armed timer is not touched.
	e.desk.SetRules(route.New(dayCfg.Routes, "service"), dayEngine(t, calendar.Date{Year: 2026, Month: 11, Day: 25}), "service")
	clock.Set(time.Date(2026, 11, 26, 0, 30, 0, 0, time.UTC))
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, _ := e.st.Get(context.Background(), tk.ID)
		if due := got.Target("resolution").DueAt; due.Equal(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)) {
			if got.Target("resolution").State == ticket.TargetBreached {
				t.Fatalf("breached on the stale deadline: %+v", got.Target("resolution"))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deadline never moved: %+v; history %v", got.Target("resolution"), e.types(tk.ID))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := count(e.types(tk.ID), ticket.EventSLABreached); n != 0 {
		t.Errorf("%d breaches, want none", n)
	}
}

// TestResolvedTicketDoesNotEscalate: once resolved (waiting for the
// reporter's confirmation) a ticket's remaining targets do not fire; reopened,
// they do.
func TestResolvedTicketDoesNotEscalate(t *testing.T) {
	clock := slatest.NewFakeClock(t0)
	e := newPlanEnv(t, planCfg, clock, &fakePlugins{handleTicket: accept("Chen")})
	e.desk.SetRules(route.New(dayCfg.Routes, "service"), dayEngine(t), "service")
	tk := e.create(ticket.KindRepair, "valve")
	e.waitStatus(tk.ID, ticket.StatusAcknowledged)
	ctx := context.Background()
	// A checklist-like situation: resolved just before its target, which
	// the engine would otherwise still warn about.
	if _, err := e.desk.Transition(ctx, tk.ID, ticket.StatusResolved, "fixed", "agent"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(72 * time.Hour)
	time.Sleep(100 * time.Millisecond)
	h := e.types(tk.ID)
	if count(h, ticket.EventSLAWarning)+count(h, ticket.EventSLABreached) != 0 {
		t.Errorf("a resolved ticket warned or breached: %v", h)
	}
}

func TestTimesOutOfRange(t *testing.T) {
	clock := slatest.NewFakeClock(t0)
	e := newPlanEnv(t, planCfg, clock, &fakePlugins{handleTicket: accept("Chen")})
	far := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	early := time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC)
	var fe *ticket.FieldError
	_, _, err := e.desk.Create(context.Background(), ticket.Ticket{
		Kind: ticket.KindRequest, Category: "voyage_bill", Title: "Bill", EventAt: &far,
	}, "", "agent")
	if !errors.As(err, &fe) || fe.Field != "event_at" {
		t.Errorf("event_at in 9999: err = %v, want a FieldError on event_at", err)
	}
	_, err = e.desk.Due(context.Background(), wire.DueRequest{Policy: "repair.minor", Start: &early})
	if !errors.As(err, &fe) || fe.Field != "start" {
		t.Errorf("start in year 1: err = %v, want a FieldError on start", err)
	}
	tk := e.create(ticket.KindRepair, "valve")
	_, err = e.desk.Replan(context.Background(), tk.ID, "resolution", far, "someday", "agent")
	if !errors.As(err, &fe) || fe.Field != "due_at" {
		t.Errorf("replan to 9999: err = %v, want a FieldError on due_at", err)
	}
}

// TestStaleDeadlineDoesNotBreachOnAnswer: the plugin's answer arrives after
// a holiday was added and after the old deadline passed, before any timer
// fired (the scheduler is stopped here): the answer's commit checks the
// deadline against the current calendar first, so it moves and nothing
// breaches.
func TestStaleDeadlineDoesNotBreachOnAnswer(t *testing.T) {
	clock := slatest.NewFakeClock(t0) // Tue 2026-11-24 09:00 UTC
	release := make(chan struct{})
	fp := &fakePlugins{handleTicket: func(string, sdk.Ticket) (sdk.Reply, error) {
		<-release
		return sdk.Reply{Accept: true, Assignee: "Chen"}, nil
	}}
	e := newPlanEnv(t, planCfg, clock, fp)
	e.desk.SetRules(route.New(dayCfg.Routes, "service"), dayEngine(t), "service")
	tk := e.create(ticket.KindRepair, "valve")
	for fp.callsFor(tk.ID) == 0 {
		time.Sleep(time.Millisecond)
	}
	e.sched.Stop() // only the answer's commit may notice the deadline
	e.desk.SetRules(route.New(dayCfg.Routes, "service"), dayEngine(t, calendar.Date{Year: 2026, Month: 11, Day: 25}), "service")
	clock.Set(time.Date(2026, 11, 26, 0, 30, 0, 0, time.UTC))
	close(release)
	got := e.waitStatus(tk.ID, ticket.StatusAcknowledged)
	res := got.Target("resolution")
	if !res.DueAt.Equal(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)) || res.State == ticket.TargetBreached {
		t.Errorf("resolution %+v, want moved to the 27th and not breached", res)
	}
	if n := count(e.types(tk.ID), ticket.EventSLABreached); n != 0 {
		t.Errorf("%d breaches, want none: %v", n, e.types(tk.ID))
	}
}
