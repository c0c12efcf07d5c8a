package api

import (
	"context"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// Desk is the service desk as the API uses it. The daemon's core
// implements it; tests use a fake.
//
// Errors are mapped to responses: a *ticket.FieldError is 400, a
// *ticket.TransitionError is 409, store.ErrNotFound is 404, a
// *store.IdempotencyError is 422 (idempotency_key_reused), an error with
// an Unavailable() bool method returning true (the desk is shutting down)
// is 503, an error with a Conflict() bool method returning true (a
// re-plan of a settled target) is 409 (target_settled) — or 409
// (ticket_closed) when it also has a TicketClosed() bool method returning
// true (a note, an assignment, an escalation of a closed or cancelled
// ticket) — and anything else
// is 500 with the details logged only. Errors may be wrapped.
type Desk interface {
	// Create normalises, validates and stores a new ticket. With a
	// non-empty idempotencyKey already used for the same submission, it
	// returns the ticket created then and created=false; used for a
	// different submission, it fails with a *store.IdempotencyError.
	Create(ctx context.Context, t ticket.Ticket, idempotencyKey, actor string) (stored ticket.Ticket, created bool, err error)
	// Transition moves ticket id to status to, recording note and actor.
	Transition(ctx context.Context, id string, to ticket.Status, note, actor string) (ticket.Ticket, error)
	// Get returns the current state of ticket id.
	Get(ctx context.Context, id string) (ticket.Ticket, error)
	// History returns the events of ticket id in order.
	History(ctx context.Context, id string) ([]ticket.Event, error)
	// List returns one page of tickets matching f.
	List(ctx context.Context, f store.Filter) (store.Page, error)
	// Departments returns every department with its plugin's state.
	Departments(ctx context.Context) ([]wire.Department, error)
	// Replan sets a new planned time for one unmet target of ticket id,
	// tells the policy's stakeholders why, and returns the ticket.
	Replan(ctx context.Context, id, target string, dueAt time.Time, reason, actor string) (ticket.Ticket, error)
	// MeetTarget marks one SLA target of ticket id met by actor (a
	// checklist step no status change reaches), recording note, and
	// returns the ticket. A target already met, or a closed or cancelled
	// ticket, is a conflict (409).
	MeetTarget(ctx context.Context, id, target, note, actor string) (ticket.Ticket, error)
	// AddNote records note (required) in the history of ticket id. A
	// closed or cancelled ticket is a conflict (409).
	AddNote(ctx context.Context, id, note, actor string) (ticket.Ticket, error)
	// Assign gives ticket id to assignee, recording the optional note. A
	// closed or cancelled ticket is a conflict (409).
	Assign(ctx context.Context, id, assignee, note, actor string) (ticket.Ticket, error)
	// Escalate raises ticket id by hand to the next level of its
	// escalation chain, telling that level's people reason (required). A
	// closed or cancelled ticket is a conflict (409).
	Escalate(ctx context.Context, id, reason, actor string) (ticket.Ticket, error)
	// Due answers when a ticket's targets would fall due, without
	// creating one.
	Due(ctx context.Context, q wire.DueRequest) (wire.DueResponse, error)
}
