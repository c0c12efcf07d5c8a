// Package wire holds the JSON shapes of the HTTP API (/api/v1) and of the
// websocket event stream, shared by the server, the Go client, the CLI and
// tests. Tickets and events themselves are ticket.Ticket and ticket.Event.
package wire

import (
	"time"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// Prefix is the path every API endpoint lives under.
const Prefix = "/api/v1"

// Header names.
const (
	// HeaderIdempotencyKey makes a retried POST /tickets return the ticket
	// created by the first attempt. Reusing a key with a different
	// submission is refused with 422 and CodeIdempotencyReused.
	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderReplayed is "true" on a response that returns a ticket
	// created earlier with the same Idempotency-Key.
	HeaderReplayed = "Idempotent-Replayed"
	// HeaderActor names the person acting (an agent's name); it is the
	// actor recorded in the history. Default "api".
	HeaderActor = "X-Switchboard-Actor"
)

// Subprotocol is the websocket subprotocol of the stream. A browser that
// cannot set headers sends the token as a second subprotocol
// "bearer.<token>" (or as ?token=).
const Subprotocol = "switchboard.v1"

// TicketDetail is GET /tickets/{id}: the ticket with its whole history.
type TicketDetail struct {
	ticket.Ticket
	History []ticket.Event `json:"history"`
}

// TicketList is GET /tickets.
type TicketList struct {
	Tickets    []ticket.Ticket `json:"tickets"`
	NextCursor string          `json:"next_cursor,omitempty"`
}

// TransitionRequest is POST /tickets/{id}/transitions.
type TransitionRequest struct {
	To   ticket.Status `json:"to"`
	Note string        `json:"note,omitempty"`
}

// Department is one department with its plugin's state.
type Department struct {
	Name    string `json:"name"`
	Title   string `json:"title"`
	State   string `json:"state"` // starting, running, restarting, failed, stopped
	PID     int    `json:"pid,omitempty"`
	Version string `json:"version,omitempty"`
	// Capabilities are the optional features the plugin serves: deliver
	// (the work stream), events, health, host (it calls the host API), or
	// legacy (a plugin older than capabilities).
	Capabilities []string  `json:"capabilities,omitempty"`
	Restarts     int       `json:"restarts"`
	OpenTickets  int       `json:"open_tickets"`
	Error        string    `json:"error,omitempty"`
	Since        time.Time `json:"since"`
}

// DepartmentList is GET /departments.
type DepartmentList struct {
	Departments []Department `json:"departments"`
}

// ErrorBody is every error response: {"error": {"code": ..., "message": ...}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inside of ErrorBody.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error codes.
const (
	CodeInvalid           = "invalid_request"        // 400: bad field, malformed JSON, oversized body
	CodeUnauthorized      = "unauthorized"           // 401
	CodeNotFound          = "not_found"              // 404
	CodeConflict          = "illegal_transition"     // 409
	CodeIdempotencyReused = "idempotency_key_reused" // 422: Idempotency-Key already used for a different submission
	CodeInternal          = "internal"               // 500
	CodeUnavailable       = "unavailable"            // 503: shutting down
	// CodeTargetSettled (409): a re-plan of a target already met or
	// breached, or of a ticket no longer open.
	CodeTargetSettled = "target_settled"
	// CodeTicketClosed (409): work (a note, an assignment, an
	// escalation) on a ticket that is closed or cancelled.
	CodeTicketClosed = "ticket_closed"
)

// Stream message types.
const (
	MsgSnapshot   = "snapshot"
	MsgEvent      = "event"
	MsgDepartment = "department"
)

// Message is one websocket message. The first is always a snapshot (Seq is
// the last event seq included in it); then one message per event in strictly
// increasing Seq, and department messages (no Seq) when a plugin changes
// state.
type Message struct {
	Type string `json:"type"`
	Seq  int64  `json:"seq,omitempty"`
	// Snapshot: every open ticket and every department.
	Tickets     []ticket.Ticket `json:"tickets,omitempty"`
	Departments []Department    `json:"departments,omitempty"`
	// Event: the event and the ticket's state after it.
	Event  *ticket.Event  `json:"event,omitempty"`
	Ticket *ticket.Ticket `json:"ticket,omitempty"`
	// Department: one department's new state.
	Department *Department `json:"department,omitempty"`
}

// DueRequest is POST /sla/due: ask the SLA engine when a ticket's targets
// would fall due, without creating one. Either Policy names the policy, or
// the ticket fields (Kind, and optionally Category, Severity, Tier) select
// it as for a new ticket; not both.
type DueRequest struct {
	Policy   string      `json:"policy,omitempty"`
	Kind     ticket.Kind `json:"kind,omitempty"`
	Category string      `json:"category,omitempty"`
	Severity string      `json:"severity,omitempty"`
	Tier     string      `json:"tier,omitempty"`
	// Start is when the clocks start (the ticket's creation). Required.
	Start *time.Time `json:"start"`
	// EventAt is the ticket's event time, for event_offset targets.
	EventAt *time.Time `json:"event_at,omitempty"`
	// Pauses are spans the ticket would wait on the reporter, in order.
	Pauses []Span `json:"pauses,omitempty"`
}

// Span is a closed span of time, e.g. a pause of a DueRequest.
type Span struct {
	From *time.Time `json:"from"`
	To   *time.Time `json:"to"`
}

// DueResponse is the answer of POST /sla/due: the selected policy and each
// of its targets' deadlines. Policy is "" and Targets empty when the ticket
// fields select no policy (a ticket with them would have no SLA).
type DueResponse struct {
	Policy  string      `json:"policy"`
	Targets []DueTarget `json:"targets"`
}

// DueTarget is one target of a DueResponse.
type DueTarget struct {
	Name   string    `json:"name"`
	DueAt  time.Time `json:"due_at"`
	WarnAt time.Time `json:"warn_at"`
}

// ReplanRequest is POST /tickets/{id}/replan: a new planned time for one
// unmet target, with the reason told to the policy's stakeholders.
type ReplanRequest struct {
	Target string     `json:"target"`
	DueAt  *time.Time `json:"due_at"`
	Reason string     `json:"reason"`
}
