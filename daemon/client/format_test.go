package client_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

func TestRelative(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "now"},
		{500 * time.Millisecond, "now"},
		{45 * time.Second, "in 45s"},
		{14*time.Minute + 59*time.Second, "in 14m"},
		{-3 * time.Minute, "3m ago"},
		{2*time.Hour + 5*time.Minute, "in 2h05m"},
		{-(26 * time.Hour), "1d2h ago"},
		{3*24*time.Hour + 4*time.Hour + 59*time.Minute, "in 3d4h"},
	}
	for _, tt := range tests {
		if got := client.Relative(now.Add(tt.d), now); got != tt.want {
			t.Errorf("Relative(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestNextDue(t *testing.T) {
	tk := ticket.Ticket{SLA: []ticket.Target{
		{Name: "resolution", DueAt: now.Add(8 * time.Hour), State: ticket.TargetPending},
		{Name: "response", DueAt: now.Add(time.Minute), State: ticket.TargetMet},
		{Name: "handover", DueAt: now.Add(-time.Minute), State: ticket.TargetBreached},
	}}
	if got := client.NextDue(tk); got == nil || got.Name != "handover" {
		t.Errorf("NextDue = %+v, want the breached handover", got)
	}
	tk.SLA = tk.SLA[1:2]
	if got := client.NextDue(tk); got != nil {
		t.Errorf("NextDue with every target met = %+v", got)
	}
}

func TestEventSummary(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	ev := func(typ string, data any) ticket.Event { return ticket.NewEvent(typ, "x", now, data) }
	tests := []struct {
		name string
		ev   ticket.Event
		want string
	}{
		{"no data", ev(ticket.EventNote, nil), ""},
		{"status", ev(ticket.EventStatus, ticket.StatusData{From: "new", To: "dispatched", Note: "to Zhang"}), "new → dispatched: to Zhang"},
		{"status no note", ev(ticket.EventStatus, ticket.StatusData{From: "waiting", To: "in_progress"}), "waiting → in_progress"},
		{"breach, local time", ev(ticket.EventSLABreached, ticket.SLAData{Target: "response", DueAt: now}), "response (due 18:00:00)"},
		{"warning, another day", ev(ticket.EventSLAWarning, ticket.SLAData{Target: "resolution", DueAt: now.Add(24 * time.Hour)}), "resolution (due 2026-11-25 18:00)"},
		{"escalated to people", ev(ticket.EventEscalated, ticket.EscalationData{Target: "resolution", Level: 2, Name: "project manager",
			Roles: []string{"pm"}, People: []string{"Zhao Min"}, Reason: "breach"}), "resolution level 2 project manager → Zhao Min (breach)"},
		{"escalated to roles", ev(ticket.EventEscalated, ticket.EscalationData{Target: "response", Level: 1, Roles: []string{"pm", "gm"}}), "response level 1 → pm, gm"},
		{"assigned", ev(ticket.EventAssigned, map[string]string{"from": "", "to": "Li Wei"}), "→ Li Wei"},
		{"reassigned", ev(ticket.EventAssigned, map[string]string{"from": "Li Wei", "to": "Zhang San"}), "Li Wei → Zhang San"},
		{"routed", ev(ticket.EventRouted, map[string]any{"department": "engineering", "rule": 1}), "→ engineering"},
		{"created", ev(ticket.EventCreated, map[string]any{"kind": "repair", "category": "valve", "severity": "minor", "policy": "p"}), "repair/valve, minor, policy p"},
		{"generic", ev("plugin.custom", map[string]any{"b": 2, "a": "x", "c": []int{1}}), "a=x b=2 c=[1]"},
		{"not an object", ticket.Event{Type: "odd", Data: json.RawMessage(`[1,2]`)}, "[1,2]"},
		{"malformed status falls back", ticket.Event{Type: ticket.EventStatus, Data: json.RawMessage(`{"to":5}`)}, "to=5"},
	}
	for _, tt := range tests {
		if got := client.EventSummary(tt.ev, cst); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	long := ev("x", map[string]string{"k": string(make([]byte, 200))})
	if got := client.EventSummary(long, cst); len([]rune(got)) != 80 {
		t.Errorf("long summary has %d runes, want 80", len([]rune(got)))
	}
}
