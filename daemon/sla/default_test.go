package sla_test

import (
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/escalate"
	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// The repository's config.toml builds an engine as the agent does, and its
// named policies plan as the issue says.
func TestDefaultConfig(t *testing.T) {
	cfg, err := config.Load("../../config.toml")
	if err != nil {
		t.Fatal(err)
	}
	cals, err := cfg.BuildCalendars()
	if err != nil {
		t.Fatal(err)
	}
	esc, err := escalate.New(cfg.Escalations, cfg.Roles)
	if err != nil {
		t.Fatal(err)
	}
	e, err := sla.New(cfg.Policies, esc, sla.WithCalendars(cals), sla.WithRoles(cfg.Roles), sla.WithChains(cfg.Escalations))
	if err != nil {
		t.Fatal(err)
	}
	arrival := utc("2026-03-03 15:00")
	tests := []struct {
		policy  string
		start   time.Time
		target  string
		due     time.Time
		eventAt *time.Time
	}{
		{"repair.minor", sh("2026-03-02 22:50"), "resolution", sh("2026-03-03 08:50"), nil},
		{"repair.serious", sh("2026-03-02 14:01"), "resolution", sh("2026-03-03 18:00"), nil},
		{"repair.major", sh("2026-03-02 10:00"), "resolution", sh("2026-03-03 18:00"), nil},
		{"finance.invoice_correction", utc("2026-03-02 08:00"), "resolution", utc("2026-03-03 20:00"), nil},
		{"finance.monthly_bill", sh("2026-12-15 09:00"), "resolution", sh("2027-01-10 00:00"), nil},
		{"finance.voyage_bill", utc("2026-03-02 08:00"), "resolution", utc("2026-03-12 12:00"), ptr(utc("2026-03-05 12:00"))},
		{"tally.handover", utc("2026-03-02 08:00"), "resolution", utc("2026-03-02 08:30"), ptr(utc("2026-03-02 07:30"))},
		{"tally.customer_query", be("2026-03-27 16:00"), "response", be("2026-03-30 09:00"), nil},
		{"tally.customer_query", be("2026-03-27 16:00"), "resolution", be("2026-03-31 17:00"), nil},
		{"complaint.standard", sh("2026-09-30 17:45"), "resolution", sh("2026-10-10 18:00"), nil},
		{"complaint.vip", sh("2026-03-02 11:55"), "response", sh("2026-03-02 13:35"), nil},
		{"emergency.consult", utc("2026-03-02 08:00"), "response", utc("2026-03-02 08:10"), nil},
		{"reception.vip", utc("2026-03-02 08:00"), "room_check", utc("2026-03-03 13:00"), &arrival},
	}
	for _, tt := range tests {
		tk := &ticket.Ticket{EventAt: tt.eventAt}
		if err := e.PlanPolicy(tk, tt.policy, tt.start); err != nil {
			t.Errorf("%s: %v", tt.policy, err)
			continue
		}
		tg := tk.Target(tt.target)
		if tg == nil {
			t.Errorf("%s has no %s target", tt.policy, tt.target)
			continue
		}
		if !tg.DueAt.Equal(tt.due) {
			t.Errorf("%s %s from %s: due %s, want %s", tt.policy, tt.target, tt.start, tg.DueAt, tt.due)
		}
	}
}
