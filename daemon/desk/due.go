package desk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// MaxPauses is the most pauses a due question may carry.
const MaxPauses = 100

// Due answers "when would this fall due?" without creating a ticket: it
// plans a scratch ticket whose clocks start at q.Start under the policy
// named by q.Policy, or selected by q's ticket fields as for a new ticket,
// then runs it through q.Pauses (waiting from each pause's start, working
// again from its end) exactly as the live engine would, and returns each
// target's deadline and warning.
//
// As on a live ticket, a pause reaches the response milestone (a ticket
// set waiting has been answered), so the response deadline does not move
// with pauses, and a deadline that passes before a pause begins is
// breached and stays where it was.
//
// Bad questions are *ticket.FieldError naming the field: no start, a
// policy and ticket fields both or neither, an unknown policy or kind,
// pauses out of order or before start, and event_at missing for a policy
// with event_offset targets (from the engine's Plan).
func (d *Desk) Due(_ context.Context, q wire.DueRequest) (wire.DueResponse, error) {
	eng := d.slaEngine()
	book, ok := eng.(policyBook)
	if !ok {
		return wire.DueResponse{}, fmt.Errorf("desk: due: the SLA engine cannot look up policies")
	}
	if q.Start == nil || q.Start.IsZero() {
		return wire.DueResponse{}, ticket.Invalid("start", "is required (RFC 3339, when the clocks start)")
	}
	start := q.Start.UTC()
	if err := ticket.CheckTime("start", start); err != nil {
		return wire.DueResponse{}, err
	}
	if q.EventAt != nil {
		if err := ticket.CheckTime("event_at", *q.EventAt); err != nil {
			return wire.DueResponse{}, err
		}
	}
	if err := checkPauses(q.Pauses, start); err != nil {
		return wire.DueResponse{}, err
	}
	t, err := scratch(book, q)
	if err != nil {
		return wire.DueResponse{}, err
	}
	t.ID, t.Status, t.CreatedAt, t.UpdatedAt = "due", ticket.StatusInProgress, start, start
	if q.EventAt != nil {
		at := q.EventAt.UTC()
		t.EventAt = &at
	}
	if err := plan(eng, t, q.Policy, start); err != nil {
		return wire.DueResponse{}, err
	}
	for _, p := range q.Pauses {
		t.Status = ticket.StatusWaiting
		eng.Observe(t, ticket.StatusInProgress, ticket.StatusWaiting, p.From.UTC())
		t.Status = ticket.StatusInProgress
		eng.Observe(t, ticket.StatusWaiting, ticket.StatusInProgress, p.To.UTC())
	}
	out := wire.DueResponse{Policy: t.Policy, Targets: []wire.DueTarget{}}
	for _, tg := range t.SLA {
		out.Targets = append(out.Targets, wire.DueTarget{Name: tg.Name, DueAt: tg.DueAt.UTC(), WarnAt: tg.WarnAt.UTC()})
	}
	return out, nil
}

// plan plans t at start under the policy named (by the engine's
// PlanPolicy), or the policy t's fields select when name is "".
func plan(eng Engine, t *ticket.Ticket, name string, start time.Time) error {
	if name == "" {
		return eng.Plan(t, start)
	}
	pp, ok := eng.(policyPlanner)
	if !ok {
		return fmt.Errorf("desk: due: the SLA engine cannot plan by policy name")
	}
	return pp.PlanPolicy(t, name, start)
}

// checkPauses checks that pauses are complete spans, in order, not
// overlapping and not before start.
func checkPauses(ps []wire.Span, start time.Time) error {
	if len(ps) > MaxPauses {
		return ticket.Invalid("pauses", "has %d spans, at most %d allowed", len(ps), MaxPauses)
	}
	prev, prevName := start, "start"
	for i, p := range ps {
		f := fmt.Sprintf("pauses[%d]", i)
		switch {
		case p.From == nil:
			return ticket.Invalid(f+".from", "is required (RFC 3339)")
		case p.To == nil:
			return ticket.Invalid(f+".to", "is required (RFC 3339)")
		case ticket.CheckTime(f+".from", *p.From) != nil:
			return ticket.CheckTime(f+".from", *p.From)
		case ticket.CheckTime(f+".to", *p.To) != nil:
			return ticket.CheckTime(f+".to", *p.To)
		case !p.To.After(*p.From):
			return ticket.Invalid(f+".to", "%s is not after from %s", p.To.Format(time.RFC3339), p.From.Format(time.RFC3339))
		case p.From.Before(prev):
			return ticket.Invalid(f+".from", "%s is before %s %s (pauses must be in order, after start, and not overlap)",
				p.From.Format(time.RFC3339), prevName, prev.Format(time.RFC3339))
		}
		prev, prevName = *p.To, f+".to"
	}
	return nil
}

// scratch checks the policy or ticket fields of q and returns the ticket
// to plan: q's ticket fields as a new ticket would have them, or, for a
// policy asked by name (planned with PlanPolicy), no fields.
func scratch(book policyBook, q wire.DueRequest) (*ticket.Ticket, error) {
	hasFields := q.Kind != "" || q.Category != "" || q.Severity != "" || q.Tier != ""
	switch {
	case q.Policy != "" && hasFields:
		return nil, ticket.Invalid("policy", "give either a policy name or ticket fields (kind, category, severity, tier), not both")
	case q.Policy == "" && !hasFields:
		return nil, ticket.Invalid("policy", "is required, or give the ticket's kind (and category, severity, tier) to select one")
	case q.Policy != "":
		if _, ok := book.Policy(q.Policy); !ok {
			return nil, ticket.Invalid("policy", "unknown policy %q (known: %s)", q.Policy, policyNames(book))
		}
		return &ticket.Ticket{}, nil
	}
	t := &ticket.Ticket{Kind: q.Kind, Category: q.Category, Severity: q.Severity, Tier: q.Tier}
	t.Normalize()
	switch {
	case t.Kind == "":
		return nil, ticket.Invalid("kind", "is required with ticket fields (one of complaint, repair, request)")
	case !t.Kind.Valid():
		return nil, ticket.Invalid("kind", "unknown kind %q (one of complaint, repair, request)", t.Kind)
	case !slices.Contains(ticket.Severities, t.Severity):
		return nil, ticket.Invalid("severity", "unknown severity %q (one of %s)", t.Severity, strings.Join(ticket.Severities, ", "))
	case !slices.Contains(ticket.Tiers, t.Tier):
		return nil, ticket.Invalid("tier", "unknown tier %q (one of %s)", t.Tier, strings.Join(ticket.Tiers, ", "))
	}
	return t, nil
}

func policyNames(book policyBook) string {
	ps := book.Policies()
	names := make([]string, len(ps))
	for i := range ps {
		names[i] = ps[i].Name
	}
	if len(names) == 0 {
		return "none configured"
	}
	return strings.Join(names, ", ")
}
