package desk_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/sla/slatest"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func span(from, to string) wire.Span { return wire.Span{From: at(from), To: at(to)} }

// TestDue asks the engine through the desk: by policy name, by ticket
// fields, with pauses and event times, and with bad questions.
func TestDue(t *testing.T) {
	e := newPlanEnv(t, planCfg, slatest.NewFakeClock(t0), &fakePlugins{handleTicket: accept("Chen")})
	start := at("2026-11-24T09:00:00Z")
	for _, c := range []struct {
		name   string
		q      wire.DueRequest
		policy string
		want   string // "name due warn; ..." in UTC
		field  string // or a FieldError on this field
	}{
		{name: "by name", q: wire.DueRequest{Policy: "repair.minor", Start: start}, policy: "repair.minor",
			want: "response 09:15 09:12; resolution 11:00 10:36"},
		// repair.minor matches every repair; only a major one gets
		// repair.major, which comes first.
		{name: "by name, policy listing values", q: wire.DueRequest{Policy: "repair.major", Start: start}, policy: "repair.major",
			want: "response 09:15 09:12; resolution 11-25 09:00 11-25 04:12"},
		{name: "by fields", q: wire.DueRequest{Kind: "complaint", Category: "noise", Tier: "vip", Start: start}, policy: "complaint.vip",
			want: "response 09:10 09:08"},
		{name: "by fields, defaults", q: wire.DueRequest{Kind: "complaint", Start: start}, policy: "complaint.standard",
			want: "response 09:30 09:24; resolution 19:00 14:00"},
		{name: "by fields, no policy", q: wire.DueRequest{Kind: "request", Category: "parking", Start: start}, policy: "", want: ""},
		// A pause from 10:00 to 12:30 (after the response) moves the
		// resolution by 2h30m; the response was met by waiting.
		{name: "pause", q: wire.DueRequest{Policy: "complaint.standard", Start: start,
			Pauses: []wire.Span{span("2026-11-24T10:00:00Z", "2026-11-24T12:30:00Z")}}, policy: "complaint.standard",
			want: "response 09:30 09:24; resolution 21:30 16:30"},
		{name: "two pauses", q: wire.DueRequest{Policy: "complaint.standard", Start: start,
			Pauses: []wire.Span{span("2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z"), span("2026-11-24T12:00:00Z", "2026-11-24T12:45:00Z")}},
			policy: "complaint.standard", want: "response 09:30 09:24; resolution 20:45 15:45"},
		{name: "event offset", q: wire.DueRequest{Policy: "finance.voyage_bill", Start: start, EventAt: at("2026-11-30T06:00:00Z")},
			policy: "finance.voyage_bill", want: "resolution 12-07 06:00 12-04 16:12"},

		{name: "no start", q: wire.DueRequest{Policy: "repair.minor"}, field: "start"},
		{name: "unknown policy", q: wire.DueRequest{Policy: "repair.nope", Start: start}, field: "policy"},
		{name: "policy and fields", q: wire.DueRequest{Policy: "repair.minor", Kind: "repair", Start: start}, field: "policy"},
		{name: "neither", q: wire.DueRequest{Start: start}, field: "policy"},
		{name: "fields without kind", q: wire.DueRequest{Category: "valve", Start: start}, field: "kind"},
		{name: "unknown kind", q: wire.DueRequest{Kind: "praise", Start: start}, field: "kind"},
		{name: "unknown severity", q: wire.DueRequest{Kind: "repair", Severity: "apocalyptic", Start: start}, field: "severity"},
		{name: "unknown tier", q: wire.DueRequest{Kind: "repair", Tier: "gold", Start: start}, field: "tier"},
		{name: "event_at missing", q: wire.DueRequest{Policy: "finance.voyage_bill", Start: start}, field: "event_at"},
		{name: "pause before start", q: wire.DueRequest{Policy: "repair.minor", Start: start,
			Pauses: []wire.Span{span("2026-11-24T08:00:00Z", "2026-11-24T10:00:00Z")}}, field: "pauses[0].from"},
		{name: "pause ends before it begins", q: wire.DueRequest{Policy: "repair.minor", Start: start,
			Pauses: []wire.Span{span("2026-11-24T10:00:00Z", "2026-11-24T10:00:00Z")}}, field: "pauses[0].to"},
		{name: "pauses overlap", q: wire.DueRequest{Policy: "repair.minor", Start: start,
			Pauses: []wire.Span{span("2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z"), span("2026-11-24T10:30:00Z", "2026-11-24T12:00:00Z")}},
			field: "pauses[1].from"},
		{name: "pause without end", q: wire.DueRequest{Policy: "repair.minor", Start: start,
			Pauses: []wire.Span{{From: at("2026-11-24T10:00:00Z")}}}, field: "pauses[0].to"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := e.desk.Due(context.Background(), c.q)
			if c.field != "" {
				var fe *ticket.FieldError
				if !errors.As(err, &fe) || fe.Field != c.field {
					t.Errorf("err = %v, want a FieldError on %s", err, c.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Policy != c.policy || got.Targets == nil {
				t.Errorf("policy %q (targets %v), want %q", got.Policy, got.Targets, c.policy)
			}
			if s := describeDue(got); s != c.want {
				t.Errorf("targets\n got %s\nwant %s", s, c.want)
			}
		})
	}
	// Asking creates nothing.
	page, _ := e.desk.List(context.Background(), store.Filter{})
	if len(page.Tickets) != 0 {
		t.Errorf("Due stored %d tickets", len(page.Tickets))
	}
}

// describeDue writes targets as "name due warn; ...", with times as
// 15:04 on 2026-11-24 and 01-02 15:04 on other days.
func describeDue(r wire.DueResponse) string {
	f := func(t time.Time) string {
		t = t.UTC()
		if t.Format("2006-01-02") == "2026-11-24" {
			return t.Format("15:04")
		}
		return t.Format("01-02 15:04")
	}
	s := ""
	for i, tg := range r.Targets {
		if i > 0 {
			s += "; "
		}
		s += fmt.Sprintf("%s %s %s", tg.Name, f(tg.DueAt), f(tg.WarnAt))
	}
	return s
}
