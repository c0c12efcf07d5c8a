package client_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

func TestAddNoteAssignEscalate(t *testing.T) {
	srv, c := newDesk(t)
	for range 2 {
		if _, err := c.CreateTicket(ctx(t), client.CreateRequest{Kind: "repair", Category: "valve", Title: "Valve leaks"}, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Transition(ctx(t), "SB-2", ticket.StatusCancelled, "duplicate"); err != nil {
		t.Fatal(err)
	}

	body := func(t *testing.T) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(srv.LastRequest().Body, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	for _, tc := range []struct {
		name string
		call func() (ticket.Ticket, error)
		path string
		body map[string]any
	}{
		{"note", func() (ticket.Ticket, error) { return c.AddNote(ctx(t), "SB-1", "called the reporter back") },
			"/api/v1/tickets/SB-1/notes", map[string]any{"note": "called the reporter back"}},
		{"assign", func() (ticket.Ticket, error) { return c.Assign(ctx(t), "SB-1", "Zhang Wei", "") },
			"/api/v1/tickets/SB-1/assign", map[string]any{"assignee": "Zhang Wei"}},
		{"reassign with a note", func() (ticket.Ticket, error) { return c.Assign(ctx(t), "SB-1", "Chen Jun", "Zhang is off") },
			"/api/v1/tickets/SB-1/assign", map[string]any{"assignee": "Chen Jun", "note": "Zhang is off"}},
		{"escalate", func() (ticket.Ticket, error) { return c.Escalate(ctx(t), "SB-1", "guest moving out at noon") },
			"/api/v1/tickets/SB-1/escalate", map[string]any{"reason": "guest moving out at noon"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk, err := tc.call()
			if err != nil {
				t.Fatal(err)
			}
			r := srv.LastRequest()
			if r.Method != "POST" || r.Path != tc.path || r.Header.Get(wire.HeaderActor) != "Wang Fang" {
				t.Errorf("request %s %s, actor %q", r.Method, r.Path, r.Header.Get(wire.HeaderActor))
			}
			if b := body(t); !reflect.DeepEqual(b, tc.body) {
				t.Errorf("body %v, want %v", b, tc.body)
			}
			if tk.ID != "SB-1" || tk.Status != ticket.StatusNew {
				t.Errorf("ticket %+v", tk)
			}
		})
	}

	d, err := c.Ticket(ctx(t), "SB-1")
	if err != nil {
		t.Fatal(err)
	}
	if d.Ticket.Assignee != "Chen Jun" {
		t.Errorf("assignee %q, want Chen Jun", d.Ticket.Assignee)
	}
	var types []string
	for _, ev := range d.History[2:] {
		types = append(types, ev.Type)
		if ev.Actor != "Wang Fang" {
			t.Errorf("%s by %q", ev.Type, ev.Actor)
		}
	}
	if want := []string{ticket.EventNote, ticket.EventAssigned, ticket.EventAssigned, ticket.EventEscalated}; !reflect.DeepEqual(types, want) {
		t.Errorf("history %v, want %v after created, routed", types, want)
	}

	for _, e := range []struct {
		name   string
		call   func() (ticket.Ticket, error)
		status int
		code   string
	}{
		{"note on a cancelled ticket", func() (ticket.Ticket, error) { return c.AddNote(ctx(t), "SB-2", "x") }, 409, wire.CodeTicketClosed},
		{"assign a cancelled ticket", func() (ticket.Ticket, error) { return c.Assign(ctx(t), "SB-2", "Zhang Wei", "") }, 409, wire.CodeTicketClosed},
		{"escalate a cancelled ticket", func() (ticket.Ticket, error) { return c.Escalate(ctx(t), "SB-2", "x") }, 409, wire.CodeTicketClosed},
		{"note on an unknown ticket", func() (ticket.Ticket, error) { return c.AddNote(ctx(t), "SB-9", "x") }, 404, wire.CodeNotFound},
		{"empty note", func() (ticket.Ticket, error) { return c.AddNote(ctx(t), "SB-1", " ") }, 400, wire.CodeInvalid},
		{"empty assignee", func() (ticket.Ticket, error) { return c.Assign(ctx(t), "SB-1", "", "x") }, 400, wire.CodeInvalid},
		{"empty reason", func() (ticket.Ticket, error) { return c.Escalate(ctx(t), "SB-1", "") }, 400, wire.CodeInvalid},
	} {
		t.Run(e.name, func(t *testing.T) {
			_, err := e.call()
			var ae *client.APIError
			if !errors.As(err, &ae) || ae.Status != e.status || ae.Code != e.code {
				t.Errorf("err = %v, want HTTP %d %s", err, e.status, e.code)
			}
		})
	}

	for name, call := range map[string]func() (ticket.Ticket, error){
		"note":     func() (ticket.Ticket, error) { return c.AddNote(ctx(t), "", "x") },
		"assign":   func() (ticket.Ticket, error) { return c.Assign(ctx(t), "", "Zhang Wei", "") },
		"escalate": func() (ticket.Ticket, error) { return c.Escalate(ctx(t), "", "x") },
	} {
		if _, err := call(); err == nil {
			t.Errorf("%s: empty id accepted", name)
		}
	}
}

func TestWorkPathEscaped(t *testing.T) {
	c, req, body := slaServer(t, 200, `{"id":"SB 7","status":"new"}`)
	if _, err := c.Escalate(ctx(t), "SB 7", "guest moving out"); err != nil {
		t.Fatal(err)
	}
	if req.URL.EscapedPath() != "/api/v1/tickets/SB%207/escalate" || string(*body) != `{"reason":"guest moving out"}` {
		t.Errorf("request %s %s", req.URL.EscapedPath(), *body)
	}
}
