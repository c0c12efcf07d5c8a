package api

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

const validTicket = `{"kind":"repair","category":"hot_water","severity":"serious","tier":"vip",
	"title":"  no hot water in dorm 7  ","description":"machine down",
	"reporter":{"name":"Li Lei","contact":"138-0000"},"location":"Dorm 7","asset":"HW-7-1",
	"fields":{"floor":"3"},"event_at":"2026-03-01T18:00:00+08:00"}`

func TestCreateTicket(t *testing.T) {
	d := newMemDesk()
	var got ticket.Ticket
	create := d.CreateFn
	d.CreateFn = func(ctx context.Context, tk ticket.Ticket, key, actor string) (ticket.Ticket, bool, error) {
		got = tk
		return create(ctx, tk, key, actor)
	}
	s := startServer(t, d)
	r := s.do(t, "POST", "/api/v1/tickets", validTicket, wire.HeaderActor, "  Wang Fang  ")
	if r.status != 201 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var tk ticket.Ticket
	r.decode(t, &tk)
	if tk.ID != "T-1" || tk.Status != ticket.StatusNew || tk.Title != "no hot water in dorm 7" {
		t.Errorf("ticket %+v", tk)
	}
	if loc := r.header.Get("Location"); loc != "/api/v1/tickets/T-1" {
		t.Errorf("Location %q", loc)
	}
	if r.header.Get(wire.HeaderReplayed) != "" {
		t.Error("a new ticket is marked replayed")
	}
	// Every intake field reaches the desk as sent (the desk normalises).
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	if got.Kind != ticket.KindRepair || got.Category != "hot_water" || got.Severity != "serious" ||
		got.Tier != "vip" || got.Title != "  no hot water in dorm 7  " || got.Description != "machine down" ||
		got.Reporter != (ticket.Reporter{Name: "Li Lei", Contact: "138-0000"}) || got.Location != "Dorm 7" ||
		got.Asset != "HW-7-1" || got.Fields["floor"] != "3" || got.EventAt == nil || !got.EventAt.Equal(at) {
		t.Errorf("desk got %+v", got)
	}
	if d.actors[0] != "Wang Fang" {
		t.Errorf("actor %q", d.actors[0])
	}
	s.do(t, "POST", "/api/v1/tickets", validTicket)
	if d.actors[1] != "api" {
		t.Errorf("default actor %q", d.actors[1])
	}
}

func TestCreateIdempotentReplay(t *testing.T) {
	d := newMemDesk()
	var keys []string
	create := d.CreateFn
	d.CreateFn = func(ctx context.Context, tk ticket.Ticket, key, actor string) (ticket.Ticket, bool, error) {
		keys = append(keys, key)
		return create(ctx, tk, key, actor)
	}
	s := startServer(t, d)
	first := s.do(t, "POST", "/api/v1/tickets", validTicket, wire.HeaderIdempotencyKey, "call-0042")
	again := s.do(t, "POST", "/api/v1/tickets", validTicket, wire.HeaderIdempotencyKey, "call-0042")
	other := s.do(t, "POST", "/api/v1/tickets", validTicket, wire.HeaderIdempotencyKey, "call-0043")
	if first.status != 201 || again.status != 200 || other.status != 201 {
		t.Fatalf("statuses %d %d %d", first.status, again.status, other.status)
	}
	if again.header.Get(wire.HeaderReplayed) != "true" {
		t.Errorf("replay header %q", again.header.Get(wire.HeaderReplayed))
	}
	var a, b ticket.Ticket
	first.decode(t, &a)
	again.decode(t, &b)
	if a.ID != b.ID {
		t.Errorf("replay returned %s, first %s", b.ID, a.ID)
	}
	// No header, or an empty one, means no key.
	s.do(t, "POST", "/api/v1/tickets", validTicket)
	s.do(t, "POST", "/api/v1/tickets", validTicket, wire.HeaderIdempotencyKey, "   ")
	if want := []string{"call-0042", "call-0042", "call-0043", "", ""}; fmt.Sprint(keys) != fmt.Sprint(want) {
		t.Errorf("keys %q, want %q", keys, want)
	}
}

// TestCreateIdempotencyKeyReused: the same key with another submission is
// a 422 naming the key and the first ticket, and creates nothing.
func TestCreateIdempotencyKeyReused(t *testing.T) {
	d := newMemDesk()
	s := startServer(t, d)
	first := s.do(t, "POST", "/api/v1/tickets", validTicket, wire.HeaderIdempotencyKey, "k1")
	if first.status != 201 {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	other := strings.Replace(validTicket, "machine down", "machine on fire", 1)
	for _, key := range []string{"k1", "  k1 "} {
		r := s.do(t, "POST", "/api/v1/tickets", other, wire.HeaderIdempotencyKey, key)
		if r.status != 422 {
			t.Fatalf("key %q, another body: status %d, want 422: %s", key, r.status, r.body)
		}
		e := r.err(t)
		if want := `Idempotency-Key "k1" was already used for T-1 with a different request`; e.Code != wire.CodeIdempotencyReused || e.Message != want {
			t.Errorf("error %+v, want %s %q", e, wire.CodeIdempotencyReused, want)
		}
		if r.header.Get(wire.HeaderReplayed) != "" || r.header.Get("Location") != "" {
			t.Errorf("a refusal has Replayed %q, Location %q", r.header.Get(wire.HeaderReplayed), r.header.Get("Location"))
		}
	}
	if len(d.tickets) != 1 {
		t.Errorf("%d tickets after the refusals, want 1", len(d.tickets))
	}
	// The original submission still replays; a new key still creates.
	if r := s.do(t, "POST", "/api/v1/tickets", validTicket, wire.HeaderIdempotencyKey, "k1"); r.status != 200 || r.header.Get(wire.HeaderReplayed) != "true" {
		t.Errorf("replay after a refusal: %d %s", r.status, r.body)
	}
	if r := s.do(t, "POST", "/api/v1/tickets", other, wire.HeaderIdempotencyKey, "k2"); r.status != 201 {
		t.Errorf("another key: %d %s", r.status, r.body)
	}
	// The longest key allowed is named in full.
	long := strings.Repeat("k", MaxIdempotencyKey)
	s.do(t, "POST", "/api/v1/tickets", validTicket, wire.HeaderIdempotencyKey, long)
	if r := s.do(t, "POST", "/api/v1/tickets", other, wire.HeaderIdempotencyKey, long); r.status != 422 || !strings.Contains(r.err(t).Message, `"`+long+`"`) {
		t.Errorf("long key reused: %d %s", r.status, r.body)
	}
	if got := s.metric(t, "switchboard_tickets_created_total"); !strings.HasSuffix(got, " 3") {
		t.Errorf("created counter: %q, want 3", got)
	}
	if !strings.Contains(s.metric(t, "switchboard_http_requests_total"), `switchboard_http_requests_total{code="422",route="POST /api/v1/tickets"} 3`) {
		t.Error("the refusals are not counted as 422")
	}
}

func TestCreateBadInput(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		header []string
		want   string // in the message
	}{
		{"unknown field", `{"kind":"repair","colour":"red"}`, nil, "colour: unknown field"},
		{"unknown reporter field", `{"kind":"repair","reporter":{"name":"a","age":3}}`, nil, "age: unknown field"},
		{"server field id", `{"kind":"repair","id":"T-9"}`, nil, "id: is set by the server"},
		{"server field status", `{"status":"closed"}`, nil, "status: is set by the server"},
		{"server field department", `{"department":"finance"}`, nil, "department: is set by the server"},
		{"server field assignee", `{"assignee":"me"}`, nil, "assignee: is set by the server"},
		{"server field sla", `{"sla":[]}`, nil, "sla: is set by the server"},
		{"server field created_at", `{"created_at":"2026-01-01T00:00:00Z"}`, nil, "created_at: is set by the server"},
		{"malformed", `{"kind": repair}`, nil, "malformed JSON at byte offset 10"},
		{"truncated", `{"kind": "repair"`, nil, "malformed JSON"},
		{"empty body", ``, nil, "request body is empty"},
		{"trailing object", `{"kind":"repair"} {"kind":"request"}`, nil, "unexpected data after the JSON object"},
		{"trailing garbage", `{"kind":"repair"}x`, nil, "unexpected data after the JSON object, which ends at byte offset 17"},
		{"array", `[{"kind":"repair"}]`, nil, "must be a JSON object"},
		{"wrong type", `{"kind":"repair","title":5}`, nil, "title: must be a string"},
		{"wrong fields type", `{"fields":{"a":1}}`, nil, "fields: must be an object whose values are strings"},
		{"bad event_at", `{"event_at":"tomorrow"}`, nil, `event_at: "tomorrow" is not an RFC 3339 time`},
		{"event_at not a string", `{"event_at":5}`, nil, "event_at"},
		{"oversized", `{"description":"` + strings.Repeat("x", MaxBody) + `"}`, nil, "request body exceeds 65536 bytes"},
		{"oversized trailing", `{}` + strings.Repeat(" ", MaxBody), nil, "request body exceeds 65536 bytes"},
		{"long idempotency key", validTicket, []string{wire.HeaderIdempotencyKey, strings.Repeat("k", 201)}, "Idempotency-Key: is 201 characters long"},
		{"long actor", validTicket, []string{wire.HeaderActor, strings.Repeat("a", 101)}, "X-Switchboard-Actor: is longer than 100"},
		{"desk: title missing", `{"kind":"repair","category":"hot_water"}`, nil, "title: is required"},
		{"desk: bad kind", `{"kind":"praise","title":"x","category":"c"}`, nil, `kind: unknown kind "praise"`},
		{"desk: bad tier", `{"kind":"repair","title":"x","category":"c","tier":"gold"}`, nil, `tier: unknown tier "gold"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newMemDesk()
			s := startServer(t, d)
			r := s.do(t, "POST", "/api/v1/tickets", tt.body, tt.header...)
			if r.status != 400 {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			e := r.err(t)
			t.Log(e.Message)
			if e.Code != wire.CodeInvalid || !strings.Contains(e.Message, tt.want) {
				t.Fatalf("error %+v, want message containing %q", e, tt.want)
			}
			if !strings.HasPrefix(tt.name, "desk:") && len(d.tickets) != 0 {
				t.Error("the desk was called")
			}
		})
	}
	// Exactly at the limit is accepted (and reaches the desk).
	d := newMemDesk()
	s := startServer(t, d)
	body := `{"kind":"repair","category":"c","title":"t","description":"`
	body += strings.Repeat("x", MaxBody-len(body)-2) + `"}`
	if r := s.do(t, "POST", "/api/v1/tickets", body); r.status != 400 || !strings.Contains(string(r.body), "description: is 65") {
		t.Fatalf("body of exactly %d bytes: %d %s", len(body), r.status, r.body)
	}
	ok := s.do(t, "POST", "/api/v1/tickets", validTicket, wire.HeaderIdempotencyKey, strings.Repeat("k", 200),
		wire.HeaderActor, strings.Repeat("a", 100))
	if ok.status != 201 {
		t.Fatalf("limits exactly: %d %s", ok.status, ok.body)
	}
}

func TestDeskErrors(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		code   string
		msg    string
	}{
		{"field", fmt.Errorf("intake: %w", &ticket.FieldError{Field: "title", Message: "is required"}), 400, wire.CodeInvalid, "title: is required"},
		{"not found", fmt.Errorf("desk: %w", store.ErrNotFound), 404, wire.CodeNotFound, `ticket "T-1" not found`},
		{"transition", fmt.Errorf("desk: %w", &ticket.TransitionError{From: ticket.StatusNew, To: ticket.StatusClosed}), 409, wire.CodeConflict, `from "new" to "closed"`},
		{"idempotency key reused", fmt.Errorf("desk: create ticket: %w", fmt.Errorf("sqlite: create: %w", &store.IdempotencyError{Key: "k1", TicketID: "SB-2"})),
			422, wire.CodeIdempotencyReused, `Idempotency-Key "k1" was already used for SB-2 with a different request`},
		{"unavailable", fmt.Errorf("desk: %w", unavailable{}), 503, wire.CodeUnavailable, "unavailable"},
		{"deadline", fmt.Errorf("desk: %w", context.DeadlineExceeded), 503, wire.CodeUnavailable, "unavailable"},
		{"internal", errors.New("sqlite: disk I/O error at /var/secret/path"), 500, wire.CodeInternal, "internal error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &fakeDesk{GetFn: func(context.Context, string) (ticket.Ticket, error) { return ticket.Ticket{}, tt.err }}
			s := startServer(t, d)
			r := s.do(t, "GET", "/api/v1/tickets/T-1", "")
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			e := r.err(t)
			if e.Code != tt.code || !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("error %+v", e)
			}
			if tt.status == 500 {
				if strings.Contains(e.Message, "secret") {
					t.Error("internal details leaked to the client")
				}
				if !strings.Contains(s.logs.String(), "disk I/O error") {
					t.Error("internal error not logged")
				}
			}
		})
	}
}

type unavailable struct{}

func (unavailable) Error() string     { return "desk is shutting down" }
func (unavailable) Unavailable() bool { return true }

func TestPanicIsA500(t *testing.T) {
	d := &fakeDesk{DepartmentsFn: func(context.Context) ([]wire.Department, error) { panic("boom") }}
	s := startServer(t, d)
	r := s.do(t, "GET", "/api/v1/departments", "")
	if r.status != 500 || r.err(t).Code != wire.CodeInternal {
		t.Fatalf("status %d %s", r.status, r.body)
	}
}

func TestGetTicket(t *testing.T) {
	d := newMemDesk()
	s := startServer(t, d)
	s.do(t, "POST", "/api/v1/tickets", validTicket)
	r := s.do(t, "GET", "/api/v1/tickets/T-1", "")
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var got wire.TicketDetail
	r.decode(t, &got)
	if got.ID != "T-1" || len(got.History) != 1 || got.History[0].Type != ticket.EventCreated {
		t.Errorf("detail %+v", got)
	}
	r = s.do(t, "GET", "/api/v1/tickets/T-404", "")
	if r.status != 404 || !strings.Contains(r.err(t).Message, "T-404") {
		t.Errorf("missing ticket: %d %s", r.status, r.body)
	}
	// A ticket with no history still has a list, not null.
	d.HistoryFn = func(context.Context, string) ([]ticket.Event, error) { return nil, nil }
	r = s.do(t, "GET", "/api/v1/tickets/T-1", "")
	if !strings.Contains(string(r.body), `"history":[]`) {
		t.Errorf("history: %s", r.body)
	}
}

func TestListTickets(t *testing.T) {
	var got store.Filter
	d := &fakeDesk{ListFn: func(_ context.Context, f store.Filter) (store.Page, error) {
		got = f
		if f.Cursor == "" {
			return store.Page{Tickets: []ticket.Ticket{{ID: "T-2"}, {ID: "T-1"}}, NextCursor: "c2"}, nil
		}
		return store.Page{}, nil
	}}
	s := startServer(t, d)
	r := s.do(t, "GET", "/api/v1/tickets?department=engineering&status=in_progress&open=true&limit=2", "")
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var list wire.TicketList
	r.decode(t, &list)
	if len(list.Tickets) != 2 || list.NextCursor != "c2" {
		t.Errorf("list %+v", list)
	}
	want := store.Filter{Department: "engineering", Status: ticket.StatusInProgress, OpenOnly: true, Limit: 2}
	if got != want {
		t.Errorf("filter %+v, want %+v", got, want)
	}
	r = s.do(t, "GET", "/api/v1/tickets?cursor=c2&open=false", "")
	if got != (store.Filter{Cursor: "c2"}) || !strings.Contains(string(r.body), `"tickets":[]`) || strings.Contains(string(r.body), "next_cursor") {
		t.Errorf("last page: filter %+v body %s", got, r.body)
	}

	bad := []struct{ query, want string }{
		{"status=open", `status: unknown status "open"`},
		{"open=yes", `open: must be true or false, not "yes"`},
		{"limit=0", `limit: must be a number from 1 to 500, not "0"`},
		{"limit=501", `limit: must be a number from 1 to 500, not "501"`},
		{"limit=ten", `limit: must be a number from 1 to 500, not "ten"`},
		{"limit=-1", `limit: must be a number from 1 to 500`},
	}
	for _, tt := range bad {
		t.Run(tt.query, func(t *testing.T) {
			r := s.do(t, "GET", "/api/v1/tickets?"+tt.query, "")
			if r.status != 400 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if e := r.err(t); e.Code != wire.CodeInvalid || !strings.Contains(e.Message, tt.want) {
				t.Fatalf("error %+v, want %q", e, tt.want)
			}
		})
	}
}

func TestTransition(t *testing.T) {
	d := newMemDesk()
	s := startServer(t, d)
	s.do(t, "POST", "/api/v1/tickets", validTicket)
	r := s.do(t, "POST", "/api/v1/tickets/T-1/transitions", `{"to":"dispatched","note":"sent to engineering"}`, wire.HeaderActor, "Zhao Min")
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var tk ticket.Ticket
	r.decode(t, &tk)
	if tk.Status != ticket.StatusDispatched || d.actors[len(d.actors)-1] != "Zhao Min" {
		t.Errorf("ticket %+v actor %q", tk, d.actors[len(d.actors)-1])
	}

	tests := []struct {
		name, path, body string
		status           int
		code, msg        string
	}{
		{"illegal", "/api/v1/tickets/T-1/transitions", `{"to":"closed"}`, 409, wire.CodeConflict, `from "dispatched" to "closed"`},
		{"missing to", "/api/v1/tickets/T-1/transitions", `{"note":"x"}`, 400, wire.CodeInvalid, "to: is required"},
		{"unknown to", "/api/v1/tickets/T-1/transitions", `{"to":"done"}`, 400, wire.CodeInvalid, `to: unknown status "done"`},
		{"unknown field", "/api/v1/tickets/T-1/transitions", `{"to":"new","by":"me"}`, 400, wire.CodeInvalid, "by: unknown field"},
		{"malformed", "/api/v1/tickets/T-1/transitions", `{"to":`, 400, wire.CodeInvalid, "malformed JSON"},
		{"wrong type", "/api/v1/tickets/T-1/transitions", `{"to":3}`, 400, wire.CodeInvalid, "to: must be a string"},
		{"no such ticket", "/api/v1/tickets/T-9/transitions", `{"to":"closed"}`, 404, wire.CodeNotFound, `ticket "T-9" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(t, "POST", tt.path, tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if e := r.err(t); e.Code != tt.code || !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("error %+v, want %q", e, tt.msg)
			}
		})
	}
}

func TestDepartments(t *testing.T) {
	s := startServer(t, newMemDesk())
	r := s.do(t, "GET", "/api/v1/departments", "")
	var list wire.DepartmentList
	r.decode(t, &list)
	if r.status != 200 || len(list.Departments) != 1 || list.Departments[0].PID != 4242 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	empty := startServer(t, &fakeDesk{DepartmentsFn: func(context.Context) ([]wire.Department, error) { return nil, nil }})
	if r := empty.do(t, "GET", "/api/v1/departments", ""); !strings.Contains(string(r.body), `"departments":[]`) {
		t.Errorf("empty: %s", r.body)
	}
}
