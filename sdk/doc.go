// Package sdk is everything a Switchboard department plugin imports.
//
// A department is a separate process that owns a share of the service
// desk's tickets: the daemon routes a ticket to it, the department accepts
// it and names who works on it, and it hears of every later change to its
// tickets. The daemon speaks to departments over hashicorp/go-plugin
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
// HandleEvent for each change of those tickets. It calls Health periodically and
// restarts a plugin that stops answering; what the plugin held is delivered
// again. Tickets and events are therefore delivered at least once: a
// department must answer idempotently by Ticket.ID and Event.ID.
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
