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
	// HandleTicket offers the department a ticket routed to it. It must be
	// idempotent by t.ID: tickets may be delivered more than once (after a
	// plugin restart, for instance), and a second delivery should give the
	// same answer as the first.
	HandleTicket(ctx context.Context, t Ticket) (Reply, error)
}

// EventHandler is the optional capability of a department that wants to
// hear of changes to its tickets. A department without it acknowledges
// every event unread.
type EventHandler interface {
	// HandleEvent is called for each event of a ticket routed to the
	// department. Events may be delivered more than once; ev.ID is stable
	// across deliveries. An error asks the host to deliver it again later.
	HandleEvent(ctx context.Context, ev Event) error
}

// Configurer is the optional capability of a department that takes
// settings from config.toml.
type Configurer interface {
	// Configure receives the department's settings as JSON (nil when
	// config.toml has none). It is called after every start of the
	// plugin process, before tickets are offered. An error is shown to
	// the operator and marks the department failed, so that it takes no
	// tickets until the settings are fixed; it should say which setting
	// is wrong.
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
