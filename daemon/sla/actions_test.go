package sla_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/escalate"
	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// withActions gives the engineering chain's breach level (company
// engineering department) a reassignment and a severity raise.
func withActions(c *config.Config) {
	for i := range c.Escalations {
		if c.Escalations[i].Name == "engineering" {
			c.Escalations[i].Levels[2].Reassign = "engineering_department"
			c.Escalations[i].Levels[2].RaiseSeverity = true
		}
	}
}

func TestLevelActions(t *testing.T) {
	e := issueEngine(t, nil, withActions)
	start := sh("2026-03-02 10:00")
	// repair.minor on campus: response due 10:15.
	breach := sh("2026-03-02 10:15")
	tests := []struct {
		name               string
		severity, assignee string
		wantTypes          []string
		wantSeverity       string
		wantAssignee       string
		wantData           []map[string]string // data of the action events
	}{
		{"reassign and raise", "minor", "Li Wei",
			[]string{ticket.EventSLABreached, ticket.EventEscalated, ticket.EventAssigned, ticket.EventNote},
			"serious", "Liu Yang", []map[string]string{
				{"from": "Li Wei", "to": "Liu Yang"},
				{"field": "severity", "from": "minor", "to": "serious"},
			}},
		{"unassigned ticket", "major", "",
			[]string{ticket.EventSLABreached, ticket.EventEscalated, ticket.EventAssigned, ticket.EventNote},
			"critical", "Liu Yang", []map[string]string{
				{"to": "Liu Yang"},
				{"field": "severity", "from": "major", "to": "critical"},
			}},
		{"already theirs, already critical", "critical", "Liu Yang",
			[]string{ticket.EventSLABreached, ticket.EventEscalated}, "critical", "Liu Yang", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := minorRepair.ticket()
			if err := e.PlanPolicy(tk, "repair.minor", start); err != nil {
				t.Fatal(err)
			}
			tk.Severity, tk.Assignee = tt.severity, tt.assignee
			tk.SLA = tk.SLA[:1] // the response target only
			e.Fire(tk, breach.Add(-time.Nanosecond))
			evs := e.Fire(tk, breach)
			if got := types(evs); strings.Join(got, ",") != strings.Join(tt.wantTypes, ",") {
				t.Fatalf("events %v, want %v", got, tt.wantTypes)
			}
			if tk.Severity != tt.wantSeverity || tk.Assignee != tt.wantAssignee {
				t.Fatalf("severity %q assignee %q, want %q %q", tk.Severity, tk.Assignee, tt.wantSeverity, tt.wantAssignee)
			}
			for i, want := range tt.wantData {
				ev := evs[2+i]
				var got map[string]string
				if err := json.Unmarshal(ev.Data, &got); err != nil {
					t.Fatal(err)
				}
				for k, v := range want {
					if got[k] != v {
						t.Errorf("%s data %v: %s = %q, want %q", ev.Type, got, k, got[k], v)
					}
				}
				if _, ok := want["from"]; !ok && ev.Type == ticket.EventAssigned {
					if _, has := got["from"]; has {
						t.Errorf("assigned from nobody has from %q", got["from"])
					}
				}
				if !strings.Contains(got["note"], "company engineering department") || ev.Actor != sla.Actor || !ev.At.Equal(breach) {
					t.Errorf("%s: note %q actor %q at %s", ev.Type, got["note"], ev.Actor, ev.At)
				}
			}
			if evs := e.Fire(tk, breach.Add(time.Minute)); len(evs) != 0 {
				t.Fatalf("fired again: %v", types(evs))
			}
			if tk.Policy != "repair.minor" {
				t.Fatalf("policy changed to %q", tk.Policy)
			}
		})
	}
}

func TestNewValidation(t *testing.T) {
	dur := func(s string) config.Duration {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatal(err)
		}
		return config.Duration{Duration: d}
	}
	off := dur("-2h")
	tests := []struct {
		name string
		edit func(*config.Config)
		want string
	}{
		{"the desk", nil, ""},
		{"unknown calendar", func(c *config.Config) { c.Policies[0].Calendar = "campsu" },
			`sla: policy "repair.minor": unknown calendar "campsu"`},
		{"unknown stakeholder role", func(c *config.Config) { c.Policies[2].Stakeholders = []string{"school", "parents"} },
			`sla: policy "repair.major": stakeholder role "parents" is not in [roles]`},
		{"reassign to an unknown role", func(c *config.Config) { c.Escalations[0].Levels[1].Reassign = "boss" },
			`sla: escalation "engineering" level 2: reassign names role "boss"`},
		{"two kinds", func(c *config.Config) { c.Policies[0].Targets[1].BusinessDays = 2 },
			`sla: policy "repair.minor" target "resolution": sets [after business_days]: set exactly one of them`},
		{"no kind", func(c *config.Config) { c.Policies[0].Targets[1] = config.Target{Name: "resolution"} },
			`target "resolution": says not when it is due`},
		{"clock with same_day", func(c *config.Config) { c.Policies[1].Targets[1].Clock = "calendar" },
			`policy "repair.serious" target "resolution": clock = "calendar" is only for after`},
		{"bad clock", func(c *config.Config) { c.Policies[0].Targets[0].Clock = "wall" },
			`target "response": clock = "wall", want "business" or "calendar"`},
		{"bad same_day at", func(c *config.Config) { c.Policies[1].Targets[1].SameDay.At = "6pm" },
			`same_day.at: time "6pm"`},
		{"cutoff after at", func(c *config.Config) { c.Policies[1].Targets[1].SameDay.Cutoff = "19:00" },
			`same_day.cutoff 19:00 is after same_day.at 18:00`},
		{"bad next_business_day", func(c *config.Config) { c.Policies[2].Targets[1].NextBusinessDay = "25:00" },
			`policy "repair.major" target "resolution": next_business_day:`},
		{"negative business_days", func(c *config.Config) { c.Policies[7].Targets[1].BusinessDays = -1 },
			`business_days = -1, want 1 or more`},
		{"day_of_month 32", func(c *config.Config) { c.Policies[4].Targets[0].DayOfMonth = 32 },
			`day_of_month = 32, want 1 to 31`},
		{"negative after", func(c *config.Config) { c.Policies[0].Targets[0].After = dur("-5m") },
			`after = -5m0s, want a positive duration`},
		{"negative event_offset is fine", func(c *config.Config) { c.Policies[6].Targets[0].EventOffset = &off }, ""},
		{"warn above 1", func(c *config.Config) { c.Policies[0].Targets[0].Warn = 1.5 },
			`warn = 1.5, want a fraction between 0 and 1`},
	}
	cals := deskCalendars(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := issue4(t)
			if tt.edit != nil {
				tt.edit(&c)
			}
			esc, err := escalate.New(c.Escalations, c.Roles)
			if err != nil {
				t.Fatal(err)
			}
			e, err := sla.New(c.Policies, esc, sla.WithCalendars(cals), sla.WithRoles(c.Roles), sla.WithChains(c.Escalations))
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

// Without WithCalendars only "always" is known; a policy naming another
// calendar is refused.
func TestNewWithoutCalendars(t *testing.T) {
	c := issue4(t)
	esc, err := escalate.New(c.Escalations, c.Roles)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sla.New(c.Policies, esc, sla.WithRoles(c.Roles)); err == nil ||
		!strings.Contains(err.Error(), `policy "repair.minor": unknown calendar "campus"`) {
		t.Fatalf("New: %v", err)
	}
}
