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

func TestMeetTargetEndpoint(t *testing.T) {
	d := newMemDesk()
	type call struct{ id, target, note, actor string }
	var calls []call
	d.MeetTargetFn = func(_ context.Context, id, target, note, actor string) (ticket.Ticket, error) {
		calls = append(calls, call{id, target, note, actor})
		switch {
		case id == "T-404":
			return ticket.Ticket{}, fmt.Errorf("desk: update %s: %w", id, store.ErrNotFound)
		case target == "response":
			return ticket.Ticket{}, fmt.Errorf("desk: %w", &conflict{`ticket T-1: target "response" is already met at 2026-11-24T09:10:00Z`})
		case target == "room_clean":
			return ticket.Ticket{}, ticket.Invalid("target", "ticket T-1 has no target %q (targets: route_check, room_check, room_open)", target)
		}
		at := time.Date(2026, 11, 24, 9, 10, 0, 0, time.UTC)
		return ticket.Ticket{ID: id, SLA: []ticket.Target{{Name: target, State: ticket.TargetMet, MetAt: &at}}}, nil
	}
	s := startServer(t, d)

	for _, c := range []struct {
		name, body string
		want       call
	}{
		{"with a note", `{"note":"room 1208 checked"}`, call{"T-1", "room_check", "room 1208 checked", "Wang Fang"}},
		{"empty body", ``, call{"T-1", "room_check", "", "Wang Fang"}},
		{"empty object", `{}`, call{"T-1", "room_check", "", "Wang Fang"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			calls = nil
			r := s.do(t, "POST", "/api/v1/tickets/T-1/targets/room_check/met", c.body, wire.HeaderActor, "Wang Fang")
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var tk ticket.Ticket
			r.decode(t, &tk)
			if len(calls) != 1 || calls[0] != c.want {
				t.Errorf("desk calls %+v, want %+v", calls, c.want)
			}
			if tg := tk.Target("room_check"); tk.ID != "T-1" || tg == nil || tg.State != ticket.TargetMet || tg.MetAt == nil {
				t.Errorf("answer %+v", tk)
			}
		})
	}

	for _, c := range []struct {
		name, path, body string
		status           int
		code, msg        string
	}{
		{"unknown target", "/api/v1/tickets/T-1/targets/room_clean/met", ``, 400, wire.CodeInvalid, "targets: route_check, room_check, room_open"},
		{"met target", "/api/v1/tickets/T-1/targets/response/met", ``, 409, wire.CodeTargetSettled, "already met at"},
		{"unknown ticket", "/api/v1/tickets/T-404/targets/room_check/met", ``, 404, wire.CodeNotFound, `ticket "T-404" not found`},
		{"unknown field", "/api/v1/tickets/T-1/targets/room_check/met", `{"notes":"x"}`, 400, wire.CodeInvalid, "notes: unknown field"},
		{"not an object", "/api/v1/tickets/T-1/targets/room_check/met", `"x"`, 400, wire.CodeInvalid, "must be a JSON object"},
		{"trailing data", "/api/v1/tickets/T-1/targets/room_check/met", `{} {}`, 400, wire.CodeInvalid, "unexpected data after the JSON object"},
		{"note not a string", "/api/v1/tickets/T-1/targets/room_check/met", `{"note":3}`, 400, wire.CodeInvalid, "note: must be"},
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
	if r := s.do(t, "GET", "/api/v1/tickets/T-1/targets/room_check/met", ""); r.status != 405 {
		t.Errorf("GET: status %d, want 405", r.status)
	}
}
