package kit

import (
	"encoding/json"
	"time"

	"github.com/switchboard-desk/switchboard/sdk"
)

// The event types the bundled departments act on (sdk.Event.Type).
const (
	EventStatus   = "ticket.status_changed"
	EventNote     = "ticket.note_added"
	EventWarning  = "sla.warning"
	EventBreached = "sla.breached"
)

// StatusChange is the data of a ticket.status_changed event.
type StatusChange struct {
	From string `json:"from"`
	To   string `json:"to"`
	Note string `json:"note"`
}

// StatusOf decodes a ticket.status_changed event's data; ok is false for
// another type or data it cannot read.
func StatusOf(ev sdk.Event) (sc StatusChange, ok bool) {
	if ev.Type != EventStatus || json.Unmarshal(ev.Data, &sc) != nil {
		return StatusChange{}, false
	}
	return sc, true
}

// SLA is the data of an sla.warning or sla.breached event: the target and
// its deadline.
type SLA struct {
	Target string    `json:"target"`
	DueAt  time.Time `json:"due_at"`
}

// SLAOf decodes an sla.* event's data. A missing or unreadable payload
// gives a zero SLA: the event still says a promise is at risk or broken.
func SLAOf(ev sdk.Event) SLA {
	var s SLA
	if len(ev.Data) > 0 {
		_ = json.Unmarshal(ev.Data, &s)
	}
	return s
}

// NoteOf returns the text of a ticket.note_added event ({"note": "..."}),
// or "" for another type or data it cannot read.
func NoteOf(ev sdk.Event) string {
	var v struct {
		Note string `json:"note"`
	}
	if ev.Type != EventNote || json.Unmarshal(ev.Data, &v) != nil {
		return ""
	}
	return v.Note
}

// Own reports whether the department's plugin itself caused ev (its actor
// is "plugin:<the ticket's department>"). The daemon does not send these;
// a department ignores them anyway, so that its own notes never trigger it.
func Own(ev sdk.Event) bool {
	return ev.Ticket.Department != "" && ev.Actor == "plugin:"+ev.Ticket.Department
}

// Open reports whether work remains on a ticket in status: neither
// resolved (waiting for the reporter's confirmation), closed nor
// cancelled.
func Open(status string) bool {
	switch status {
	case "resolved", "closed", "cancelled":
		return false
	}
	return true
}
