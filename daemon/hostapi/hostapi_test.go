package hostapi_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/desk"
	"github.com/switchboard-desk/switchboard/daemon/escalate"
	"github.com/switchboard-desk/switchboard/daemon/hostapi"
	"github.com/switchboard-desk/switchboard/daemon/route"
	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/store/sqlite"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/sdk"
)

// acceptAll is a department that takes every ticket.
type acceptAll struct{}

func (acceptAll) Deliver(_ context.Context, _ string, d sdk.Delivery) (sdk.Ack, error) {
	return sdk.Ack{ID: d.ID, Reply: sdk.Reply{Accept: true, Assignee: "Li Wei"}}, nil
}

// newDesk runs a real desk on a SQLite file with the repository's
// config.toml, the desk a plugin calls back into.
func newDesk(t *testing.T) (*desk.Desk, *config.Config) {
	t.Helper()
	cfg, err := config.Load("../../config.toml")
	if err != nil {
		t.Fatal(err)
	}
	esc, err := escalate.New(cfg.Escalations, cfg.Roles)
	if err != nil {
		t.Fatal(err)
	}
	cals, err := cfg.BuildCalendars()
	if err != nil {
		t.Fatal(err)
	}
	eng, err := sla.New(cfg.Policies, esc, sla.WithCalendars(cals), sla.WithRoles(cfg.Roles), sla.WithChains(cfg.Escalations))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	dk := desk.New(desk.Options{Store: st, Plugins: acceptAll{}, RetryDelay: 10 * time.Millisecond})
	dk.SetRules(route.New(cfg.Routes, cfg.Routing.Fallback), eng, cfg.Routing.Fallback)
	if err := dk.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		dk.Stop(ctx)
		st.Close()
	})
	return dk, cfg
}

func create(t *testing.T, dk *desk.Desk, kind ticket.Kind, category, severity string) ticket.Ticket {
	t.Helper()
	tk, _, err := dk.Create(context.Background(), ticket.Ticket{
		Kind: kind, Category: category, Severity: severity, Title: "test " + category,
		Reporter: ticket.Reporter{Name: "Liu"}, Location: "north-campus/dorm-3",
	}, "", "agent")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := dk.Get(context.Background(), tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == ticket.StatusAcknowledged {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never acknowledged (%s)", tk.ID, got.Status)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func code(err error) sdk.HostErrorCode { return sdk.HostErrorCodeOf(err) }

// Every call acts as the plugin, is recorded with it as actor, and is
// refused on another department's tickets unless granted.
func TestHostCallsAreCheckedAndRecorded(t *testing.T) {
	dk, cfg := newDesk(t)
	ctx := context.Background()
	repair := create(t, dk, ticket.KindRepair, "valve", "minor")
	invoice := create(t, dk, ticket.KindRequest, "invoice_correction", "")
	if repair.Department != "engineering" || invoice.Department != "finance" {
		t.Fatalf("routing: %s, %s", repair.Department, invoice.Department)
	}
	grants := func(dept, other string) bool {
		d, ok := cfg.Department(dept)
		return ok && d.Granted(other)
	}
	eng := hostapi.New(dk, grants).For("engineering")

	if _, err := eng.AddNote(ctx, repair.ID, "valve replaced"); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Assign(ctx, repair.ID, "Chen Jun", "on duty"); err != nil {
		t.Fatal(err)
	}
	got, err := eng.Transition(ctx, repair.ID, "resolved", "fixed")
	if err != nil || got.Status != "resolved" || got.Assignee != "Chen Jun" {
		t.Fatalf("transition: %+v %v", got, err)
	}
	h, err := dk.History(ctx, repair.ID)
	if err != nil {
		t.Fatal(err)
	}
	actors := map[string]string{}
	for _, ev := range h {
		actors[ev.Type] = ev.Actor
	}
	for _, typ := range []string{ticket.EventNote, ticket.EventAssigned, ticket.EventStatus} {
		if actors[typ] != "plugin:engineering" {
			t.Errorf("%s recorded by %q, want plugin:engineering", typ, actors[typ])
		}
	}

	tests := []struct {
		name string
		call func() error
		want sdk.HostErrorCode
		msg  string
	}{
		{"other department's ticket", func() error { _, err := eng.AddNote(ctx, invoice.ID, "x"); return err }, sdk.HostPermissionDenied, "finance"},
		{"read other department's ticket", func() error { _, err := eng.Ticket(ctx, invoice.ID); return err }, sdk.HostPermissionDenied, "grants"},
		{"unknown ticket", func() error { _, err := eng.Ticket(ctx, "SB-999999"); return err }, sdk.HostNotFound, "SB-999999"},
		{"no ticket id", func() error { _, err := eng.Escalate(ctx, "", "x"); return err }, sdk.HostInvalid, "ticket_id"},
		{"unknown status", func() error { _, err := eng.Transition(ctx, repair.ID, "fixed", ""); return err }, sdk.HostInvalid, "fixed"},
		{"desk's own status", func() error { _, err := eng.Transition(ctx, repair.ID, "new", ""); return err }, sdk.HostInvalid, "hand-over"},
		{"life cycle", func() error { _, err := eng.Transition(ctx, repair.ID, "in_progress", ""); return err }, sdk.HostConflict, "resolved"},
		{"empty note", func() error { _, err := eng.AddNote(ctx, repair.ID, " "); return err }, sdk.HostInvalid, "note"},
		{"replan without reason", func() error {
			_, err := eng.Replan(ctx, repair.ID, "", time.Now().Add(24*time.Hour), "")
			return err
		}, sdk.HostInvalid, "reason"},
		{"create without title", func() error {
			_, err := eng.CreateTicket(ctx, sdk.NewTicket{Kind: "repair"}, "")
			return err
		}, sdk.HostInvalid, "title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if code(err) != tt.want || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %v (code %q), want code %q naming %q", err, code(err), tt.want, tt.msg)
			}
		})
	}

	// A grant opens another department's tickets.
	cfg.Departments[0].Grants = []string{"finance"}
	if cfg.Departments[0].Name != "engineering" {
		t.Fatalf("config.toml's first department is %s", cfg.Departments[0].Name)
	}
	if _, err := eng.AddNote(ctx, invoice.ID, "granted"); err != nil {
		t.Errorf("granted call refused: %v", err)
	}
}

// Replan with no target name moves the resolution target and tells the
// stakeholders; Escalate climbs the chain level by level; CreateTicket with
// a key opens one ticket however often it is called.
func TestHostReplanEscalateCreate(t *testing.T) {
	dk, _ := newDesk(t)
	ctx := context.Background()
	h := hostapi.New(dk, nil).For("engineering")
	major := create(t, dk, ticket.KindRepair, "hot_water_machine", "major")

	next := time.Now().Add(48 * time.Hour).Truncate(time.Second)
	got, err := h.Replan(ctx, major.ID, "", next, "parts ordered")
	if err != nil {
		t.Fatal(err)
	}
	after, err := dk.Get(ctx, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := after.SLA[len(after.SLA)-1]
	if !last.DueAt.Equal(next) {
		t.Errorf("%s due %v, want %v", last.Name, last.DueAt, next)
	}
	hist, _ := dk.History(ctx, major.ID)
	var replanned, told bool
	for _, ev := range hist {
		replanned = replanned || (ev.Type == ticket.EventReplanned && ev.Actor == "plugin:engineering")
		told = told || (ev.Type == ticket.EventStakeholders && strings.Contains(string(ev.Data), "parts ordered"))
	}
	if !replanned || !told {
		t.Errorf("re-plan recorded %v, stakeholders told %v", replanned, told)
	}

	var levels []int
	for i := 0; i < 2; i++ {
		if _, err := h.Escalate(ctx, major.ID, "cannot fix: compressor"); err != nil {
			t.Fatal(err)
		}
	}
	hist, _ = dk.History(ctx, major.ID)
	for _, ev := range hist {
		if ev.Type != ticket.EventEscalated {
			continue
		}
		var d ticket.EscalationData
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			t.Fatal(err)
		}
		if d.Reason != "cannot fix: compressor" || len(d.People) == 0 || ev.Actor != "plugin:engineering" {
			t.Errorf("escalation %+v by %s", d, ev.Actor)
		}
		levels = append(levels, d.Level)
	}
	if len(levels) != 2 || levels[0] != 1 || levels[1] != 2 {
		t.Errorf("escalated to levels %v, want [1 2]", levels)
	}

	nt := sdk.NewTicket{Kind: "repair", Category: "water_temperature", Severity: "serious", Title: "Water at 38 °C", Location: "north-campus/dorm-3"}
	a, err := h.CreateTicket(ctx, nt, "INSP-1/temperature")
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.CreateTicket(ctx, nt, "INSP-1/temperature")
	if err != nil || a.ID != b.ID {
		t.Errorf("second create: %s, %v; want %s", b.ID, err, a.ID)
	}
	if a.Department != "engineering" || a.ReporterName != "plugin:engineering" {
		t.Errorf("created %+v", a)
	}
}

// The permission is checked again inside the change: a ticket that moved to
// another department after the plugin's first look is refused.
func TestHostGuardInsideTransaction(t *testing.T) {
	dk, _ := newDesk(t)
	ctx := context.Background()
	tk := create(t, dk, ticket.KindRepair, "valve", "minor")
	moved := false
	grants := func(dept, other string) bool {
		if !moved { // the first look: still engineering's
			moved = true
			return true
		}
		return dept == other && other != "engineering" // now someone else's
	}
	_, err := hostapi.New(dk, grants).For("engineering").AddNote(ctx, tk.ID, "late note")
	if code(err) != sdk.HostPermissionDenied {
		t.Fatalf("error %v, want permission denied from the check inside the change", err)
	}
	h, _ := dk.History(ctx, tk.ID)
	for _, ev := range h {
		if ev.Type == ticket.EventNote {
			t.Errorf("note written despite the refusal: %s", ev.Data)
		}
	}
}
