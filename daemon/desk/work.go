package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-desk/switchboard/daemon/escalate"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// The work on a ticket that people and plugins do besides moving it along
// its life cycle: notes, assignment, escalation by hand.

// MaxAssignee is the longest assignee name accepted, in characters.
const MaxAssignee = 200

// AddNote records a note on ticket id. An empty or over-long note is a
// *ticket.FieldError; a closed or cancelled ticket is a *ConflictError.
func (d *Desk) AddNote(ctx context.Context, id, note, actor string) (ticket.Ticket, error) {
	note = strings.TrimSpace(note)
	if err := checkNote(note, true); err != nil {
		return ticket.Ticket{}, err
	}
	return d.update(ctx, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if !t.Open() {
			return nil, &ConflictError{TicketID: t.ID, Closed: true, Reason: fmt.Sprintf("is %s; notes go on open tickets", t.Status)}
		}
		return []ticket.Event{ticket.NewEvent(ticket.EventNote, actor, d.now().UTC(), map[string]string{"note": note})}, nil
	})
}

// Assign gives ticket id to assignee, with an optional note. Assigning the
// current assignee again records nothing.
func (d *Desk) Assign(ctx context.Context, id, assignee, note, actor string) (ticket.Ticket, error) {
	assignee, note = strings.TrimSpace(assignee), strings.TrimSpace(note)
	switch n := utf8.RuneCountInString(assignee); {
	case n == 0:
		return ticket.Ticket{}, ticket.Invalid("assignee", "is required")
	case n > MaxAssignee:
		return ticket.Ticket{}, ticket.Invalid("assignee", "is %d characters long, at most %d allowed", n, MaxAssignee)
	}
	if err := checkNote(note, false); err != nil {
		return ticket.Ticket{}, err
	}
	return d.update(ctx, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if !t.Open() {
			return nil, &ConflictError{TicketID: t.ID, Closed: true, Reason: fmt.Sprintf("is %s; only an open ticket can be assigned", t.Status)}
		}
		if t.Assignee == assignee {
			return nil, nil
		}
		data := map[string]string{"to": assignee}
		if t.Assignee != "" {
			data["from"] = t.Assignee
		}
		if note != "" {
			data["note"] = note
		}
		t.Assignee = assignee
		return []ticket.Event{ticket.NewEvent(ticket.EventAssigned, actor, d.now().UTC(), data)}, nil
	})
}

// levelsOf is the SLA engine's optional capability to list a chain's levels.
type levelsOf interface {
	Levels(chain string) []escalate.Level
}

// Escalate raises ticket id, by hand, to the next level of its escalation
// chain (the level after the highest one reached so far; the top level
// again when it was reached), with the reason: an escalated event naming
// the level's roles and people, like the ones the SLA clocks raise. A
// ticket whose policy has no chain is escalated to no level ("by hand",
// with no roles), so the reason is still on record and on the wallboard.
func (d *Desk) Escalate(ctx context.Context, id, reason, actor string) (ticket.Ticket, error) {
	reason = strings.TrimSpace(reason)
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		return ticket.Ticket{}, ticket.Invalid("reason", "is required: it is told to the people escalated to")
	case n > MaxReason:
		return ticket.Ticket{}, ticket.Invalid("reason", "is %d characters long, at most %d allowed", n, MaxReason)
	}
	history, err := d.store.History(ctx, id)
	if err != nil {
		return ticket.Ticket{}, fmt.Errorf("desk: escalate %s: %w", id, err)
	}
	reached := 0
	for _, ev := range history {
		if ev.Type != ticket.EventEscalated {
			continue
		}
		var data ticket.EscalationData
		if json.Unmarshal(ev.Data, &data) == nil && data.Level > reached {
			reached = data.Level
		}
	}
	return d.update(ctx, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if !t.Open() {
			return nil, &ConflictError{TicketID: t.ID, Closed: true, Reason: fmt.Sprintf("is %s; only an open ticket can be escalated", t.Status)}
		}
		data := ticket.EscalationData{Name: "by hand", Reason: reason, Roles: []string{}, People: []string{}}
		for _, tg := range t.SLA {
			if tg.Escalation != "" {
				data.Chain = tg.Escalation
				break
			}
		}
		if lv, ok := d.slaEngine().(levelsOf); ok && data.Chain != "" {
			if levels := lv.Levels(data.Chain); len(levels) > 0 {
				l := levels[min(reached, len(levels)-1)]
				data.Level, data.Name, data.Roles, data.People = l.Number, l.Name, l.Roles, l.People
			}
		}
		return []ticket.Event{ticket.NewEvent(ticket.EventEscalated, actor, d.now().UTC(), data)}, nil
	})
}

// checkNote checks a note's length; required says whether it may be empty.
func checkNote(note string, required bool) error {
	n := utf8.RuneCountInString(note)
	switch {
	case n == 0 && required:
		return ticket.Invalid("note", "is required")
	case n > ticket.MaxDescription:
		return ticket.Invalid("note", "is %d characters long, at most %d allowed", n, ticket.MaxDescription)
	}
	return nil
}
