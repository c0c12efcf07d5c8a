// Package sla is the SLA engine: it picks a ticket's policy, turns the
// policy's targets into promises with deadlines, fires each promise's
// checkpoints (warning, breach, then the delayed levels of its escalation
// chain) when their time comes, and marks promises met as the ticket moves
// through its life cycle.
//
// The Engine is pure: it reads no clock and does no I/O. Every method takes
// the time it should act at, and mutates the ticket it is given, returning the
// events that record the change, so that it composes with store.Update:
//
//	store.Update(ctx, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
//		return engine.Fire(t, clock.Now()), nil
//	})
//
// The Scheduler wakes the desk when a ticket's next checkpoint is due; it runs
// on an injected Clock so tests run in virtual time (see package slatest).
package sla

import (
	"fmt"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/escalate"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// DefaultWarn is the fraction of a target's span after which it warns, when
// the policy leaves warn unset.
const DefaultWarn = 0.8

// Actor is the actor recorded on the events the engine emits.
const Actor = "sla"

// The target names the engine meets on its own from status changes. Other
// names are met only explicitly.
const (
	TargetResponse   = "response"
	TargetResolution = "resolution"
)

// Engine applies SLA policies to tickets. It is read-only after New and safe
// for concurrent use; a configuration reload builds a new Engine.
//
// A planned ticket carries its deadlines and chain name in t.SLA, so a
// reload that changes a policy does not move the deadlines of tickets already
// planned. The levels of the chain come from the current configuration, and
// a target records the checkpoints it fired by key (ticket.Target.Fired, see
// LevelKey), so a reload that adds, removes or reorders levels of a chain
// never fires a level of a ticket in flight twice nor skips a new one.
type Engine struct {
	policies []config.Policy
	byName   map[string]int
	esc      *escalate.Escalator
	cal      Calendar
}

// Option configures an Engine.
type Option func(*Engine)

// WithCalendar sets how deadlines are computed. The default is Continuous.
func WithCalendar(c Calendar) Option { return func(e *Engine) { e.cal = c } }

// New validates policies and returns an Engine for them. esc resolves the
// policies' escalation chains and may be nil when no policy names one. The
// error names the policy (and target) at fault: a missing or duplicate name,
// an unknown escalation chain, a target without a name, a duplicate target,
// a non-positive after, or a warn fraction outside [0, 1].
func New(policies []config.Policy, esc *escalate.Escalator, opts ...Option) (*Engine, error) {
	e := &Engine{byName: make(map[string]int, len(policies)), esc: esc, cal: Continuous{}}
	for _, o := range opts {
		o(e)
	}
	for i, p := range policies {
		if err := validatePolicy(i, p, esc); err != nil {
			return nil, err
		}
		if _, dup := e.byName[p.Name]; dup {
			return nil, fmt.Errorf("sla: policy %q is defined twice", p.Name)
		}
		e.byName[p.Name] = i
	}
	e.policies = append([]config.Policy(nil), policies...)
	return e, nil
}

func validatePolicy(i int, p config.Policy, esc *escalate.Escalator) error {
	if p.Name == "" {
		return fmt.Errorf("sla: policy #%d: name is required", i+1)
	}
	if p.Escalation != "" && !esc.Has(p.Escalation) {
		return fmt.Errorf("sla: policy %q: unknown escalation %q", p.Name, p.Escalation)
	}
	seen := make(map[string]bool, len(p.Targets))
	for j, tg := range p.Targets {
		if tg.Name == "" {
			return fmt.Errorf("sla: policy %q target #%d: name is required", p.Name, j+1)
		}
		if seen[tg.Name] {
			return fmt.Errorf("sla: policy %q: target %q is defined twice", p.Name, tg.Name)
		}
		seen[tg.Name] = true
		if tg.After.Duration <= 0 {
			return fmt.Errorf("sla: policy %q target %q: after = %s, want a positive duration", p.Name, tg.Name, tg.After.Duration)
		}
		if tg.Warn < 0 || tg.Warn > 1 {
			return fmt.Errorf("sla: policy %q target %q: warn = %g, want a fraction between 0 and 1", p.Name, tg.Name, tg.Warn)
		}
	}
	return nil
}

// Select returns the first policy whose match selects t.
func (e *Engine) Select(t *ticket.Ticket) (config.Policy, bool) {
	for _, p := range e.policies {
		if p.Matches(string(t.Kind), t.Category, t.Severity, t.Tier) {
			return p, true
		}
	}
	return config.Policy{}, false
}

// Policy returns the policy with the given name.
func (e *Engine) Policy(name string) (config.Policy, bool) {
	i, ok := e.byName[name]
	if !ok {
		return config.Policy{}, false
	}
	return e.policies[i], true
}

// Policies returns every policy in configuration (that is, matching) order.
func (e *Engine) Policies() []config.Policy {
	return append([]config.Policy(nil), e.policies...)
}

// Plan sets t.Policy and t.SLA for a new ticket whose clocks start at start:
// one pending target per target of the selected policy, due after the
// target's span on the engine's calendar, warning after Warn (default 0.8) of
// it. When no policy matches, t.Policy is "" and t.SLA is empty.
func (e *Engine) Plan(t *ticket.Ticket, start time.Time) {
	t.Policy, t.SLA = "", nil
	p, ok := e.Select(t)
	if !ok {
		return
	}
	t.Policy = p.Name
	t.SLA = make([]ticket.Target, 0, len(p.Targets))
	for _, tg := range p.Targets {
		warn := tg.Warn
		if warn == 0 {
			warn = DefaultWarn
		}
		span := tg.After.Duration
		t.SLA = append(t.SLA, ticket.Target{
			Name:       tg.Name,
			DueAt:      e.cal.Add(start, span).UTC(),
			WarnAt:     e.cal.Add(start, time.Duration(warn*float64(span))).UTC(),
			State:      ticket.TargetPending,
			Escalation: p.Escalation,
		})
	}
}
