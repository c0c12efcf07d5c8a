package sla

import (
	"fmt"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// Paused reports whether t's clocks stand still: its last pause is open
// (the ticket waits on its reporter).
func Paused(t *ticket.Ticket) bool {
	n := len(t.Pauses)
	return n > 0 && t.Pauses[n-1].To == nil
}

// movable reports whether a pause or a recomputation may move tg: it is
// neither met nor breached.
func movable(tg *ticket.Target) bool {
	return !finished(tg) && tg.State != ticket.TargetBreached
}

// pause opens a pause at now.
func pause(t *ticket.Ticket, now time.Time) {
	t.Pauses = append(t.Pauses, ticket.Pause{From: now.UTC()})
}

// resume closes t's open pause at now and moves every movable target's
// deadline and warning later by the paused span measured on the target's
// clock, with one sla.replanned event per target that moved. When the
// ticket leaves waiting for good (cancelled, closed), move is false: the
// pause is closed and nothing moves.
func (e *Engine) resume(t *ticket.Ticket, now time.Time, move bool) []ticket.Event {
	p := &t.Pauses[len(t.Pauses)-1]
	to := now.UTC()
	if to.Before(p.From) {
		to = p.From
	}
	p.To = &to
	if !move {
		return nil
	}
	why := fmt.Sprintf("paused %s waiting on the reporter", shortDuration(to.Sub(p.From).Round(time.Second)))
	var evs []ticket.Event
	for i := range t.SLA {
		tg := &t.SLA[i]
		if !movable(tg) {
			continue
		}
		cal := e.targetCalendar(t.Policy, tg.Calendar)
		d := span(tg.Kind, cal, p.From, to)
		if d <= 0 {
			continue // paused outside working hours: nothing to give back
		}
		old := tg.DueAt
		tg.DueAt = shift(tg.Kind, cal, tg.DueAt, d).UTC()
		tg.WarnAt = shift(tg.Kind, cal, tg.WarnAt, d).UTC()
		if !tg.DueAt.Equal(old) {
			evs = append(evs, replanned(tg, old, why, now))
		}
	}
	return evs
}

// replanned is the sla.replanned event of tg moved from old.
func replanned(tg *ticket.Target, old time.Time, reason string, now time.Time) ticket.Event {
	return ticket.NewEvent(ticket.EventReplanned, Actor, now, ticket.ReplanData{
		Target: tg.Name, FromDueAt: old.UTC(), ToDueAt: tg.DueAt.UTC(), Reason: reason,
	})
}
