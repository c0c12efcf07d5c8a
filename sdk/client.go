package sdk

import "context"

// Client is the host's view of a running department plugin. Dispensing
// [PluginName] from a go-plugin client built with [PluginSet] returns one.
// Every method is safe for concurrent use.
type Client interface {
	// Info asks the plugin to describe itself.
	Info(ctx context.Context) (Info, error)
	// Capabilities asks the plugin which optional features it serves. A
	// plugin that predates the call gives Capabilities{Legacy: true} and a
	// nil error.
	Capabilities(ctx context.Context) (Capabilities, error)
	// Configure hands the plugin its department, settings and, when
	// c.Host is set, a Host it can call back (served through go-plugin's
	// broker until the plugin process ends).
	Configure(ctx context.Context, c Config) error
	// OpenStream opens the plugin's work stream (Capabilities.Deliver). The
	// stream ends when ctx ends.
	OpenStream(ctx context.Context) (Stream, error)
	// HandleTicket offers the plugin a ticket.
	HandleTicket(ctx context.Context, t Ticket) (Reply, error)
	// HandleEvent tells the plugin of an event. A plugin without an
	// [EventHandler] acknowledges it with a nil error.
	HandleEvent(ctx context.Context, ev Event) error
	// Health returns nil while the plugin answers and reports itself
	// healthy.
	Health(ctx context.Context) error
}
