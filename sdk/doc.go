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
// go-plugin handshake ([Handshake]). It then asks for the plugin's
// capabilities (the optional features it serves), calls Info, hands a
// [HostUser] its [Host] (UseHost) and calls Configure with the department's
// settings from config.toml; all of this after every start of the process.
// It then opens the work stream and sends the department's tickets
// (HandleTicket) and events (HandleEvent) on it, many in flight at once:
// the SDK runs the items of different tickets in parallel and those of
// one ticket in order. It checks health periodically and restarts a
// plugin that dies or stops answering.
//
// # Delivery
//
// Tickets and events are delivered at least once, in order per ticket:
// every item stays in the daemon's durable outbox until the plugin has
// acknowledged it (HandleTicket or HandleEvent returned), and one not
// acknowledged when either side stops is delivered again, with the same
// Ticket.ID or Event.ID, after the restart. A department must therefore
// answer idempotently by Ticket.ID and skip an Event.ID it has handled.
// An error from HandleTicket is recorded in the ticket's history (a
// ticket.dispatch_failed event with the error) and the ticket is retried
// with backoff; an error from HandleEvent is logged and the event retried.
//
// If the daemon dies without stopping its plugins (kill -9, a crash),
// [Serve] notices that the plugin has been re-parented and exits the
// process, so plugins never outlive their daemon.
//
// # Capabilities
//
// [Department] is the one required interface. Optional capabilities are
// extra interfaces, detected at run time: [Configurer] to receive settings,
// [EventHandler] to hear of events, [HealthChecker] to report ill health,
// [HostUser] to call back into the daemon through a [Host] (read a ticket,
// add a note, transition, assign, re-plan, create, escalate). Embed [Base]
// to get no-op defaults for the first three.
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
// gRPC protocol, or builds and starts a plugin binary as a real process,
// configured as the daemon does, against a fake Host that records every
// call the plugin makes.
//
// # Hosts
//
// A host (the daemon's pluginhost, or any other program) uses [PluginSet]
// and [Handshake] in its plugin.ClientConfig; dispensing [PluginName] gives
// a [Client]: Capabilities, then Configure with a [Config] (whose Host is
// served to the plugin through go-plugin's broker), then OpenStream for a
// plugin with Capabilities.Deliver, or the unary calls for a Legacy one.
package sdk
