package sla

import (
	"time"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// Observe records that t moved from → to at now, and marks met the targets
// whose milestone the move reaches:
//
//   - "response" when the ticket is acknowledged, or reaches any later
//     status without passing through acknowledged (in_progress, waiting,
//     resolved, closed, reopened);
//   - "resolution" when the ticket is resolved or closed.
//
// Other target names are never met by a status change.
//
// Waiting on the reporter stops the clocks. Entering waiting first fires
// what is due at now, then opens a pause (ticket.Pause{From: now}); while
// it is open nothing fires. Leaving waiting closes the pause and moves every
// target neither met nor breached later by the paused span measured on the
// target's clock (business time for after_business and the day-based kinds,
// real time for the others; see KindAfterBusiness), with one sla.replanned
// event per moved target (reason "paused 2h10m waiting on the reporter",
// the real span); then what is due fires. Leaving waiting for cancelled or
// closed only closes the pause.
//
// Observe fires every checkpoint due at now (see Fire), so a milestone
// reached at or after a target's deadline finds the target breached: a
// breached target stays breached, and its MetAt records when the milestone
// was reached late, which ends its escalation. It returns the fired events
// followed by one sla.met event (ticket.SLAData) per target met.
//
// The milestone depends only on to; from is for the record. Observe may be
// called before or after t.Status is set to to. A reopened ticket keeps its
// met resolution target; a later change may re-open the promise instead.
func (e *Engine) Observe(t *ticket.Ticket, from, to ticket.Status, now time.Time) []ticket.Event {
	var evs []ticket.Event
	if to != ticket.StatusWaiting && Paused(t) {
		evs = e.resume(t, now, !to.Terminal())
	}
	evs = append(evs, e.Fire(t, now)...)
	if to == ticket.StatusWaiting && !Paused(t) {
		pause(t, now)
	}
	for i := range t.SLA {
		tg := &t.SLA[i]
		if finished(tg) || !reaches(tg.Name, to) {
			continue
		}
		at := now.UTC()
		tg.MetAt = &at
		if tg.State == ticket.TargetBreached {
			continue
		}
		tg.State = ticket.TargetMet
		evs = append(evs, ticket.NewEvent(ticket.EventSLAMet, Actor, now,
			ticket.SLAData{Target: tg.Name, DueAt: tg.DueAt}))
	}
	return evs
}

// reaches reports whether status s reaches the milestone of the target name.
func reaches(name string, s ticket.Status) bool {
	switch name {
	case TargetResponse:
		switch s {
		case ticket.StatusAcknowledged, ticket.StatusInProgress, ticket.StatusWaiting,
			ticket.StatusResolved, ticket.StatusClosed, ticket.StatusReopened:
			return true
		}
	case TargetResolution:
		return s == ticket.StatusResolved || s == ticket.StatusClosed
	}
	return false
}
