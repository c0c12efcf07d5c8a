package api

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// workCall is one call of AddNote, Assign or Escalate on the fake desk.
type workCall struct{ op, id, assignee, text, actor string }

// workDesk answers AddNote, Assign and Escalate: T-404 is unknown, T-9 is
// closed, anything else succeeds with the ticket assigned to "Zhang Wei".
func workDesk(calls *[]workCall) *fakeDesk {
	answer := func(c workCall) (ticket.Ticket, error) {
		*calls = append(*calls, c)
		switch c.id {
		case "T-404":
			return ticket.Ticket{}, fmt.Errorf("desk: update %s: %w", c.id, store.ErrNotFound)
		case "T-9":
			return ticket.Ticket{}, fmt.Errorf("desk: %w", &closedTicket{conflict{"ticket T-9: is closed; only an open ticket can be changed"}})
		}
		if strings.HasPrefix(c.text, "toolong") {
			return ticket.Ticket{}, fmt.Errorf("desk: %w", ticket.Invalid("note", "is 10001 characters long, at most 10000 allowed"))
		}
		return ticket.Ticket{ID: c.id, Status: ticket.StatusDispatched, Assignee: "Zhang Wei", Version: 4}, nil
	}
	return &fakeDesk{
		AddNoteFn: func(_ context.Context, id, note, actor string) (ticket.Ticket, error) {
			return answer(workCall{"note", id, "", note, actor})
		},
		AssignFn: func(_ context.Context, id, assignee, note, actor string) (ticket.Ticket, error) {
			return answer(workCall{"assign", id, assignee, note, actor})
		},
		EscalateFn: func(_ context.Context, id, reason, actor string) (ticket.Ticket, error) {
			return answer(workCall{"escalate", id, "", reason, actor})
		},
	}
}

func TestWorkEndpoints(t *testing.T) {
	var calls []workCall
	s := startServer(t, workDesk(&calls))

	for _, c := range []struct {
		name, path, body string
		want             workCall
	}{
		{"note", "/api/v1/tickets/T-1/notes", `{"note":"called the reporter back"}`,
			workCall{"note", "T-1", "", "called the reporter back", "Wang Fang"}},
		{"assign with a note", "/api/v1/tickets/T-1/assign", `{"assignee":"Zhang Wei","note":"on duty tonight"}`,
			workCall{"assign", "T-1", "Zhang Wei", "on duty tonight", "Wang Fang"}},
		{"assign without a note", "/api/v1/tickets/T-1/assign", `{"assignee":"Zhang Wei"}`,
			workCall{"assign", "T-1", "Zhang Wei", "", "Wang Fang"}},
		{"escalate", "/api/v1/tickets/T-1/escalate", `{"reason":"guest moving out at noon"}`,
			workCall{"escalate", "T-1", "", "guest moving out at noon", "Wang Fang"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			calls = nil
			r := s.do(t, "POST", c.path, c.body, wire.HeaderActor, "Wang Fang")
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var tk ticket.Ticket
			r.decode(t, &tk)
			if len(calls) != 1 || calls[0] != c.want {
				t.Errorf("desk calls %+v, want %+v", calls, c.want)
			}
			if tk.ID != "T-1" || tk.Assignee != "Zhang Wei" || tk.Status != ticket.StatusDispatched {
				t.Errorf("answer %+v", tk)
			}
		})
	}

	for _, c := range []struct {
		name, path, body string
		status           int
		code, msg        string
	}{
		{"note: empty body", "/api/v1/tickets/T-1/notes", ``, 400, wire.CodeInvalid, "request body is empty"},
		{"note: missing", "/api/v1/tickets/T-1/notes", `{}`, 400, wire.CodeInvalid, "note: is required"},
		{"note: blank", "/api/v1/tickets/T-1/notes", `{"note":"  "}`, 400, wire.CodeInvalid, "note: is required"},
		{"note: not a string", "/api/v1/tickets/T-1/notes", `{"note":3}`, 400, wire.CodeInvalid, "note: must be a string"},
		{"note: unknown field", "/api/v1/tickets/T-1/notes", `{"note":"x","text":"y"}`, 400, wire.CodeInvalid, "text: unknown field"},
		{"note: trailing data", "/api/v1/tickets/T-1/notes", `{"note":"x"} {}`, 400, wire.CodeInvalid, "unexpected data after the JSON object"},
		{"note: refused by the desk", "/api/v1/tickets/T-1/notes", `{"note":"toolong"}`, 400, wire.CodeInvalid, "note: is 10001 characters long"},
		{"note: unknown ticket", "/api/v1/tickets/T-404/notes", `{"note":"x"}`, 404, wire.CodeNotFound, `ticket "T-404" not found`},
		{"note: closed ticket", "/api/v1/tickets/T-9/notes", `{"note":"x"}`, 409, wire.CodeTicketClosed, "is closed"},
		{"assign: missing assignee", "/api/v1/tickets/T-1/assign", `{"note":"x"}`, 400, wire.CodeInvalid, "assignee: is required"},
		{"assign: server field", "/api/v1/tickets/T-1/assign", `{"assignee":"Zhang Wei","status":"closed"}`, 400, wire.CodeInvalid, "status: is set by the server"},
		{"assign: not an object", "/api/v1/tickets/T-1/assign", `["Zhang Wei"]`, 400, wire.CodeInvalid, "must be a JSON object"},
		{"assign: unknown ticket", "/api/v1/tickets/T-404/assign", `{"assignee":"Zhang Wei"}`, 404, wire.CodeNotFound, `ticket "T-404" not found`},
		{"assign: closed ticket", "/api/v1/tickets/T-9/assign", `{"assignee":"Zhang Wei"}`, 409, wire.CodeTicketClosed, "is closed"},
		{"escalate: missing reason", "/api/v1/tickets/T-1/escalate", `{}`, 400, wire.CodeInvalid, "reason: is required"},
		{"escalate: unknown field", "/api/v1/tickets/T-1/escalate", `{"reason":"x","level":3}`, 400, wire.CodeInvalid, "level: unknown field"},
		{"escalate: malformed", "/api/v1/tickets/T-1/escalate", `{"reason":`, 400, wire.CodeInvalid, "malformed JSON"},
		{"escalate: unknown ticket", "/api/v1/tickets/T-404/escalate", `{"reason":"x"}`, 404, wire.CodeNotFound, `ticket "T-404" not found`},
		{"escalate: closed ticket", "/api/v1/tickets/T-9/escalate", `{"reason":"x"}`, 409, wire.CodeTicketClosed, "is closed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			calls = nil
			r := s.do(t, "POST", c.path, c.body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if e := r.err(t); e.Code != c.code || !strings.Contains(e.Message, c.msg) {
				t.Errorf("error %+v, want %s containing %q", e, c.code, c.msg)
			}
			if c.status == 400 && !strings.Contains(c.name, "desk") && len(calls) != 0 {
				t.Errorf("a bad request reached the desk: %+v", calls)
			}
		})
	}

	for _, path := range []string{"/api/v1/tickets/T-1/notes", "/api/v1/tickets/T-1/assign", "/api/v1/tickets/T-1/escalate"} {
		if r := s.do(t, "GET", path, ""); r.status != 405 {
			t.Errorf("GET %s: status %d, want 405", path, r.status)
		}
		if r := s.do(t, "POST", path, `{}`, "Authorization", ""); r.status != 401 {
			t.Errorf("POST %s without a token: status %d, want 401", path, r.status)
		}
	}
	if r := s.do(t, "POST", "/api/v1/tickets/T-1/notes", `{"note":"x"}`, wire.HeaderActor, strings.Repeat("a", 101)); r.status != 400 {
		t.Errorf("long actor: status %d, want 400", r.status)
	}
}

// closedTicket is the desk's refusal of work on a closed ticket.
type closedTicket struct{ conflict }

func (closedTicket) TicketClosed() bool { return true }
