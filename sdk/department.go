package sdk

import (
	"context"
	"encoding/json"
)

// Department is the interface every department plugin implements.
type Department interface {
	// Info describes the plugin. It is called once after start and must
	// not block.
	Info() Info
	// HandleTicket offers the department a ticket routed to it.
	//
	// Tickets are delivered at least once: a ticket stays new, durably,
	// until the plugin's answer is committed, so one whose answer was not
	// committed is offered again after a plugin restart or a daemon
	// restart, even if the plugin already acted on it. HandleTicket must
	// therefore be idempotent by t.ID: a second delivery should give the
	// same answer as the first.
	//
	// HandleTicket (and HandleEvent) may run on several goroutines at
	// once for different tickets, never for the same ticket.
	//
	// An error is recorded in the ticket's history, as a
	// ticket.dispatch_failed event carrying the error's text, and the
	// ticket is offered again after a backoff; a ticket its plugin keeps
	// failing on goes to the desk's fallback department.
	HandleTicket(ctx context.Context, t Ticket) (Reply, error)
}

// EventHandler is the optional capability of a department that wants to
// hear of changes to its tickets. A department without it acknowledges
// every event unread.
type EventHandler interface {
	// HandleEvent is called for the changes of a ticket routed to the
	// department: transitions, notes, assignments, SLA warnings and
	// breaches, escalations. The ticket's creation and routing are not
	// sent (the ticket itself comes through HandleTicket), nor are the
	// changes made by the department's own answers.
	//
	// Events are delivered at least once, in order per ticket: each is
	// kept in the daemon's outbox until HandleEvent returns nil for it,
	// so one not yet acknowledged when the plugin or the daemon stops is
	// delivered again, with the same ev.ID, after the restart. Skip an
	// ev.ID already handled. Events of different tickets may be handled
	// at the same time, on different goroutines; the events of one
	// ticket never are. An error is logged and the event delivered again
	// later, and so are the ticket's later events, after it. Read
	// ev.Ticket for the ticket's state after the event.
	HandleEvent(ctx context.Context, ev Event) error
}

// Configurer is the optional capability of a department that takes
// settings from config.toml.
type Configurer interface {
	// Configure receives the department's settings as JSON (nil when
	// config.toml has none). It is called after every start of the
	// plugin process, before tickets are offered (and, for a [HostUser],
	// after UseHost). A config reload that changes the settings restarts
	// the plugin, so Configure sees them at the next start; an unchanged
	// department is left running. An error is shown to the operator (in
	// the log and as the department's error on the wallboard) and marks
	// the department failed, so that it takes no tickets until the
	// settings are fixed and the config reloaded; it should say which
	// setting is wrong.
	Configure(ctx context.Context, settings json.RawMessage) error
}

// HealthChecker is the optional capability of a department that can tell
// when it is unable to take work (a lost downstream connection, say). A
// department without it is healthy while its process answers.
type HealthChecker interface {
	// Health returns nil while the department can take work.
	Health(ctx context.Context) error
}

// Base gives a department no-op defaults for the optional capabilities.
// Embed it and override what you need.
type Base struct{}

// HandleEvent acknowledges the event and does nothing.
func (Base) HandleEvent(context.Context, Event) error { return nil }

// Configure accepts any settings and ignores them.
func (Base) Configure(context.Context, json.RawMessage) error { return nil }

// Health reports the department healthy.
func (Base) Health(context.Context) error { return nil }

var (
	_ EventHandler  = Base{}
	_ Configurer    = Base{}
	_ HealthChecker = Base{}
)
