package desk

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// MeetTarget marks target of ticket id met by a person: the way to meet a
// checklist target (reception.vip's route_check, room_check, room_open),
// which no status change reaches, and any other target by hand.
//
// It follows the rule of the SLA engine's Observe: first every checkpoint
// due at now fires, so a target whose deadline has passed is found
// breached; then the target's MetAt is set to now, which ends its warnings,
// breach and escalation (the engine fires nothing more for a target with
// MetAt set). A target met in time becomes met, with an sla.met event
// (ticket.SLAData) by actor. A breached target stays breached and records
// only when it was met late, in MetAt and in a ticket.note_added event by
// actor ("route_check met late, due ...: note"), as Observe writes no
// sla.met for it. A non-empty note is recorded in a ticket.note_added event
// by actor.
//
// A missing or unknown target, or a note longer than
// ticket.MaxDescription, is a *ticket.FieldError; a target already met (or
// met late), or a ticket closed or cancelled, is a *ConflictError.
func (d *Desk) MeetTarget(ctx context.Context, id, target, note, actor string) (ticket.Ticket, error) {
	target, note = strings.TrimSpace(target), strings.TrimSpace(note)
	switch n := utf8.RuneCountInString(note); {
	case target == "":
		return ticket.Ticket{}, ticket.Invalid("target", "is required (the name of an SLA target, e.g. room_check)")
	case n > ticket.MaxDescription:
		return ticket.Ticket{}, ticket.Invalid("note", "is %d characters long, at most %d allowed", n, ticket.MaxDescription)
	}
	return d.update(ctx, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if !t.Open() {
			return nil, &ConflictError{TicketID: t.ID, Reason: fmt.Sprintf("is %s; only an open ticket's targets can be met", t.Status)}
		}
		if t.Target(target) == nil {
			return nil, ticket.Invalid("target", "ticket %s has no target %q (%s)", t.ID, target, targetNames(t))
		}
		if tg := t.Target(target); tg.MetAt != nil || tg.State == ticket.TargetMet {
			return nil, &ConflictError{TicketID: t.ID, Reason: fmt.Sprintf("target %q is already met at %s", target, metAt(tg))}
		}
		now := d.now().UTC()
		evs := d.engine().Fire(t, now)
		tg := t.Target(target) // Fire may have breached it
		tg.MetAt = &now
		if tg.State == ticket.TargetBreached {
			msg := fmt.Sprintf("%s met late, due %s", tg.Name, tg.DueAt.UTC().Format(time.RFC3339))
			if note != "" {
				msg += ": " + note
			}
			return append(evs, ticket.NewEvent(ticket.EventNote, actor, now, map[string]string{"note": msg})), nil
		}
		tg.State = ticket.TargetMet
		evs = append(evs, ticket.NewEvent(ticket.EventSLAMet, actor, now, ticket.SLAData{Target: tg.Name, DueAt: tg.DueAt}))
		if note != "" {
			evs = append(evs, ticket.NewEvent(ticket.EventNote, actor, now, map[string]string{"note": tg.Name + " met: " + note}))
		}
		return evs, nil
	})
}

// metAt writes when tg was met, or "an unknown time" for a target met
// without MetAt (written before MetAt was recorded).
func metAt(tg *ticket.Target) string {
	if tg.MetAt == nil {
		return "an unknown time"
	}
	return tg.MetAt.UTC().Format(time.RFC3339)
}
