// Package sdk is everything a Switchboard department plugin imports.
//
// A department is a separate process that owns a share of the service
// desk's tickets: the daemon routes a ticket to it, the department accepts
// it and names who works on it, and, if it implements [EventHandler], it
// hears of later changes to its tickets while it runs. The daemon speaks to departments over hashicorp/go-plugin
// (gRPC); this package hides the protocol so that an author writes plain Go:
//
//	type desk struct{ sdk.Base }
//
//	func (desk) Info() sdk.Info { return sdk.Info{Name: "facilities", Version: "1.0.0"} }
//
//	func (desk) HandleTicket(ctx context.Context, t sdk.Ticket) (sdk.Reply, error) {
//		return sdk.Reply{Accept: true, Assignee: "Wang Li"}, nil
//	}
//
//	func main() { sdk.Serve(desk{}) }
//
// # Life cycle of a plugin
//
// The daemon starts the binary, checks its sha256 and completes the
// go-plugin handshake ([Handshake]). It then calls Info, then Configure with
// the department's settings from config.toml (after every start of the
// process), then HandleTicket for each ticket routed to the department and
// HandleEvent for the changes of those tickets. It calls Health periodically
// and restarts a plugin that stops answering.
//
// # Delivery
//
// Tickets are delivered at least once: a ticket stays new, durably, until
// the plugin's answer is committed, and is delivered again after a plugin
// restart or a daemon restart. A department must answer idempotently by
// Ticket.ID. An error from HandleTicket is recorded in the ticket's history
// (a ticket.dispatch_failed event with the error) and the ticket is
// retried with backoff.
//
// Events are delivered best effort: in order per department while the
// plugin runs, but an event sent while the plugin is down is not delivered
// again, and an error from HandleEvent is only logged. A later version
// will deliver events at least once through a durable outbox; Event.ID is
// stable, so a department that drops an ID it has handled is ready for it.
//
// If the daemon dies without stopping its plugins (kill -9, a crash),
// [Serve] notices that the plugin has been re-parented and exits the
// process, so plugins never outlive their daemon.
//
// # Capabilities
//
// [Department] is the one required interface. Optional capabilities are
// extra interfaces, detected at run time: [Configurer] to receive settings,
// [EventHandler] to hear of events, [HealthChecker] to report ill health.
// Embed [Base] to get no-op defaults for all of them.
//
// # Errors
//
// An error returned by a plugin reaches the host as a [*PluginError] that
// names the plugin and the call; a failure of the transport (a dead
// process, a timeout) reaches it as some other error, see [IsPluginError].
//
// # Testing
//
// Package sdk/sdktest runs a department in the test process over the real
// gRPC protocol, and builds and starts a plugin binary as a real process.
//
// # Hosts
//
// A host (the daemon's pluginhost, or any other program) uses [PluginSet]
// and [Handshake] in its plugin.ClientConfig; dispensing [PluginName] gives
// a [Client].
package sdk
