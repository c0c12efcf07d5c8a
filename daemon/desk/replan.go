package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// Actor is the actor of the events the desk records on its own behalf
// (stakeholders told, a repeat complaint detected).
const Actor = "desk"

// MaxReason is the longest re-plan reason accepted, in characters.
const MaxReason = 500

// Directory is what the desk needs from the configuration besides routes
// and policies: the repeat-complaint rule ([repeat]). The people holding
// each role ([roles]) come from the SLA engine (sla.WithRoles).
type Directory struct {
	Repeat config.Repeat
}

// WithDirectory returns e with dir attached, to be given to SetRules:
//
//	dk.SetRules(router, desk.WithDirectory(engine, desk.Directory{Repeat: cfg.Repeat}), fallback)
//
// so that a reload swaps the rule together with the policies. Dir.Repeat is
// read as config.SetDefaults leaves it (count 0: detection off). Without a
// directory the desk detects repeats with the defaults.
func WithDirectory(e Engine, dir Directory) Engine {
	return &directed{Engine: e, dir: directory{repeat: NewRepeatRule(dir.Repeat)}}
}

// directed is an Engine with the desk's directory attached. The desk looks
// for the engine's optional capabilities on the engine it wraps
// (slaEngine).
type directed struct {
	Engine
	dir directory
}

type directory struct {
	repeat RepeatRule
}

// directory returns the directory given with the current rules.
func (d *Desk) directory() directory {
	if w, ok := d.engine().(*directed); ok {
		return w.dir
	}
	return directory{repeat: defaultRepeat}
}

// people returns the people holding roles, in role order, each once, as
// the SLA engine's roles name them.
func (d *Desk) people(roles []string) []string {
	out := []string{}
	if pf, ok := d.slaEngine().(peopleFinder); ok {
		out = append(out, pf.People(roles...)...)
	}
	return out
}

// slaEngine returns the SLA engine of the current rules, without the
// directory, for the optional capabilities below.
func (d *Desk) slaEngine() Engine {
	e := d.engine()
	if w, ok := e.(*directed); ok {
		return w.Engine
	}
	return e
}

// Optional capabilities of the SLA engine (package sla implements them).
type (
	// replanner moves one unmet target's deadline to due.
	replanner interface {
		Replan(t *ticket.Ticket, target string, due time.Time, reason string, now time.Time) ([]ticket.Event, error)
	}
	// stakeholderer names the roles told of t's plans.
	stakeholderer interface {
		Stakeholders(t *ticket.Ticket) []string
	}
	// policyPlanner plans a ticket under a policy chosen by name.
	policyPlanner interface {
		PlanPolicy(t *ticket.Ticket, policy string, start time.Time) error
	}
	// peopleFinder names the people holding roles.
	peopleFinder interface {
		People(roles ...string) []string
	}
	// policyBook looks up and selects policies.
	policyBook interface {
		Select(t *ticket.Ticket) (config.Policy, bool)
		Policy(name string) (config.Policy, bool)
		Policies() []config.Policy
	}
)

// stakeholderRoles returns the stakeholder roles of t's policy.
func (d *Desk) stakeholderRoles(t *ticket.Ticket) []string {
	if e, ok := d.slaEngine().(stakeholderer); ok {
		return e.Stakeholders(t)
	}
	return nil
}

// stakeholders returns the stakeholders.notified event telling the roles of
// t's policy why, or nil when the policy names none.
func (d *Desk) stakeholders(t *ticket.Ticket, reason string, now time.Time) *ticket.Event {
	roles := d.stakeholderRoles(t)
	if len(roles) == 0 {
		return nil
	}
	ev := ticket.NewEvent(ticket.EventStakeholders, Actor, now, ticket.StakeholdersData{
		Roles: slices.Clone(roles), People: d.people(roles), Reason: reason,
	})
	return &ev
}

// replanned appends to evs one stakeholders.notified event when evs moved a
// deadline (sla.replanned: a new planned time, a pause that ended, a
// changed calendar) and t's policy has stakeholders. Its reason lists each
// move: "resolution due 2026-11-25T10:00:00Z (was 2026-11-24T10:00:00Z):
// parts arrive tomorrow". Every path that may re-plan calls it on the events
// it is about to commit.
func (d *Desk) replanned(t *ticket.Ticket, evs []ticket.Event, now time.Time) []ticket.Event {
	var moves []string
	for _, ev := range evs {
		if ev.Type != ticket.EventReplanned {
			continue
		}
		var r ticket.ReplanData
		if err := json.Unmarshal(ev.Data, &r); err != nil {
			continue
		}
		moves = append(moves, fmt.Sprintf("%s due %s (was %s): %s", r.Target,
			r.ToDueAt.UTC().Format(time.RFC3339), r.FromDueAt.UTC().Format(time.RFC3339), r.Reason))
	}
	if len(moves) == 0 {
		return evs
	}
	if ev := d.stakeholders(t, "re-planned: "+strings.Join(moves, "; "), now); ev != nil {
		evs = append(evs, *ev)
	}
	return evs
}

// ConflictError is a request that the state of a ticket refuses: a re-plan
// of a target already met or breached, or of a ticket no longer open. The
// API answers it with 409.
type ConflictError struct {
	TicketID string
	Reason   string
	// Closed marks work refused because the ticket is closed or
	// cancelled (a note, an assignment, an escalation).
	Closed bool
}

// TicketClosed reports whether the conflict is a closed ticket (a 409
// ticket_closed for the API).
func (e *ConflictError) TicketClosed() bool { return e.Closed }

// Error returns "ticket ID: reason".
func (e *ConflictError) Error() string { return "ticket " + e.TicketID + ": " + e.Reason }

// Conflict marks the error as a 409 for the API.
func (e *ConflictError) Conflict() bool { return true }

// Replan sets a new planned time for target of ticket id: the target's
// deadline becomes due (its warning moves with it), an sla.replanned event
// records the move with reason and actor, and the policy's stakeholders are
// told. A missing target name, reason or due time, a due time not in the
// future, or an unknown target is a *ticket.FieldError; a target already met
// or breached, or a ticket closed or cancelled, is a *ConflictError.
func (d *Desk) Replan(ctx context.Context, id, target string, due time.Time, reason, actor string) (ticket.Ticket, error) {
	target, reason = strings.TrimSpace(target), strings.TrimSpace(reason)
	now := d.now().UTC()
	switch {
	case target == "":
		return ticket.Ticket{}, ticket.Invalid("target", "is required (the name of an SLA target, e.g. resolution)")
	case due.IsZero():
		return ticket.Ticket{}, ticket.Invalid("due_at", "is required (RFC 3339)")
	case ticket.CheckTime("due_at", due) != nil:
		return ticket.Ticket{}, ticket.CheckTime("due_at", due)
	case !due.After(now):
		return ticket.Ticket{}, ticket.Invalid("due_at", "%s is not in the future (now %s)", due.UTC().Format(time.RFC3339), now.Format(time.RFC3339))
	case reason == "":
		return ticket.Ticket{}, ticket.Invalid("reason", "is required: it is told to the stakeholders")
	case utf8.RuneCountInString(reason) > MaxReason:
		return ticket.Ticket{}, ticket.Invalid("reason", "is %d characters long, at most %d allowed", utf8.RuneCountInString(reason), MaxReason)
	}
	eng, ok := d.slaEngine().(replanner)
	if !ok {
		return ticket.Ticket{}, fmt.Errorf("desk: replan %s: the SLA engine cannot re-plan", id)
	}
	return d.update(ctx, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if !t.Open() {
			return nil, &ConflictError{TicketID: t.ID, Reason: fmt.Sprintf("is %s; only an open ticket can be re-planned", t.Status)}
		}
		tg := t.Target(target)
		switch {
		case tg == nil:
			return nil, ticket.Invalid("target", "ticket %s has no target %q (%s)", t.ID, target, targetNames(t))
		case tg.State == ticket.TargetMet || tg.MetAt != nil:
			return nil, &ConflictError{TicketID: t.ID, Reason: fmt.Sprintf("target %q is already met; only an unmet target can be re-planned", target)}
		case tg.State == ticket.TargetBreached:
			return nil, &ConflictError{TicketID: t.ID, Reason: fmt.Sprintf("target %q breached at %s; a broken promise cannot be re-planned", target, tg.DueAt.UTC().Format(time.RFC3339))}
		}
		evs, err := eng.Replan(t, target, due, reason, now)
		if err != nil {
			return nil, err
		}
		for i := range evs {
			if evs[i].Type == ticket.EventReplanned && actor != "" {
				evs[i].Actor = actor
			}
		}
		return d.replanned(t, evs, now), nil
	})
}

// targetNames lists t's targets for a message: "targets: response,
// resolution" or "it has no SLA targets".
func targetNames(t *ticket.Ticket) string {
	if len(t.SLA) == 0 {
		return "it has no SLA targets"
	}
	names := make([]string, len(t.SLA))
	for i := range t.SLA {
		names[i] = t.SLA[i].Name
	}
	return "targets: " + strings.Join(names, ", ")
}
