package sdk

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Host is the daemon as a department plugin sees it: the calls a plugin may
// make back into the desk. Every call acts as the plugin (the ticket's
// history names "plugin:<department>" as the actor) and is checked: a
// plugin acts only on tickets of its own department unless config.toml
// grants it more. A refused call returns a *HostError.
//
// A department gets its Host by implementing [HostUser]. The daemon serves
// the Host to the plugin process through go-plugin's broker; sdktest has a
// fake one for tests.
type Host interface {
	// Ticket reads a ticket's current state.
	Ticket(ctx context.Context, id string) (Ticket, error)
	// AddNote adds a note to a ticket's history.
	AddNote(ctx context.Context, id, note string) (Ticket, error)
	// Transition moves a ticket along its life cycle, e.g. to
	// "in_progress", "waiting" or "resolved", with a note.
	Transition(ctx context.Context, id, status, note string) (Ticket, error)
	// Assign gives a ticket to a person, with a note.
	Assign(ctx context.Context, id, assignee, note string) (Ticket, error)
	// Replan sets a new planned time for one of a ticket's SLA targets
	// (target "" means the resolution target) with the reason; the SLA is
	// re-planned and the policy's stakeholders are told.
	Replan(ctx context.Context, id, target string, plannedAt time.Time, reason string) (Ticket, error)
	// CreateTicket opens a ticket, routed like any other. A non-empty
	// idempotencyKey makes a repeated call return the ticket the first
	// call created.
	CreateTicket(ctx context.Context, nt NewTicket, idempotencyKey string) (Ticket, error)
	// Escalate raises an escalation of a ticket, with the reason, to the
	// next level of its department's chain.
	Escalate(ctx context.Context, id, reason string) (Ticket, error)
}

// HostUser is the optional capability of a department that calls back into
// the daemon. UseHost is called after every start of the plugin process,
// before Configure, with a Host valid for the life of the process.
type HostUser interface {
	UseHost(h Host)
}

// NewTicket is a ticket to open through [Host.CreateTicket], as an agent
// would submit it. Kind and Title are required; the desk fills in the rest
// (tier "general", the routing, the SLA policy).
type NewTicket struct {
	Kind            string
	Category        string
	Severity        string
	Tier            string
	Title           string
	Description     string
	ReporterName    string
	ReporterContact string
	Location        string
	Asset           string
	Fields          map[string]string
	EventAt         time.Time
}

// HostErrorCode classifies a refused host call.
type HostErrorCode string

// The codes of HostError.
const (
	// HostNotFound: no such ticket.
	HostNotFound HostErrorCode = "not_found"
	// HostPermissionDenied: the ticket is not the plugin's department's,
	// and config.toml grants it no more.
	HostPermissionDenied HostErrorCode = "permission_denied"
	// HostInvalid: a field of the request is wrong; Message names it.
	HostInvalid HostErrorCode = "invalid"
	// HostConflict: the life cycle does not allow the change now (a
	// transition from the ticket's current status, a closed ticket).
	HostConflict HostErrorCode = "conflict"
	// HostUnavailable: the daemon could not be reached or is stopping;
	// the call may be retried.
	HostUnavailable HostErrorCode = "unavailable"
	// HostInternal: the daemon failed (its store, say).
	HostInternal HostErrorCode = "internal"
)

// HostError is a host call the daemon refused or failed.
type HostError struct {
	// Op is the call: "Ticket", "AddNote", "Transition", "Assign",
	// "Replan", "CreateTicket" or "Escalate".
	Op      string
	Code    HostErrorCode
	Message string
}

// Error implements error.
func (e *HostError) Error() string {
	return fmt.Sprintf("host %s: %s: %s", e.Op, e.Code, e.Message)
}

// HostErrorCodeOf returns the code of err if it is, or wraps, a *HostError,
// and "" otherwise.
func HostErrorCodeOf(err error) HostErrorCode {
	var he *HostError
	if errors.As(err, &he) {
		return he.Code
	}
	return ""
}
