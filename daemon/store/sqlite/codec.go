package sqlite

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// timeLayout stores times as fixed-width UTC text with nanoseconds, so they
// read back exactly and sort as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// ticketID is the human-readable ID of the ticket in row n.
func ticketID(n int64) string { return "SB-" + strconv.FormatInt(n, 10) }

func encodeTicket(t *ticket.Ticket) (string, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return "", fmt.Errorf("encode ticket %s: %w", t.ID, err)
	}
	return string(b), nil
}

func decodeTicket(body string) (ticket.Ticket, error) {
	var t ticket.Ticket
	if err := json.Unmarshal([]byte(body), &t); err != nil {
		return ticket.Ticket{}, fmt.Errorf("decode stored ticket: %w", err)
	}
	return t, nil
}

// boolInt is SQLite's boolean.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkEvent rejects an event the store cannot keep faithfully. i is its
// position in the caller's slice, for the message.
func checkEvent(i int, ev *ticket.Event) error {
	if ev.Type == "" {
		return &ticket.FieldError{Field: fmt.Sprintf("events[%d].type", i), Message: "is required"}
	}
	if len(ev.Data) > 0 && !json.Valid(ev.Data) {
		return &ticket.FieldError{Field: fmt.Sprintf("events[%d].data", i), Message: "is not valid JSON"}
	}
	return nil
}

// nullData maps empty event data to NULL.
func nullData(d json.RawMessage) any {
	if len(d) == 0 {
		return nil
	}
	return string(d)
}

// eventRow receives one row of eventColumns: rows.Scan(r.dest()...) and
// then r.event(). Every read of events decodes them with it.
type eventRow struct {
	ev   ticket.Event
	at   string
	data sql.NullString
}

// dest is what Scan fills, in the order of eventColumns.
func (r *eventRow) dest() []any {
	return []any{&r.ev.Seq, &r.ev.Version, &r.ev.TicketID, &r.ev.Type, &r.at, &r.ev.Actor, &r.data}
}

// event decodes the row last scanned.
func (r *eventRow) event() (ticket.Event, error) {
	ev := r.ev
	at, err := parseTime(r.at)
	if err != nil {
		return ticket.Event{}, err
	}
	ev.At = at
	if r.data.Valid {
		ev.Data = json.RawMessage(r.data.String)
	}
	return ev, nil
}

// scanEvents reads rows of eventColumns.
func scanEvents(rows *sql.Rows) ([]ticket.Event, error) {
	defer rows.Close()
	var (
		evs  []ticket.Event
		r    eventRow
		dest = r.dest()
	)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		ev, err := r.event()
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	return evs, rows.Err()
}
