package sla

import (
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/escalate"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// action is what a level does besides telling its roles.
type action struct {
	reassign string // role whose first person gets the ticket
	raise    bool   // raise the severity one step
}

// WithChains gives the engine the [[escalation]] chains of the
// configuration (the same ones esc was built from), for the actions of
// their levels: reassign and raise_severity. Without it, levels only tell
// their roles. The roles a level reassigns to must be known (WithRoles).
func WithChains(chains []config.Chain) Option {
	return func(e *Engine) {
		e.actions = make(map[string][]action, len(chains))
		for _, c := range chains {
			as := make([]action, len(c.Levels))
			for i, l := range c.Levels {
				as[i] = action{reassign: l.Reassign, raise: l.RaiseSeverity}
			}
			e.actions[c.Name] = as
		}
	}
}

// checkActions checks that every role a level reassigns to is known.
func (e *Engine) checkActions() error {
	for chain, as := range e.actions {
		for i, a := range as {
			if a.reassign == "" {
				continue
			}
			if people := e.roles[a.reassign]; len(people) == 0 {
				return fmt.Errorf("sla: escalation %q level %d: reassign names role %q, which has no people in [roles]",
					chain, i+1, a.reassign)
			}
		}
	}
	return nil
}

// actionOf returns the action of level l, if any.
func (e *Engine) actionOf(l escalate.Level) action {
	as := e.actions[l.Chain]
	if l.Number < 1 || l.Number > len(as) {
		return action{}
	}
	return as[l.Number-1]
}

// severityOrder is the ladder raise_severity climbs.
var severityOrder = []string{"minor", "serious", "major", "critical"}

// act applies the actions of level l, fired for target tg at now, to t and
// returns their events:
//
//   - reassign: t.Assignee becomes the first person of the role, with a
//     ticket.assigned event {"from", "to", "note"} (nothing when the ticket
//     already is theirs);
//   - raise_severity: t.Severity climbs one step of minor → serious →
//     major → critical, recorded as a ticket.note_added event {"note",
//     "field": "severity", "from", "to"} (nothing at critical or for a
//     severity off the ladder). The ticket keeps its policy and deadlines:
//     the raise makes it more visible, it does not re-plan it.
func (e *Engine) act(t *ticket.Ticket, tg *ticket.Target, l escalate.Level, now time.Time) []ticket.Event {
	a := e.actionOf(l)
	var evs []ticket.Event
	why := fmt.Sprintf("escalation %q level %d (%s) on the %s target", l.Chain, l.Number, l.Name, tg.Name)
	if people := e.roles[a.reassign]; a.reassign != "" && len(people) > 0 && t.Assignee != people[0] {
		data := map[string]string{"to": people[0], "note": "reassigned to " + a.reassign + " by " + why}
		if t.Assignee != "" {
			data["from"] = t.Assignee
		}
		t.Assignee = people[0]
		evs = append(evs, ticket.NewEvent(ticket.EventAssigned, Actor, now, data))
	}
	if a.raise {
		if i := slices.Index(severityOrder, t.Severity); i >= 0 && i < len(severityOrder)-1 {
			from, to := t.Severity, severityOrder[i+1]
			t.Severity = to
			evs = append(evs, ticket.NewEvent(ticket.EventNote, Actor, now, map[string]string{
				"note":  fmt.Sprintf("severity raised from %s to %s by %s", from, to, why),
				"field": "severity", "from": from, "to": to,
			}))
		}
	}
	return evs
}
