package sdk

import "encoding/json"

// Capabilities are the optional features a plugin serves, as it tells the
// host after start. A plugin built before capabilities existed reports
// none (Legacy), and the host then uses only the unary calls.
type Capabilities struct {
	// Deliver: the plugin serves the work stream (Client.OpenStream).
	Deliver bool
	// Events: the plugin wants events.
	Events bool
	// Health: the plugin has its own health check.
	Health bool
	// Host: the plugin calls back into the daemon (it is a HostUser).
	Host bool
	// Legacy is true when the plugin does not answer the capabilities
	// call at all.
	Legacy bool
}

// Config is what the host hands a plugin after every start.
type Config struct {
	// Department is the department the plugin serves on this desk.
	Department string
	// Settings are the department's settings from config.toml as JSON;
	// nil when there are none.
	Settings json.RawMessage
	// Host, when not nil, is served to the plugin through go-plugin's
	// broker so that it can call back into the daemon.
	Host Host
}

// Delivery is one item of the work stream: exactly one of Ticket (an
// offer, answered as HandleTicket is) and Event.
type Delivery struct {
	// ID is unique within the stream; the Ack carries it back.
	ID     uint64
	Ticket *Ticket
	Event  *Event
}

// Ack answers the Delivery with the same ID.
type Ack struct {
	ID uint64
	// Reply is the answer to a ticket offer; zero for an event.
	Reply Reply
	// Err is the plugin's error text when its code failed on the item;
	// the host delivers the item again later. "" means done.
	Err string
}

// Stream is the host's end of a plugin's work stream. Send and Recv may be
// called from two goroutines at once (one sender, one receiver).
type Stream interface {
	// Send sends one item.
	Send(d Delivery) error
	// Recv returns the next ack; an error ends the stream (io.EOF when the
	// plugin closed it).
	Recv() (Ack, error)
	// CloseSend tells the plugin no more items will come; it answers what
	// it holds and ends the stream.
	CloseSend() error
}
