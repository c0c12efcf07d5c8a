package sdk

import (
	"encoding/json"
	"time"
)

// Info describes a department plugin.
type Info struct {
	// Name is the plugin's name, e.g. "engineering". It names the plugin
	// in the host's logs and errors.
	Name string
	// Version is the plugin's own version, e.g. "1.2.0".
	Version string
	// Description says in one line what the department does.
	Description string
}

// Ticket is the state of one complaint, repair call or service request, as
// a department sees it.
type Ticket struct {
	// ID is the ticket's id, unique on the desk.
	ID string
	// Kind is "complaint", "repair" or "request".
	Kind string
	// Category is the desk's category, e.g. "hot-water" or "invoice".
	Category string
	// Severity is "minor", "serious", "major" or "critical".
	Severity string
	// Tier is the customer tier: "general", "member" or "vip".
	Tier string
	// Title is the one-line summary.
	Title string
	// Description is the reporter's account.
	Description string
	// ReporterName is the person who raised the ticket.
	ReporterName string
	// ReporterContact is how to reach the reporter (phone, e-mail).
	ReporterContact string
	// Location is where the problem is, e.g. "north-campus/dorm-3".
	Location string
	// Asset is the machine or thing concerned, e.g. "boiler-2".
	Asset string
	// Fields holds the desk's free fields. A nil or empty map both cross
	// the wire as "no fields" and arrive as nil.
	Fields map[string]string
	// EventAt is the time of the event the request is about (a ship's
	// departure, a guest's arrival); zero when the ticket has none.
	EventAt time.Time
	// Status is the ticket's life-cycle state, e.g. "dispatched".
	Status string
	// Department is the department the ticket is routed to.
	Department string
	// Assignee is the person holding the ticket, if any.
	Assignee string
	// Policy is the name of the SLA policy the ticket is held to.
	Policy string
	// CreatedAt is when the desk accepted the ticket.
	CreatedAt time.Time
	// Version is the number of events in the ticket's history.
	Version int64
	// Targets are the ticket's SLA promises, in the policy's order; nil
	// when its policy has none (or the host predates them).
	Targets []Target
}

// Target is one SLA promise of a ticket, as the desk planned it.
type Target struct {
	// Name is the policy's target name, e.g. "response" or "resolution".
	Name string
	// WarnAt is when the desk warns that the promise is about to break.
	WarnAt time.Time
	// DueAt is when the promise breaks.
	DueAt time.Time
	// State is "pending", "warning", "breached" or "met".
	State string
}

// Target returns the ticket's target named name, or false.
func (t Ticket) Target(name string) (Target, bool) {
	for _, tg := range t.Targets {
		if tg.Name == name {
			return tg, true
		}
	}
	return Target{}, false
}

// Event is one change of a ticket.
type Event struct {
	// ID is "<ticket id>/<version>": one change always has the same ID,
	// on every redelivery, so a department drops an event it has already
	// handled by its ID (events are delivered at least once; see
	// EventHandler).
	ID string
	// Seq orders events across all tickets.
	Seq int64
	// TicketID is the ticket the event belongs to.
	TicketID string
	// Type is the event type, e.g. "ticket.status_changed" or
	// "sla.breached".
	Type string
	// Actor is who caused the event: an agent's name, "system", a plugin.
	Actor string
	// At is when the event happened.
	At time.Time
	// Data is the event's JSON payload; nil when it has none.
	Data json.RawMessage
	// Ticket is the ticket's state when the event is delivered: after the
	// event, and after any later change not yet delivered (a redelivery
	// carries the ticket as it is then).
	Ticket Ticket
}

// Reply is a department's answer to a ticket.
type Reply struct {
	// Accept is true when the department takes the ticket. A refused
	// ticket goes back to the desk for re-routing.
	Accept bool
	// Assignee names who will work on the ticket; empty leaves it
	// unassigned.
	Assignee string
	// Note is recorded in the ticket's history, e.g. the plan of work.
	Note string
	// Status, when set on an accepted ticket, moves it on in the same
	// commit as the acceptance: "in_progress", "waiting" (for the
	// reporter) or "resolved" (settled at once), with StatusNote. The
	// ticket is not the plugin's to move until the acceptance is
	// committed, so this is the way to move it on at once; another status
	// is not applied, and the refusal is noted in the ticket's history.
	Status     string
	StatusNote string
}
