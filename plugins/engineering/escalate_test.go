package engineering_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/plugins/engineering"
	"github.com/switchboard-desk/switchboard/sdk"
)

func TestEscalation(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	// 15:30 in Shanghai on 10 March: the next day's noon is 11 March 12:00.
	at := time.Date(2026, 3, 10, 15, 30, 0, 0, shanghai)
	nextNoon := time.Date(2026, 3, 11, 12, 0, 0, 0, shanghai)
	breach := func(target string) json.RawMessage {
		return json.RawMessage(`{"target": "` + target + `", "due_at": "2026-03-10T10:00:00Z"}`)
	}
	note := func(text string) json.RawMessage { return json.RawMessage(`{"note": "` + text + `"}`) }

	tests := []struct {
		name       string
		severity   string
		typ        string
		actor      string
		data       json.RawMessage
		wantReason string // "" means no escalation
		wantReplan bool
	}{
		{"major, technician cannot fix", "major", "ticket.note_added", "agent:li-si", note("cannot fix: compressor burnt out, part on order"),
			"agent:li-si reports: cannot fix: compressor burnt out", true},
		{"critical, Cannot fix in capitals", "critical", "ticket.note_added", "agent:li-si", note("Cannot fix today"), "Cannot fix today", true},
		{"serious, cannot fix: escalated, not re-planned", "serious", "ticket.note_added", "agent:li-si", note("cannot fix the valve"), "cannot fix the valve", false},
		{"major, resolution breached", "major", "sla.breached", "system", breach("resolution"), "resolution target breached (due 2026-03-10 18:00 CST)", true},
		{"critical, response breached: escalated, not re-planned", "critical", "sla.breached", "system", breach("response"), "response target breached", false},
		{"minor, resolution breached", "minor", "sla.breached", "system", breach("resolution"), "resolution target breached", false},
		{"major, reported with a transition to waiting", "major", "ticket.status_changed", "agent:li-si",
			json.RawMessage(`{"from": "in_progress", "to": "waiting", "note": "cannot fix: waiting for a pump"}`), "cannot fix: waiting for a pump", true},
		{"a transition without a report", "major", "ticket.status_changed", "agent:li-si",
			json.RawMessage(`{"from": "acknowledged", "to": "in_progress", "note": "on site"}`), "", false},
		{"an ordinary note", "major", "ticket.note_added", "agent:li-si", note("on my way, cannot fix before noon maybe"), "", false},
		{"the plugin's own note", "major", "ticket.note_added", "plugin:engineering", note("cannot fix"), "", false},
		{"a warning", "major", "sla.warning", "system", breach("resolution"), "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// A breach escalates only with escalate_on_breach on (the
			// desk's chain escalates at breach by default).
			c, h := run(t, strings.Replace(roster, "{", `{"escalate_on_breach": true,`, 1))
			ticket := sdk.Ticket{ID: "R-1", Kind: "repair", Severity: tc.severity, Location: "north-campus/dorm-3",
				Status: "in_progress", Department: dept, Assignee: "Li Si", Version: 7}
			h.Put(ticket)
			ev := sdk.Event{ID: "R-1/7", TicketID: "R-1", Type: tc.typ, Actor: tc.actor, At: at, Data: tc.data, Ticket: ticket}
			// Delivered twice: handled once.
			for i := 0; i < 2; i++ {
				if err := c.HandleEvent(context.Background(), ev); err != nil {
					t.Fatal(err)
				}
			}
			escalations, replans := callsOf(h, "Escalate"), callsOf(h, "Replan")
			if tc.wantReason == "" {
				if len(escalations)+len(replans) != 0 {
					t.Errorf("unexpected escalation %+v or re-plan %+v", escalations, replans)
				}
				return
			}
			if len(escalations) != 1 || escalations[0].Err != nil || !strings.Contains(escalations[0].Reason, tc.wantReason) {
				t.Errorf("escalations = %+v, want one with %q in the reason", escalations, tc.wantReason)
			}
			if !tc.wantReplan {
				if len(replans) != 0 {
					t.Errorf("re-planned: %+v", replans)
				}
				return
			}
			if len(replans) != 1 {
				t.Fatalf("re-plans = %+v, want exactly one", replans)
			}
			r := replans[0]
			if r.Target != "resolution" || !r.PlannedAt.Equal(nextNoon) || r.Reason != engineering.ReplanReason || r.Err != nil {
				t.Errorf("re-plan = %+v, want resolution at %v with reason %q", r, nextNoon, engineering.ReplanReason)
			}
		})
	}
}

func TestEscalationRetriedWhenHostFails(t *testing.T) {
	c, h := run(t, roster)
	// The ticket is unknown to the host: a refusal, not retried, and no
	// error back to the daemon (it would redeliver forever).
	ev := sdk.Event{ID: "R-9/3", TicketID: "R-9", Type: "ticket.note_added", Actor: "agent:x", At: time.Now(),
		Data:   json.RawMessage(`{"note": "cannot fix"}`),
		Ticket: sdk.Ticket{ID: "R-9", Kind: "repair", Severity: "major", Status: "in_progress", Department: dept}}
	if err := c.HandleEvent(context.Background(), ev); err != nil {
		t.Errorf("a refused escalation returned %v", err)
	}
	if calls := callsOf(h, "Escalate"); len(calls) != 1 || sdk.HostErrorCodeOf(calls[0].Err) != sdk.HostNotFound {
		t.Errorf("calls = %+v", calls)
	}
}

func TestNextDayNoon(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	tests := []struct {
		at   time.Time
		loc  *time.Location
		want time.Time
	}{
		{time.Date(2026, 3, 10, 15, 30, 0, 0, shanghai), shanghai, time.Date(2026, 3, 11, 12, 0, 0, 0, shanghai)},
		// 16:30 UTC is already 00:30 on the 11th in Shanghai.
		{time.Date(2026, 3, 10, 16, 30, 0, 0, time.UTC), shanghai, time.Date(2026, 3, 12, 12, 0, 0, 0, shanghai)},
		{time.Date(2026, 12, 31, 9, 0, 0, 0, shanghai), shanghai, time.Date(2027, 1, 1, 12, 0, 0, 0, shanghai)},
		// The night clocks go forward in Berlin: still noon local.
		{time.Date(2026, 3, 28, 22, 0, 0, 0, berlin), berlin, time.Date(2026, 3, 29, 12, 0, 0, 0, berlin)},
	}
	for _, tc := range tests {
		if got := engineering.NextDayNoon(tc.at, tc.loc); !got.Equal(tc.want) {
			t.Errorf("NextDayNoon(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
}

func TestEscalateOnBreachOff(t *testing.T) {
	c, h := run(t, `{}`) // off by default
	ticket := sdk.Ticket{ID: "R-2", Kind: "repair", Severity: "major", Status: "in_progress", Department: dept}
	h.Put(ticket)
	ctx := context.Background()
	breach := sdk.Event{ID: "R-2/4", TicketID: "R-2", Type: "sla.breached", Actor: "system", At: time.Now(),
		Data: json.RawMessage(`{"target": "resolution"}`), Ticket: ticket}
	if err := c.HandleEvent(ctx, breach); err != nil {
		t.Fatal(err)
	}
	if calls := h.Calls(); len(calls) != 0 {
		t.Errorf("a breach with escalate_on_breach off made calls: %+v", calls)
	}
	cannot := sdk.Event{ID: "R-2/5", TicketID: "R-2", Type: "ticket.note_added", Actor: "agent:x", At: time.Now(),
		Data: json.RawMessage(`{"note": "cannot fix"}`), Ticket: ticket}
	if err := c.HandleEvent(ctx, cannot); err != nil {
		t.Fatal(err)
	}
	if len(callsOf(h, "Escalate")) != 1 || len(callsOf(h, "Replan")) != 1 {
		t.Errorf("a technician's report must still escalate and re-plan: %+v", h.Calls())
	}
}
