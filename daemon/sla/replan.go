package sla

import (
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/calendar"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// ErrTargetSettled is returned (wrapped) by Replan for a target that is
// already met or breached: its promise is settled and no longer moves. The
// API answers it with 409.
var ErrTargetSettled = errors.New("target already met or breached")

// ErrTicketClosed is returned (wrapped) by Replan for a closed or cancelled
// ticket.
var ErrTicketClosed = errors.New("ticket is closed or cancelled")

// Replan sets a new planned time for target of t, at now: DueAt becomes
// due, WarnAt the warn fraction of the span from now to due measured on the
// target's clock, and the target is marked Planned, so a later calendar
// change (Recompute) leaves it while pauses still move it. It returns one
// sla.replanned event with reason (default "re-planned"), or none when due
// is the deadline already. Checkpoints already fired stay fired: a warning
// given is not given again.
//
// Errors: an unknown target or a due not after now is a *ticket.FieldError
// (on "target" or "due_at"); a met or breached target wraps
// ErrTargetSettled; a closed or cancelled ticket wraps ErrTicketClosed.
// The desk tells the policy's stakeholders (see Stakeholders).
func (e *Engine) Replan(t *ticket.Ticket, target string, due time.Time, reason string, now time.Time) ([]ticket.Event, error) {
	if !t.Open() {
		return nil, fmt.Errorf("sla: replan %s of %s: %w", target, t.ID, ErrTicketClosed)
	}
	tg := t.Target(target)
	if tg == nil {
		names := make([]string, 0, len(t.SLA))
		for _, x := range t.SLA {
			names = append(names, x.Name)
		}
		return nil, ticket.Invalid("target", "unknown target %q (the ticket has %v)", target, names)
	}
	if !movable(tg) {
		return nil, fmt.Errorf("sla: replan %s of %s: %w (%s)", target, t.ID, ErrTargetSettled, tg.State)
	}
	if !due.After(now) {
		return nil, ticket.Invalid("due_at", "%s is not after now (%s)", due.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if reason == "" {
		reason = "re-planned"
	}
	warn := DefaultWarn
	if r, _, ok := e.ruleOf(t.Policy, target); ok {
		warn = r.warn
	}
	cal := e.targetCalendar(t.Policy, tg.Calendar)
	old := tg.DueAt
	tg.Planned = true
	tg.DueAt = due.UTC()
	tg.WarnAt = warnAt(tg.Kind, cal, now, tg.DueAt, warn).UTC()
	if tg.DueAt.Equal(old) {
		return nil, nil
	}
	return []ticket.Event{replanned(tg, old, reason, now)}, nil
}

// Recompute computes again, at now, the deadline of every target of open
// ticket t that is neither met, breached, nor re-planned by hand: from the
// target's Start and the ticket's closed pauses, by its policy's current
// rule on its policy's current calendar. A target whose deadline moves gets
// its new DueAt, WarnAt, Kind and Calendar and one sla.replanned event
// ("calendar office changed"; "policy P changed" when the target's kind or
// calendar changed or its kind uses no calendar). Then every checkpoint due
// at now fires (see Fire): a deadline moved into the past fires at once,
// and once, since fired checkpoints are recorded.
//
// Targets of a policy or name no longer configured, targets without a
// Start (planned by an older version) and event_offset targets of a ticket
// without event_at are left alone. Recompute is idempotent: on an unchanged
// configuration it moves nothing. The daemon calls it for every open ticket
// after a reload and on start.
func (e *Engine) Recompute(t *ticket.Ticket, now time.Time) []ticket.Event {
	if !t.Open() {
		return nil
	}
	var evs []ticket.Event
	if i, ok := e.byName[t.Policy]; ok {
		p := e.policies[i]
		calName := p.Calendar
		if calName == "" {
			calName = DefaultCalendar
		}
		cal, _ := e.calendarOf(calName)
		for j := range t.SLA {
			tg := &t.SLA[j]
			if !movable(tg) || tg.Planned || tg.Start.IsZero() {
				continue
			}
			r, _, ok := e.ruleOf(t.Policy, tg.Name)
			if !ok || (r.eventNeeded && t.EventAt == nil) {
				continue
			}
			base := r.due(cal, tg.Start, t.EventAt)
			warn := warnAt(r.kind, cal, tg.Start, base, r.warn)
			paused := pausedSpan(r.kind, cal, tg.Start, t.Pauses)
			due := shift(r.kind, cal, base, paused).UTC()
			warn = shift(r.kind, cal, warn, paused).UTC()
			why := "calendar " + calName + " changed"
			if r.kind != tg.Kind || calName != tg.Calendar || r.kind == KindAfterCalendar || r.kind == KindEventOffset {
				why = "policy " + p.Name + " changed"
			}
			old := tg.DueAt
			tg.Kind, tg.Calendar, tg.WarnAt, tg.DueAt = r.kind, calName, warn, due
			if !due.Equal(old) {
				evs = append(evs, replanned(tg, old, why, now))
			}
		}
	}
	return append(evs, e.Fire(t, now)...)
}

// pausedSpan sums the closed pauses after start, measured on the clock of
// kind.
func pausedSpan(kind string, cal *calendar.Calendar, start time.Time, pauses []ticket.Pause) time.Duration {
	var sum time.Duration
	for _, p := range pauses {
		if p.To == nil || p.From.Before(start) {
			continue
		}
		sum += span(kind, cal, p.From, *p.To)
	}
	return sum
}
