package desk_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
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

func dur(d time.Duration) config.Duration { return config.Duration{Duration: d} }

// planCfg is a desk with stakeholders, complaints and an event-relative
// policy, all on the "always" calendar so that deadlines are easy to count.
var planCfg = &config.Config{
	Routing: config.Routing{Fallback: "service"},
	Routes:  []config.Route{{Department: "engineering", Match: config.Match{Kind: []string{"repair"}}}},
	Policies: []config.Policy{
		{
			Name: "repair.major", Match: config.Match{Kind: []string{"repair"}, Severity: []string{"major"}},
			Stakeholders: []string{"service_desk", "school", "students"},
			Targets: []config.Target{
				{Name: "response", After: dur(15 * time.Minute), Clock: "calendar"},
				{Name: "resolution", After: dur(24 * time.Hour), Clock: "calendar"},
			},
		},
		{
			Name: "repair.minor", Match: config.Match{Kind: []string{"repair"}},
			Targets: []config.Target{
				{Name: "response", After: dur(15 * time.Minute), Clock: "calendar"},
				{Name: "resolution", After: dur(2 * time.Hour), Clock: "calendar"},
			},
		},
		{
			Name: "finance.voyage_bill", Match: config.Match{Category: []string{"voyage_bill"}},
			Targets: []config.Target{{Name: "resolution", EventOffset: &config.Duration{Duration: 7 * 24 * time.Hour}}},
		},
		{
			Name: "complaint.vip", Match: config.Match{Kind: []string{"complaint"}, Tier: []string{"vip"}},
			Targets: []config.Target{{Name: "response", After: dur(10 * time.Minute), Clock: "calendar"}},
		},
		{
			Name: "complaint.standard", Match: config.Match{Kind: []string{"complaint"}},
			Targets: []config.Target{
				{Name: "response", After: dur(30 * time.Minute), Clock: "calendar"},
				{Name: "resolution", After: dur(10 * time.Hour), Clock: "calendar", Warn: 0.5},
			},
		},
	},
	Roles: map[string][]string{
		"service_desk": {"Desk Li"}, "school": {"Principal Sun"}, "students": {"Student union", "Desk Li"},
		"general_manager": {"Zhao Min"},
	},
}

// newPlanEnv is newEnv with cfg's policies and the directory of cfg.
func newPlanEnv(t *testing.T, cfg *config.Config, clock *slatest.FakeClock, plugins *fakePlugins) *env {
	t.Helper()
	path := filepath.Join(t.TempDir(), "desk.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	esc, err := escalate.New(cfg.Escalations, cfg.Roles)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := sla.New(cfg.Policies, esc, sla.WithRoles(cfg.Roles))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, path: path, st: st, clock: clock, plugins: plugins, pub: &recorder{}}
	e.desk = desk.New(desk.Options{Store: st, Publisher: e.pub, Plugins: plugins, Now: clock.Now, RetryDelay: 10 * time.Millisecond})
	e.sched = sla.NewScheduler(clock, e.desk.FireSLA, nil)
	e.desk.SetScheduler(e.sched)
	e.desk.SetRules(route.New(cfg.Routes, "service"),
		desk.WithDirectory(eng, desk.Directory{Repeat: cfg.Repeat}), "service")
	ctx, cancel := context.WithCancel(context.Background())
	e.sched.Start(ctx)
	if err := e.desk.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.close(); cancel() })
	return e
}

func (e *env) submit(in ticket.Ticket) ticket.Ticket {
	e.t.Helper()
	if in.Title == "" {
		in.Title = "Boiler down"
	}
	if in.Category == "" {
		in.Category = "boiler"
	}
	in.Reporter = ticket.Reporter{Name: "Liu"}
	tk, created, err := e.desk.Create(context.Background(), in, "", "agent")
	if err != nil || !created {
		e.t.Fatalf("create: %v created=%v", err, created)
	}
	return tk
}

// events returns ticket id's events of type typ.
func (e *env) events(id, typ string) []ticket.Event {
	e.t.Helper()
	h, err := e.st.History(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []ticket.Event
	for _, ev := range h {
		if ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}

func decodeData[T any](t *testing.T, ev ticket.Event) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(ev.Data, &v); err != nil {
		t.Fatalf("%s data %s: %v", ev.Type, ev.Data, err)
	}
	return v
}

func TestStakeholdersToldOnCreate(t *testing.T) {
	e := newPlanEnv(t, planCfg, slatest.NewFakeClock(t0), &fakePlugins{handleTicket: accept("Chen")})
	major := e.submit(ticket.Ticket{Kind: ticket.KindRepair, Severity: "major", Title: "No hot water in Dorm 3"})
	evs := e.events(major.ID, ticket.EventStakeholders)
	if len(evs) != 1 {
		t.Fatalf("%d stakeholders events, want 1: %v", len(evs), e.types(major.ID))
	}
	d := decodeData[ticket.StakeholdersData](t, evs[0])
	if strings.Join(d.Roles, ",") != "service_desk,school,students" ||
		strings.Join(d.People, ",") != "Desk Li,Principal Sun,Student union" ||
		d.Reason != "created: No hot water in Dorm 3" || evs[0].Actor != desk.Actor {
		t.Errorf("stakeholders event %+v by %s", d, evs[0].Actor)
	}
	minor := e.submit(ticket.Ticket{Kind: ticket.KindRepair, Severity: "minor"})
	if n := len(e.events(minor.ID, ticket.EventStakeholders)); n != 0 {
		t.Errorf("a policy without stakeholders told %d times", n)
	}
}

func TestReplan(t *testing.T) {
	clock := slatest.NewFakeClock(t0)
	e := newPlanEnv(t, planCfg, clock, &fakePlugins{handleTicket: accept("Chen")})
	ctx := context.Background()
	tk := e.submit(ticket.Ticket{Kind: ticket.KindRepair, Severity: "major"})
	e.waitStatus(tk.ID, ticket.StatusAcknowledged)

	newDue := t0.Add(48 * time.Hour)
	got, err := e.desk.Replan(ctx, tk.ID, "resolution", newDue, " parts arrive tomorrow ", "Wang Fang")
	if err != nil {
		t.Fatal(err)
	}
	res := got.Target("resolution")
	if !res.DueAt.Equal(newDue) || !res.WarnAt.After(t0) || !res.WarnAt.Before(newDue) {
		t.Errorf("resolution after replan: due %v warn %v", res.DueAt, res.WarnAt)
	}
	re := e.events(tk.ID, ticket.EventReplanned)
	if len(re) != 1 || re[0].Actor != "Wang Fang" {
		t.Fatalf("replanned events %+v", re)
	}
	rd := decodeData[ticket.ReplanData](t, re[0])
	if rd.Target != "resolution" || !rd.FromDueAt.Equal(t0.Add(24*time.Hour)) || !rd.ToDueAt.Equal(newDue) || rd.Reason != "parts arrive tomorrow" {
		t.Errorf("replan data %+v", rd)
	}
	sh := e.events(tk.ID, ticket.EventStakeholders)
	if len(sh) != 2 {
		t.Fatalf("%d stakeholders events, want created + re-planned", len(sh))
	}
	want := "re-planned: resolution due 2026-11-26T09:00:00Z (was 2026-11-25T09:00:00Z): parts arrive tomorrow"
	if d := decodeData[ticket.StakeholdersData](t, sh[1]); d.Reason != want {
		t.Errorf("reason %q\nwant   %q", d.Reason, want)
	}

	// The response target was met by the acknowledgement.
	closed := e.submit(ticket.Ticket{Kind: ticket.KindRepair, Severity: "minor"})
	e.waitStatus(closed.ID, ticket.StatusAcknowledged)
	if _, err := e.desk.Transition(ctx, closed.ID, ticket.StatusCancelled, "dup", "agent"); err != nil {
		t.Fatal(err)
	}
	breached := e.submit(ticket.Ticket{Kind: ticket.KindRepair, Severity: "minor"})
	e.waitStatus(breached.ID, ticket.StatusAcknowledged)
	clock.Advance(3 * time.Hour) // past the minor resolution (2h)
	deadline := time.Now().Add(10 * time.Second)
	for len(e.events(breached.ID, ticket.EventSLABreached)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("resolution never breached")
		}
		time.Sleep(5 * time.Millisecond)
	}
	later := clock.Now().Add(time.Hour)

	var fe *ticket.FieldError
	var ce *desk.ConflictError
	for _, c := range []struct {
		name, id, target, reason string
		due                      time.Time
		field                    string // want a FieldError on it
		conflict                 string // or a ConflictError saying this
		notFound                 bool
	}{
		{name: "no target", id: tk.ID, reason: "r", due: later, field: "target"},
		{name: "unknown target", id: tk.ID, target: "room_check", reason: "r", due: later, field: "target"},
		{name: "no reason", id: tk.ID, target: "resolution", reason: "  ", due: later, field: "reason"},
		{name: "reason too long", id: tk.ID, target: "resolution", reason: strings.Repeat("x", desk.MaxReason+1), due: later, field: "reason"},
		{name: "no due", id: tk.ID, target: "resolution", reason: "r", field: "due_at"},
		{name: "due in the past", id: tk.ID, target: "resolution", reason: "r", due: clock.Now().Add(-time.Minute), field: "due_at"},
		{name: "met", id: tk.ID, target: "response", reason: "r", due: later, conflict: "already met"},
		{name: "breached", id: breached.ID, target: "resolution", reason: "r", due: later, conflict: "breached"},
		{name: "cancelled", id: closed.ID, target: "resolution", reason: "r", due: later, conflict: "is cancelled"},
		{name: "unknown ticket", id: "SB-999", target: "resolution", reason: "r", due: later, notFound: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := 0
			if !c.notFound {
				before = len(e.types(c.id))
			}
			_, err := e.desk.Replan(ctx, c.id, c.target, c.due, c.reason, "agent")
			switch {
			case c.field != "":
				if !errors.As(err, &fe) || fe.Field != c.field {
					t.Errorf("err = %v, want a FieldError on %s", err, c.field)
				}
			case c.conflict != "":
				if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.conflict) {
					t.Errorf("err = %v, want a ConflictError saying %q", err, c.conflict)
				}
			case c.notFound:
				if !errors.Is(err, store.ErrNotFound) {
					t.Errorf("err = %v, want not found", err)
				}
				return
			}
			if after := len(e.types(c.id)); after != before {
				t.Errorf("a refused replan wrote %d events", after-before)
			}
		})
	}
}

// TestPauseTellsStakeholders: resuming a paused ticket moves its resolution
// deadline, and the stakeholders are told once with the engine's reason.
func TestPauseTellsStakeholders(t *testing.T) {
	clock := slatest.NewFakeClock(t0)
	e := newPlanEnv(t, planCfg, clock, &fakePlugins{handleTicket: accept("Chen")})
	ctx := context.Background()
	tk := e.submit(ticket.Ticket{Kind: ticket.KindRepair, Severity: "major"})
	e.waitStatus(tk.ID, ticket.StatusAcknowledged)
	for _, step := range []struct {
		wait time.Duration
		to   ticket.Status
	}{{time.Hour, ticket.StatusInProgress}, {0, ticket.StatusWaiting}, {2*time.Hour + 10*time.Minute, ticket.StatusInProgress}} {
		clock.Advance(step.wait)
		if _, err := e.desk.Transition(ctx, tk.ID, step.to, "", "agent"); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := e.st.Get(ctx, tk.ID)
	if want := t0.Add(24*time.Hour + 2*time.Hour + 10*time.Minute); !got.Target("resolution").DueAt.Equal(want) {
		t.Errorf("resolution due %v after a 2h10m pause, want %v", got.Target("resolution").DueAt, want)
	}
	sh := e.events(tk.ID, ticket.EventStakeholders)
	if len(sh) != 2 {
		t.Fatalf("%d stakeholders events, want created + the pause: %v", len(sh), e.types(tk.ID))
	}
	if d := decodeData[ticket.StakeholdersData](t, sh[1]); !strings.Contains(d.Reason, "resolution due 2026-11-25T11:10:00Z") ||
		!strings.Contains(d.Reason, "paused") {
		t.Errorf("reason %q", d.Reason)
	}
}

// TestRecomputeThroughDirectory: a calendar or policy change re-plans open
// deadlines through an engine wrapped by WithDirectory, and the
// stakeholders are told.
func TestRecomputeThroughDirectory(t *testing.T) {
	clock := slatest.NewFakeClock(t0)
	e := newPlanEnv(t, planCfg, clock, &fakePlugins{handleTicket: accept("Chen")})
	ctx := context.Background()
	tk := e.submit(ticket.Ticket{Kind: ticket.KindRepair, Severity: "major"})
	e.waitStatus(tk.ID, ticket.StatusAcknowledged)

	cfg := *planCfg
	cfg.Policies = append([]config.Policy(nil), planCfg.Policies...)
	major := cfg.Policies[0]
	major.Targets = []config.Target{major.Targets[0], {Name: "resolution", After: dur(30 * time.Hour), Clock: "calendar"}}
	cfg.Policies[0] = major
	eng, err := sla.New(cfg.Policies, nil, sla.WithRoles(cfg.Roles))
	if err != nil {
		t.Fatal(err)
	}
	e.desk.SetRules(route.New(cfg.Routes, "service"), desk.WithDirectory(eng, desk.Directory{}), "service")
	n, err := e.desk.Recompute(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Recompute moved %d tickets, %v; want 1", n, err)
	}
	got, _ := e.st.Get(ctx, tk.ID)
	if !got.Target("resolution").DueAt.Equal(t0.Add(30 * time.Hour)) {
		t.Errorf("resolution due %v", got.Target("resolution").DueAt)
	}
	sh := e.events(tk.ID, ticket.EventStakeholders)
	if len(sh) != 2 || !strings.Contains(decodeData[ticket.StakeholdersData](t, sh[1]).Reason, "repair.major changed") {
		t.Errorf("stakeholders events %v", sh)
	}
}
