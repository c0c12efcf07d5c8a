package sdk

import (
	"context"
	"encoding/json"
)

// Client is the host's view of a running department plugin. Dispensing
// [PluginName] from a go-plugin client built with [PluginSet] returns one.
// Every method is safe for concurrent use.
type Client interface {
	// Info asks the plugin to describe itself.
	Info(ctx context.Context) (Info, error)
	// Configure hands the plugin its settings as JSON.
	Configure(ctx context.Context, settings json.RawMessage) error
	// HandleTicket offers the plugin a ticket.
	HandleTicket(ctx context.Context, t Ticket) (Reply, error)
	// HandleEvent tells the plugin of an event. A plugin without an
	// [EventHandler] acknowledges it with a nil error.
	HandleEvent(ctx context.Context, ev Event) error
	// Health returns nil while the plugin answers and reports itself
	// healthy.
	Health(ctx context.Context) error
}
