package desk_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/desk"
	"github.com/switchboard-desk/switchboard/daemon/sla/slatest"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// vipCfg is config.toml's reception.vip checklist: the route checked 2h30m
// before the guest arrives, the room 2h before, opened 30m before; a
// breached step is escalated to the general manager an hour later.
var vipCfg = &config.Config{
	Routing: config.Routing{Fallback: "service"},
	Policies: []config.Policy{{
		Name: "reception.vip", Escalation: "reception",
		Match: config.Match{Kind: []string{"request"}, Category: []string{"vip_arrival"}},
		Targets: []config.Target{
			{Name: "route_check", EventOffset: &config.Duration{Duration: -150 * time.Minute}},
			{Name: "room_check", EventOffset: &config.Duration{Duration: -2 * time.Hour}},
			{Name: "room_open", EventOffset: &config.Duration{Duration: -30 * time.Minute}},
		},
	}},
	Escalations: []config.Chain{{Name: "reception", Levels: []config.Level{
		{Name: "general manager", At: "breach", After: dur(time.Hour), Notify: []string{"general_manager"}},
	}}},
	Roles: map[string][]string{"general_manager": {"Zhao Min"}},
}

// slaTargets returns the target names of ticket id's events of type typ.
func (e *env) slaTargets(id, typ string) []string {
	e.t.Helper()
	var out []string
	for _, ev := range e.events(id, typ) {
		out = append(out, decodeData[struct {
			Target string `json:"target"`
		}](e.t, ev).Target)
	}
	return out
}

func TestMeetTarget(t *testing.T) {
	clock := slatest.NewFakeClock(t0)
	e := newPlanEnv(t, vipCfg, clock, &fakePlugins{handleTicket: accept("Desk Li")})
	ctx := context.Background()
	arrival := t0.Add(5 * time.Hour) // route_check due 11:30, room_check 12:00, room_open 13:30
	tk := e.submit(ticket.Ticket{Kind: ticket.KindRequest, Category: "vip_arrival", Title: "Minister arrives", EventAt: &arrival})
	if tk.Policy != "reception.vip" || len(tk.SLA) != 3 {
		t.Fatalf("policy %q, targets %+v", tk.Policy, tk.SLA)
	}
	e.waitStatus(tk.ID, ticket.StatusAcknowledged)

	// Met in time.
	clock.Advance(10 * time.Minute)
	got, err := e.desk.MeetTarget(ctx, tk.ID, " room_check ", "room 1208 checked", "Desk Li")
	if err != nil {
		t.Fatal(err)
	}
	if tg := got.Target("room_check"); tg.State != ticket.TargetMet || tg.MetAt == nil || !tg.MetAt.Equal(clock.Now()) {
		t.Errorf("room_check %+v, want met at %s", tg, clock.Now())
	}
	met := e.events(tk.ID, ticket.EventSLAMet)
	if len(met) != 1 || met[0].Actor != "Desk Li" {
		t.Fatalf("sla.met events %+v", met)
	}
	if d := decodeData[ticket.SLAData](t, met[0]); d.Target != "room_check" || !d.DueAt.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("sla.met data %+v", d)
	}
	notes := e.events(tk.ID, ticket.EventNote)
	if len(notes) != 1 || notes[0].Actor != "Desk Li" ||
		decodeData[map[string]string](t, notes[0])["note"] != "room_check met: room 1208 checked" {
		t.Errorf("notes %+v", notes)
	}

	// Refusals.
	var ce *desk.ConflictError
	_, err = e.desk.MeetTarget(ctx, tk.ID, "room_check", "", "Desk Li")
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), `target "room_check" is already met at 2026-11-24T09:10:00Z`) {
		t.Errorf("met twice: %v", err)
	}
	var fe *ticket.FieldError
	_, err = e.desk.MeetTarget(ctx, tk.ID, "room_clean", "", "Desk Li")
	if !errors.As(err, &fe) || fe.Field != "target" || !strings.Contains(fe.Message, "targets: route_check, room_check, room_open") {
		t.Errorf("unknown target: %v", err)
	}
	_, err = e.desk.MeetTarget(ctx, tk.ID, "", "", "Desk Li")
	if !errors.As(err, &fe) || fe.Field != "target" {
		t.Errorf("no target: %v", err)
	}
	_, err = e.desk.MeetTarget(ctx, tk.ID, "room_open", strings.Repeat("x", ticket.MaxDescription+1), "Desk Li")
	if !errors.As(err, &fe) || fe.Field != "note" {
		t.Errorf("long note: %v", err)
	}
	if _, err = e.desk.MeetTarget(ctx, "SB-999", "room_open", "", "Desk Li"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown ticket: %v", err)
	}

	// Met late: route_check breached at 11:30 and stays breached; its
	// escalation (12:30) never fires. room_check, met, never breaches.
	clock.Set(t0.Add(3 * time.Hour))
	e.waitCount(tk.ID, ticket.EventSLABreached, 1)
	got, err = e.desk.MeetTarget(ctx, tk.ID, "route_check", "", "Chen Jun")
	if err != nil {
		t.Fatal(err)
	}
	if tg := got.Target("route_check"); tg.State != ticket.TargetBreached || tg.MetAt == nil || !tg.MetAt.Equal(clock.Now()) {
		t.Errorf("route_check %+v, want breached, met at %s", tg, clock.Now())
	}
	if m := e.events(tk.ID, ticket.EventSLAMet); len(m) != 1 {
		t.Errorf("%d sla.met events after a late meeting, want 1 (none for a breached target)", len(m))
	}
	notes = e.events(tk.ID, ticket.EventNote)
	if len(notes) != 2 || notes[1].Actor != "Chen Jun" ||
		decodeData[map[string]string](t, notes[1])["note"] != "route_check met late, due 2026-11-24T11:30:00Z" {
		t.Errorf("notes %+v", notes)
	}
	_, err = e.desk.MeetTarget(ctx, tk.ID, "route_check", "", "Chen Jun")
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "already met at 2026-11-24T12:00:00Z") {
		t.Errorf("met late twice: %v", err)
	}

	// room_open, never met, breaches at 13:30 and escalates at 14:30: the
	// only escalation of the ticket.
	clock.Set(t0.Add(6 * time.Hour))
	e.waitCount(tk.ID, ticket.EventEscalated, 1)
	if got := strings.Join(e.slaTargets(tk.ID, ticket.EventSLABreached), ","); got != "route_check,room_open" {
		t.Errorf("breached: %s, want route_check,room_open", got)
	}
	if got := strings.Join(e.slaTargets(tk.ID, ticket.EventEscalated), ","); got != "room_open" {
		t.Errorf("escalated: %s, want room_open", got)
	}
	if got, err := e.st.Get(ctx, tk.ID); err != nil || got.Target("room_check").State != ticket.TargetMet {
		t.Errorf("room_check after its deadline: %+v (%v)", got.Target("room_check"), err)
	}

	// A cancelled ticket's targets cannot be met.
	if _, err := e.desk.Transition(ctx, tk.ID, ticket.StatusCancelled, "guest cancelled", "Desk Li"); err != nil {
		t.Fatal(err)
	}
	_, err = e.desk.MeetTarget(ctx, tk.ID, "room_open", "", "Desk Li")
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "is cancelled") {
		t.Errorf("cancelled ticket: %v", err)
	}
}

// TestMeetTargetClosed: a closed ticket's targets cannot be met.
func TestMeetTargetClosed(t *testing.T) {
	clock := slatest.NewFakeClock(t0)
	e := newPlanEnv(t, planCfg, clock, &fakePlugins{handleTicket: accept("Chen")})
	ctx := context.Background()
	tk := e.submit(ticket.Ticket{Kind: ticket.KindRepair, Severity: "minor"})
	e.waitStatus(tk.ID, ticket.StatusAcknowledged)
	for _, s := range []ticket.Status{ticket.StatusResolved, ticket.StatusClosed} {
		if _, err := e.desk.Transition(ctx, tk.ID, s, "", "Chen"); err != nil {
			t.Fatal(err)
		}
	}
	var ce *desk.ConflictError
	_, err := e.desk.MeetTarget(ctx, tk.ID, "resolution", "", "Chen")
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "is closed") {
		t.Errorf("closed ticket: %v", err)
	}
}
