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
	// department, in order per department, while the plugin runs. The
	// ticket's creation and routing are not sent (the ticket itself comes
	// through HandleTicket), nor are the changes made by the department's
	// own answers.
	//
	// Delivery is best effort: an event sent while the plugin is down or
	// restarting, or while it is too far behind, is dropped and not
	// delivered again, and an error is only logged by the daemon. Read
	// ev.Ticket for the ticket's state rather than counting on having seen
	// every event. A later version will deliver events at least once,
	// through a durable outbox, and retry on error, so an event may then
	// arrive twice; ev.ID is already stable, so a department that drops an
	// ID it has handled is ready for that change.
	HandleEvent(ctx context.Context, ev Event) error
}

// Configurer is the optional capability of a department that takes
// settings from config.toml.
type Configurer interface {
	// Configure receives the department's settings as JSON (nil when
	// config.toml has none). It is called after every start of the
	// plugin process, before tickets are offered. An error is shown to
	// the operator (in the log and as the department's error on the
	// wallboard) and marks the department failed, so that it takes no
	// tickets until the settings are fixed and the daemon restarted (a
	// reload does not restart plugins today); it should say which
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
