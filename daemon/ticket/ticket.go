// Package ticket is the service desk's data model: tickets, their life cycle,
// their SLA targets and the events that make up their history.
//
// The package is pure: no I/O, no clock. Every other part of the daemon speaks
// in these types.
package ticket

import (
	"encoding/json"
	"time"
)

// Kind says what the reporter wants.
type Kind string

// The kinds of ticket a desk takes.
const (
	KindComplaint Kind = "complaint"
	KindRepair    Kind = "repair"
	KindRequest   Kind = "request"
)

// Kinds lists every valid kind, in display order.
var Kinds = []Kind{KindComplaint, KindRepair, KindRequest}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Severity values used by the default desk. Severity is free text to the
// engine (routes and policies match on it), but intake accepts only these.
var Severities = []string{"minor", "serious", "major", "critical"}

// Tiers are the customer tiers a policy may be chosen by.
var Tiers = []string{"general", "member", "vip"}

// Reporter is the person who raised the ticket and is told of its outcome.
type Reporter struct {
	Name    string `json:"name"`
	Contact string `json:"contact,omitempty"`
}

// Ticket is the current state of one complaint, repair call or service
// request. Its history is the list of Events with the same TicketID.
type Ticket struct {
	ID          string            `json:"id"`
	Kind        Kind              `json:"kind"`
	Category    string            `json:"category"`
	Severity    string            `json:"severity"`
	Tier        string            `json:"tier"`
	Title       string            `json:"title"`
	Description string            `json:"description,omitempty"`
	Reporter    Reporter          `json:"reporter"`
	Location    string            `json:"location,omitempty"`
	Asset       string            `json:"asset,omitempty"`
	Fields      map[string]string `json:"fields,omitempty"`
	// EventAt is the time of the event the request is about (a ship's
	// departure, a guest's arrival), for targets relative to it.
	EventAt *time.Time `json:"event_at,omitempty"`

	Status     Status `json:"status"`
	Department string `json:"department"`
	Assignee   string `json:"assignee"`
	Policy     string `json:"policy,omitempty"`
	// SLA holds the ticket's promises, one per target of its policy.
	SLA []Target `json:"sla"`
	// Pauses are the spans the ticket spent waiting on the reporter, when
	// its clocks stopped. The last one is open (To is nil) while it waits.
	Pauses []Pause `json:"pauses,omitempty"`
	// Links are related tickets (the earlier complaints of a repeat).
	Links []string `json:"links,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version is the number of events in the ticket's history; it is the
	// per-ticket sequence of the last event.
	Version int64 `json:"version"`
}

// Open reports whether the ticket still needs work (not closed or cancelled).
func (t *Ticket) Open() bool { return !t.Status.Terminal() }

// Target returns the SLA target with the given name, or nil.
func (t *Ticket) Target(name string) *Target {
	for i := range t.SLA {
		if t.SLA[i].Name == name {
			return &t.SLA[i]
		}
	}
	return nil
}

// Pause is one span during which a ticket's clocks stood still.
type Pause struct {
	From time.Time  `json:"from"`
	To   *time.Time `json:"to,omitempty"`
}

// TargetState is where a promise stands.
type TargetState string

// The states of an SLA target. A target goes pending → warning → breached,
// and to met from pending or warning when the ticket reaches the milestone.
// A breached target stays breached even if the milestone is reached later.
const (
	TargetPending  TargetState = "pending"
	TargetWarning  TargetState = "warning"
	TargetBreached TargetState = "breached"
	TargetMet      TargetState = "met"
)

// Target is one promise made about a ticket, with its clock.
type Target struct {
	Name string `json:"target"`
	// Kind is how the deadline is computed: after_business,
	// after_calendar, same_day, next_business_day, business_days,
	// day_of_month or event_offset.
	Kind string `json:"kind,omitempty"`
	// Calendar names the business calendar the target is counted on.
	Calendar string `json:"calendar,omitempty"`
	// Start is when the target's clock started (the ticket's creation);
	// with the ticket's pauses, it is all a re-plan needs to compute the
	// deadline again on a changed calendar.
	Start  time.Time `json:"start"`
	DueAt  time.Time `json:"due_at"`
	WarnAt time.Time `json:"warn_at"`
	// Planned is set when the deadline was set by hand to a new planned
	// time (a re-plan) instead of computed from Start: a calendar or policy
	// change then leaves it where it is; pauses still move it.
	Planned bool        `json:"planned,omitempty"`
	State   TargetState `json:"state"`
	MetAt   *time.Time  `json:"met_at,omitempty"`
	// Escalation names the chain followed when the target warns or breaches.
	Escalation string `json:"escalation,omitempty"`
	// Fired holds the keys of the checkpoints of this target already fired,
	// in the order they fired, so that neither a restart nor a reload fires
	// one twice. A key names a checkpoint by identity, never by position:
	// "warning", "breach", and for a level of the escalation chain
	// "level:" + name + "@" + at + "+" + after, e.g.
	// "level:general manager@breach+4h0m0s" (see sla.LevelKey). Adding,
	// removing or reordering the levels of a chain therefore leaves the
	// meaning of the keys already recorded unchanged.
	Fired []string `json:"fired,omitempty"`
}

// Done reports whether the target can fire no more checkpoints for being met.
func (t *Target) Done() bool { return t.State == TargetMet }

// Event is one change of a ticket, appended to its history and published.
type Event struct {
	// Seq is global and strictly increasing across all tickets; it orders
	// the stream. Assigned by the store.
	Seq int64 `json:"seq"`
	// Version is the event's position in its ticket's history, from 1.
	Version  int64           `json:"version"`
	TicketID string          `json:"ticket_id"`
	Type     string          `json:"type"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"`
	Data     json.RawMessage `json:"data,omitempty"`
	// Quiet marks an event the department's plugin is not told of (the
	// desk's own bookkeeping, such as the hand-over recorded with the
	// plugin's answer). It is not stored.
	Quiet bool `json:"-"`
}

// Event types. They are wire names: never rename one.
const (
	EventCreated     = "ticket.created"
	EventRouted      = "ticket.routed"
	EventStatus      = "ticket.status_changed"
	EventAssigned    = "ticket.assigned"
	EventNote        = "ticket.note_added"
	EventDispatchErr = "ticket.dispatch_failed"
	EventSLAWarning  = "sla.warning"
	EventSLABreached = "sla.breached"
	EventSLAMet      = "sla.met"
	EventEscalated   = "escalated"
	// EventReplanned: a target's deadline moved (a pause ended, the
	// calendar changed, a new planned time was set). Data: ReplanData.
	EventReplanned = "sla.replanned"
	// EventStakeholders: the policy's stakeholders were told of the ticket
	// (on creation) or of a re-plan. Data: StakeholdersData.
	EventStakeholders = "stakeholders.notified"
	// EventRepeat: a complaint is the Nth about one location or asset
	// within the window. Data: RepeatData.
	EventRepeat = "complaint.repeated"
	// EventScheduled: a ticket created by a schedule. Data: the schedule.
	EventScheduled = "ticket.scheduled"
)

// ReplanData is the data of an sla.replanned event.
type ReplanData struct {
	Target    string    `json:"target"`
	FromDueAt time.Time `json:"from_due_at"`
	ToDueAt   time.Time `json:"to_due_at"`
	Reason    string    `json:"reason"`
}

// StakeholdersData is the data of a stakeholders.notified event.
type StakeholdersData struct {
	Roles  []string `json:"roles"`
	People []string `json:"people"`
	Reason string   `json:"reason"`
}

// RepeatData is the data of a complaint.repeated event.
type RepeatData struct {
	Location string   `json:"location,omitempty"`
	Asset    string   `json:"asset,omitempty"`
	Count    int      `json:"count"`
	Window   string   `json:"window"`
	Earlier  []string `json:"earlier"`
	Roles    []string `json:"roles"`
	People   []string `json:"people"`
}

// NewEvent builds an event with data marshalled to JSON. Seq and Version are
// left for the store to assign.
func NewEvent(typ, actor string, at time.Time, data any) Event {
	ev := Event{Type: typ, Actor: actor, At: at.UTC()}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			// Data is always a map or struct of plain values built by
			// the daemon; failing here is a programming error.
			panic("ticket: marshal event data: " + err.Error())
		}
		ev.Data = b
	}
	return ev
}

// StatusData is the data of an EventStatus event.
type StatusData struct {
	From Status `json:"from"`
	To   Status `json:"to"`
	Note string `json:"note,omitempty"`
}

// SLAData is the data of sla.* events.
type SLAData struct {
	Target string    `json:"target"`
	DueAt  time.Time `json:"due_at"`
}

// EscalationData is the data of an escalated event.
type EscalationData struct {
	Target string   `json:"target"`
	Chain  string   `json:"chain"`
	Level  int      `json:"level"`
	Name   string   `json:"name"`
	Roles  []string `json:"roles"`
	People []string `json:"people"`
	Reason string   `json:"reason"`
}
