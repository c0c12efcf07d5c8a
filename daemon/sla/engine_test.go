package sla_test

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/escalate"
	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// t0 is when the test tickets are created.
var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

// desk decodes testdata/desk.toml strictly.
func desk(t testing.TB) config.Config {
	t.Helper()
	b, err := os.ReadFile("testdata/desk.toml")
	if err != nil {
		t.Fatal(err)
	}
	var c config.Config
	md, err := toml.Decode(string(b), &c)
	if err != nil {
		t.Fatalf("decode desk.toml: %v", err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Fatalf("desk.toml: undecoded keys %v", u)
	}
	return c
}

// newEngine builds the engine of testdata/desk.toml.
func newEngine(t testing.TB, opts ...sla.Option) *sla.Engine {
	t.Helper()
	c := desk(t)
	esc, err := escalate.New(c.Escalations, c.Roles)
	if err != nil {
		t.Fatal(err)
	}
	e, err := sla.New(c.Policies, esc, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// planned returns an open ticket with the given fields, planned at t0.
func planned(e *sla.Engine, kind ticket.Kind, category, severity, tier string) *ticket.Ticket {
	tk := &ticket.Ticket{ID: "T1", Kind: kind, Category: category, Severity: severity, Tier: tier,
		Status: ticket.StatusDispatched, CreatedAt: t0}
	if err := e.Plan(tk, t0); err != nil {
		panic(err) // the policies of desk.toml need no event_at
	}
	return tk
}

// summary renders events compactly for comparison: "warning response",
// "escalated response L2 [Wang Fang]".
func summary(t *testing.T, evs []ticket.Event) []string {
	t.Helper()
	out := make([]string, 0, len(evs))
	for _, ev := range evs {
		if ev.Actor != sla.Actor {
			t.Errorf("event %s: actor %q, want %q", ev.Type, ev.Actor, sla.Actor)
		}
		switch ev.Type {
		case ticket.EventEscalated:
			var d ticket.EscalationData
			if err := json.Unmarshal(ev.Data, &d); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("escalated %s L%d %v", d.Target, d.Level, d.People))
		case ticket.EventSLAWarning, ticket.EventSLABreached, ticket.EventSLAMet:
			var d ticket.SLAData
			if err := json.Unmarshal(ev.Data, &d); err != nil {
				t.Fatal(err)
			}
			out = append(out, strings.TrimPrefix(ev.Type, "sla.")+" "+d.Target)
		default:
			t.Fatalf("unexpected event type %q", ev.Type)
		}
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNewErrors(t *testing.T) {
	c := desk(t)
	esc, err := escalate.New(c.Escalations, c.Roles)
	if err != nil {
		t.Fatal(err)
	}
	dur := func(s string) config.Duration {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatal(err)
		}
		return config.Duration{Duration: d}
	}
	target := func(name, after string, warn float64) config.Target {
		return config.Target{Name: name, After: dur(after), Warn: warn}
	}
	tests := []struct {
		name     string
		policies []config.Policy
		esc      *escalate.Escalator
		want     string // "" means valid
	}{
		{"desk", c.Policies, esc, ""},
		{"no policies", nil, nil, ""},
		{"no chain needs no escalator", []config.Policy{{Name: "p", Targets: []config.Target{target("response", "1m", 0)}}}, nil, ""},
		{"warn 1 is allowed", []config.Policy{{Name: "p", Targets: []config.Target{target("response", "1m", 1)}}}, nil, ""},
		{"unknown chain", []config.Policy{{Name: "repair.x", Escalation: "enginering"}}, esc,
			`sla: policy "repair.x": unknown escalation "enginering"`},
		{"chain without escalator", []config.Policy{{Name: "p", Escalation: "engineering"}}, nil,
			`policy "p": unknown escalation "engineering"`},
		{"no name", []config.Policy{{}}, esc, "sla: policy #1: name is required"},
		{"duplicate policy", []config.Policy{{Name: "p"}, {Name: "p"}}, esc, `policy "p" is defined twice`},
		{"target without name", []config.Policy{{Name: "p", Targets: []config.Target{target("", "1m", 0)}}}, esc,
			`policy "p" target #1: name is required`},
		{"duplicate target", []config.Policy{{Name: "p", Targets: []config.Target{target("response", "1m", 0), target("response", "2m", 0)}}}, esc,
			`policy "p": target "response" is defined twice`},
		{"no kind", []config.Policy{{Name: "p", Targets: []config.Target{{Name: "response"}}}}, esc,
			`policy "p" target "response": says not when it is due`},
		{"negative after", []config.Policy{{Name: "p", Targets: []config.Target{target("response", "-5m", 0)}}}, esc,
			`after = -5m0s`},
		{"warn above 1", []config.Policy{{Name: "p", Targets: []config.Target{target("response", "1m", 80)}}}, esc,
			`policy "p" target "response": warn = 80, want a fraction between 0 and 1`},
		{"negative warn", []config.Policy{{Name: "p", Targets: []config.Target{target("response", "1m", -0.1)}}}, esc,
			`warn = -0.1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := sla.New(tt.policies, tt.esc)
			if tt.want == "" {
				if err != nil || e == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestPlan(t *testing.T) {
	e := newEngine(t)
	type tg struct {
		name       string
		warn, due  time.Duration
		escalation string
	}
	tests := []struct {
		name                     string
		kind                     ticket.Kind
		category, severity, tier string
		policy                   string
		targets                  []tg
	}{
		{"serious repair", ticket.KindRepair, "boiler", "serious", "general", "repair.serious", []tg{
			{"response", 8 * time.Minute, 10 * time.Minute, "engineering"},
			{"resolution", 2 * time.Hour, 4 * time.Hour, "engineering"}, // custom warn 0.5
		}},
		{"first match wins over vip", ticket.KindRepair, "boiler", "critical", "vip", "repair.serious", []tg{
			{"response", 8 * time.Minute, 10 * time.Minute, "engineering"},
			{"resolution", 2 * time.Hour, 4 * time.Hour, "engineering"},
		}},
		{"minor repair, default warn 0.8", ticket.KindRepair, "valve", "minor", "general", "repair.minor", []tg{
			{"response", 12 * time.Minute, 15 * time.Minute, "engineering"},
			{"resolution", 96 * time.Minute, 2 * time.Hour, "engineering"},
		}},
		{"vip complaint", ticket.KindComplaint, "service", "minor", "vip", "vip", []tg{
			{"response", 4 * time.Minute, 5 * time.Minute, ""},
		}},
		{"invoice correction in 36h, warn 0.9", ticket.KindRequest, "invoice", "minor", "member", "finance.invoice", []tg{
			{"correction", time.Duration(0.9 * float64(36*time.Hour)), 36 * time.Hour, "finance"},
		}},
		{"no policy", ticket.KindComplaint, "noise", "minor", "general", "", nil},
		{"request of another category", ticket.KindRequest, "bill", "minor", "general", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := planned(e, tt.kind, tt.category, tt.severity, tt.tier)
			if tk.Policy != tt.policy {
				t.Fatalf("Policy = %q, want %q", tk.Policy, tt.policy)
			}
			if len(tk.SLA) != len(tt.targets) {
				t.Fatalf("SLA = %+v, want %d targets", tk.SLA, len(tt.targets))
			}
			for i, want := range tt.targets {
				got := tk.SLA[i]
				if got.Name != want.name || !got.WarnAt.Equal(t0.Add(want.warn)) || !got.DueAt.Equal(t0.Add(want.due)) ||
					got.State != ticket.TargetPending || got.Fired != nil || got.Escalation != want.escalation || got.MetAt != nil {
					t.Errorf("target %d = %+v, want %s warn +%s due +%s chain %q pending, nothing fired",
						i, got, want.name, want.warn, want.due, want.escalation)
				}
			}
			if p, ok := e.Select(tk); ok != (tt.policy != "") || p.Name != tt.policy {
				t.Errorf("Select = %q, %v", p.Name, ok)
			}
		})
	}
}

func TestPlanReplacesEarlierPlan(t *testing.T) {
	e := newEngine(t)
	tk := planned(e, ticket.KindRepair, "boiler", "serious", "general")
	tk.Severity, tk.Kind = "minor", ticket.KindComplaint
	if err := e.Plan(tk, t0); err != nil {
		t.Fatal(err)
	}
	if tk.Policy != "" || len(tk.SLA) != 0 {
		t.Fatalf("re-plan without a match kept %q %+v", tk.Policy, tk.SLA)
	}
}

func TestPolicyLookup(t *testing.T) {
	e := newEngine(t)
	p, ok := e.Policy("finance.invoice")
	if !ok || p.Escalation != "finance" || len(p.Targets) != 1 || p.Targets[0].After.Duration != 36*time.Hour {
		t.Fatalf("Policy(finance.invoice) = %+v, %v", p, ok)
	}
	if _, ok := e.Policy("nope"); ok {
		t.Fatal("Policy(nope) found")
	}
	names := []string{}
	for _, p := range e.Policies() {
		names = append(names, p.Name)
	}
	if want := []string{"boundary", "repair.serious", "repair.minor", "vip", "finance.invoice"}; !equal(names, want) {
		t.Fatalf("Policies = %v, want %v", names, want)
	}
}
