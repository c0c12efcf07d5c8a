package api

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// conflict is an error the desk answers for a settled target.
type conflict struct{ msg string }

func (c *conflict) Error() string  { return c.msg }
func (c *conflict) Conflict() bool { return true }

func TestDueEndpoint(t *testing.T) {
	d := &fakeDesk{}
	var got wire.DueRequest
	d.DueFn = func(_ context.Context, q wire.DueRequest) (wire.DueResponse, error) {
		got = q
		switch q.Policy {
		case "repair.nope":
			return wire.DueResponse{}, fmt.Errorf("desk: %w", ticket.Invalid("policy", "unknown policy %q", q.Policy))
		case "finance.voyage_bill":
			return wire.DueResponse{}, ticket.Invalid("event_at", "is required by policy finance.voyage_bill")
		case "":
			return wire.DueResponse{}, nil // no policy selected
		}
		return wire.DueResponse{Policy: q.Policy, Targets: []wire.DueTarget{{
			Name: "resolution", DueAt: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), WarnAt: time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC),
		}}}, nil
	}
	s := startServer(t, d)

	r := s.do(t, "POST", "/api/v1/sla/due", `{"policy":"repair.serious","start":"2026-11-24T17:00:00+08:00",
		"event_at":"2026-11-30T06:00:00Z","pauses":[{"from":"2026-11-24T10:00:00Z","to":"2026-11-24T11:00:00Z"}]}`)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	want := `{"policy":"repair.serious","targets":[{"name":"resolution","due_at":"2026-11-25T10:00:00Z","warn_at":"2026-11-25T08:00:00Z"}]}` + "\n"
	if string(r.body) != want {
		t.Errorf("body\n%s\nwant\n%s", r.body, want)
	}
	if got.Policy != "repair.serious" || !got.Start.Equal(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)) ||
		!got.EventAt.Equal(time.Date(2026, 11, 30, 6, 0, 0, 0, time.UTC)) || len(got.Pauses) != 1 ||
		!got.Pauses[0].From.Equal(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)) ||
		!got.Pauses[0].To.Equal(time.Date(2026, 11, 24, 11, 0, 0, 0, time.UTC)) {
		t.Errorf("desk got %+v", got)
	}

	r = s.do(t, "POST", "/api/v1/sla/due", `{"kind":"repair","category":"valve","severity":"major","tier":"vip","start":"2026-11-24T09:00:00Z"}`)
	if r.status != 200 || got.Kind != "repair" || got.Category != "valve" || got.Severity != "major" || got.Tier != "vip" {
		t.Errorf("by fields: %d %s, desk got %+v", r.status, r.body, got)
	}
	if string(r.body) != `{"policy":"","targets":[]}`+"\n" {
		t.Errorf("no policy selected: %s", r.body)
	}

	for _, c := range []struct {
		name, body string
		status     int
		msg        string
	}{
		{"no start", `{"policy":"repair.minor"}`, 400, "start: is required"},
		{"bad start", `{"policy":"repair.minor","start":"tomorrow 9am"}`, 400, `start: "tomorrow 9am" is not an RFC 3339 time`},
		{"start not a string", `{"policy":"repair.minor","start":9}`, 400, "start: must be"},
		{"bad event_at", `{"policy":"repair.minor","start":"2026-11-24T09:00:00Z","event_at":"2026-11-30"}`, 400, "event_at: "},
		{"bad pause", `{"policy":"repair.minor","start":"2026-11-24T09:00:00Z","pauses":[{"from":"2026-11-24T10:00:00Z","to":"2026-11-24T11:00:00Z"},{"from":"2026-11-24T12:00:00Z","to":"noon"}]}`,
			400, `pauses[1].to: "noon" is not an RFC 3339 time`},
		{"unknown field", `{"policy":"repair.minor","start":"2026-11-24T09:00:00Z","deadline":"x"}`, 400, "deadline: unknown field"},
		{"unknown policy", `{"policy":"repair.nope","start":"2026-11-24T09:00:00Z"}`, 400, `policy: unknown policy "repair.nope"`},
		{"event_at required", `{"policy":"finance.voyage_bill","start":"2026-11-24T09:00:00Z"}`, 400, "event_at: is required by policy finance.voyage_bill"},
		{"wrong method", ``, 405, "not allowed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			method := "POST"
			if c.status == 405 {
				method = "GET"
			}
			r := s.do(t, method, "/api/v1/sla/due", c.body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if e := r.err(t); !strings.Contains(e.Message, c.msg) {
				t.Errorf("message %q, want it to contain %q", e.Message, c.msg)
			}
		})
	}
}

func TestReplanEndpoint(t *testing.T) {
	d := newMemDesk()
	type call struct {
		id, target, reason, actor string
		due                       time.Time
	}
	var calls []call
	d.ReplanFn = func(_ context.Context, id, target string, due time.Time, reason, actor string) (ticket.Ticket, error) {
		calls = append(calls, call{id, target, reason, actor, due})
		switch {
		case id == "T-404":
			return ticket.Ticket{}, fmt.Errorf("desk: update %s: %w", id, store.ErrNotFound)
		case target == "response":
			return ticket.Ticket{}, fmt.Errorf("desk: %w", &conflict{"ticket T-1: target \"response\" is already met"})
		case target == "room_check":
			return ticket.Ticket{}, ticket.Invalid("target", "ticket T-1 has no target %q", target)
		}
		return ticket.Ticket{ID: id, SLA: []ticket.Target{{Name: target, DueAt: due}}}, nil
	}
	s := startServer(t, d)
	r := s.do(t, "POST", "/api/v1/tickets/T-1/replan",
		`{"target":"resolution","due_at":"2026-11-25T18:00:00+08:00","reason":"parts arrive tomorrow"}`, wire.HeaderActor, "Wang Fang")
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var tk ticket.Ticket
	r.decode(t, &tk)
	want := call{"T-1", "resolution", "parts arrive tomorrow", "Wang Fang", time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	if len(calls) != 1 || calls[0].id != want.id || calls[0].target != want.target || calls[0].reason != want.reason ||
		calls[0].actor != want.actor || !calls[0].due.Equal(want.due) || tk.ID != "T-1" {
		t.Errorf("desk calls %+v, answer %+v", calls, tk)
	}

	for _, c := range []struct {
		name, path, body string
		status           int
		code, msg        string
	}{
		{"no target", "/api/v1/tickets/T-1/replan", `{"due_at":"2026-11-25T10:00:00Z","reason":"r"}`, 400, wire.CodeInvalid, "target: is required"},
		{"no due_at", "/api/v1/tickets/T-1/replan", `{"target":"resolution","reason":"r"}`, 400, wire.CodeInvalid, "due_at: is required"},
		{"bad due_at", "/api/v1/tickets/T-1/replan", `{"target":"resolution","due_at":"tomorrow","reason":"r"}`, 400, wire.CodeInvalid, `due_at: "tomorrow" is not an RFC 3339 time`},
		{"unknown target", "/api/v1/tickets/T-1/replan", `{"target":"room_check","due_at":"2026-11-25T10:00:00Z","reason":"r"}`, 400, wire.CodeInvalid, `no target "room_check"`},
		{"met target", "/api/v1/tickets/T-1/replan", `{"target":"response","due_at":"2026-11-25T10:00:00Z","reason":"r"}`, 409, wire.CodeTargetSettled, "already met"},
		{"unknown ticket", "/api/v1/tickets/T-404/replan", `{"target":"resolution","due_at":"2026-11-25T10:00:00Z","reason":"r"}`, 404, wire.CodeNotFound, `ticket "T-404" not found`},
		{"unknown field", "/api/v1/tickets/T-1/replan", `{"target":"resolution","due":"2026-11-25T10:00:00Z"}`, 400, wire.CodeInvalid, "due: unknown field"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := s.do(t, "POST", c.path, c.body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if e := r.err(t); e.Code != c.code || !strings.Contains(e.Message, c.msg) {
				t.Errorf("error %+v, want %s containing %q", e, c.code, c.msg)
			}
		})
	}
}
