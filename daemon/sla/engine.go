// Package sla is the SLA engine: it picks a ticket's policy, turns the
// policy's targets into promises with deadlines on business calendars,
// fires each promise's checkpoints (warning, breach, then the delayed levels
// of its escalation chain, with their actions) when their time comes, stops
// the clocks while the ticket waits on its reporter, moves deadlines when
// they are re-planned or their calendar changes, and marks promises met as
// the ticket moves through its life cycle.
//
// The Engine is pure: it reads no clock and does no I/O. Every method takes
// the time it should act at, and mutates the ticket it is given, returning the
// events that record the change, so that it composes with store.Update:
//
//	store.Update(ctx, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
//		return engine.Fire(t, clock.Now()), nil
//	})
//
// The kinds of target and the clock each runs on are listed with
// KindAfterBusiness. The Scheduler wakes the desk when a ticket's next
// checkpoint is due; it runs on an injected Clock so tests run in virtual
// time (see package slatest).
package sla

import (
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/calendar"
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
// A planned ticket carries its deadlines, their kind, calendar and start,
// and its chain name in t.SLA, so a reload does not by itself move the
// deadlines of tickets already planned: Recompute does, on request. The
// levels of the chain come from the current configuration, and a target
// records the checkpoints it fired by key (ticket.Target.Fired, see
// LevelKey), so a reload that adds, removes or reorders levels of a chain
// never fires a level of a ticket in flight twice nor skips a new one.
type Engine struct {
	policies []config.Policy
	rules    [][]rule // per policy, per target
	byName   map[string]int
	esc      *escalate.Escalator
	cals     map[string]*calendar.Calendar
	roles    map[string][]string
	actions  map[string][]action // per chain, per level (Number-1)
}

// Option configures an Engine.
type Option func(*Engine)

// WithRoles gives the engine the [roles] table: the people a role names,
// for stakeholders and for levels that reassign a ticket.
func WithRoles(roles map[string][]string) Option {
	return func(e *Engine) { e.roles = roles }
}

// New validates policies and returns an Engine for them. esc resolves the
// policies' escalation chains and may be nil when no policy names one. The
// error names the policy (and target) at fault: a missing or duplicate name,
// an unknown calendar or escalation chain, a stakeholder role not in
// [roles], a target without a name, a duplicate target, a target that sets
// none or several of the kinds, a bad value of its kind, or a warn fraction
// outside [0, 1]; or the level at fault of a chain given WithChains.
func New(policies []config.Policy, esc *escalate.Escalator, opts ...Option) (*Engine, error) {
	e := &Engine{byName: make(map[string]int, len(policies)), esc: esc}
	for _, o := range opts {
		o(e)
	}
	if err := e.checkActions(); err != nil {
		return nil, err
	}
	for i, p := range policies {
		rs, err := e.compilePolicy(i, p)
		if err != nil {
			return nil, err
		}
		if _, dup := e.byName[p.Name]; dup {
			return nil, fmt.Errorf("sla: policy %q is defined twice", p.Name)
		}
		e.byName[p.Name] = i
		e.rules = append(e.rules, rs)
	}
	e.policies = slices.Clone(policies)
	return e, nil
}

func (e *Engine) compilePolicy(i int, p config.Policy) ([]rule, error) {
	if p.Name == "" {
		return nil, fmt.Errorf("sla: policy #%d: name is required", i+1)
	}
	if p.Escalation != "" && !e.esc.Has(p.Escalation) {
		return nil, fmt.Errorf("sla: policy %q: unknown escalation %q", p.Name, p.Escalation)
	}
	if _, ok := e.calendarOf(p.Calendar); !ok {
		return nil, fmt.Errorf("sla: policy %q: unknown calendar %q", p.Name, p.Calendar)
	}
	for _, r := range p.Stakeholders {
		if _, ok := e.roles[r]; !ok {
			return nil, fmt.Errorf("sla: policy %q: stakeholder role %q is not in [roles]", p.Name, r)
		}
	}
	seen := make(map[string]bool, len(p.Targets))
	rs := make([]rule, 0, len(p.Targets))
	for j, tg := range p.Targets {
		if tg.Name == "" {
			return nil, fmt.Errorf("sla: policy %q target #%d: name is required", p.Name, j+1)
		}
		if seen[tg.Name] {
			return nil, fmt.Errorf("sla: policy %q: target %q is defined twice", p.Name, tg.Name)
		}
		seen[tg.Name] = true
		r, err := compileTarget(tg)
		if err != nil {
			return nil, fmt.Errorf("sla: policy %q target %q: %w", p.Name, tg.Name, err)
		}
		rs = append(rs, r)
	}
	return rs, nil
}

// Select returns the first policy whose match selects t (kind, category,
// severity and customer tier).
func (e *Engine) Select(t *ticket.Ticket) (config.Policy, bool) {
	if i, ok := e.selectIndex(t); ok {
		return e.policies[i], true
	}
	return config.Policy{}, false
}

func (e *Engine) selectIndex(t *ticket.Ticket) (int, bool) {
	for i, p := range e.policies {
		if p.Matches(string(t.Kind), t.Category, t.Severity, t.Tier) {
			return i, true
		}
	}
	return 0, false
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
	return slices.Clone(e.policies)
}

// Stakeholders returns the roles of t's policy told when the ticket is
// created and whenever one of its deadlines is re-planned; nil when its
// policy has none (or is no longer configured).
func (e *Engine) Stakeholders(t *ticket.Ticket) []string {
	p, ok := e.Policy(t.Policy)
	if !ok {
		return nil
	}
	return slices.Clone(p.Stakeholders)
}

// People returns the people [roles] maps the roles to (WithRoles), each
// once, in order.
func (e *Engine) People(roles ...string) []string {
	var out []string
	for _, r := range roles {
		for _, p := range e.roles[r] {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// Plan sets t.Policy and t.SLA for a new ticket whose clocks start at start:
// one pending target per target of the selected policy, due as its kind
// says on the policy's calendar (see KindAfterBusiness), warning after its
// warn fraction (default 0.8) of the span measured on its clock. When no
// policy matches, t.Policy is "" and t.SLA is empty.
//
// A policy with an event_offset target needs t.EventAt: without it Plan
// returns a *ticket.FieldError on "event_at" (the API answers 400) and
// leaves t without a policy.
func (e *Engine) Plan(t *ticket.Ticket, start time.Time) error {
	t.Policy, t.SLA = "", nil
	i, ok := e.selectIndex(t)
	if !ok {
		return nil
	}
	return e.planWith(t, i, start)
}

// PlanPolicy is Plan with the policy chosen by name instead of selected by
// t's fields. An unknown name is a *ticket.FieldError on "policy".
func (e *Engine) PlanPolicy(t *ticket.Ticket, policy string, start time.Time) error {
	t.Policy, t.SLA = "", nil
	i, ok := e.byName[policy]
	if !ok {
		return ticket.Invalid("policy", "unknown policy %q", policy)
	}
	return e.planWith(t, i, start)
}

func (e *Engine) planWith(t *ticket.Ticket, i int, start time.Time) error {
	p := e.policies[i]
	rs := e.rules[i]
	if t.EventAt == nil {
		for _, r := range rs {
			if r.eventNeeded {
				return ticket.Invalid("event_at", "is required by policy %s (target %s is relative to it)", p.Name, r.name)
			}
		}
	}
	calName := p.Calendar
	if calName == "" {
		calName = DefaultCalendar
	}
	cal, _ := e.calendarOf(calName) // checked by New
	start = start.UTC()
	sla := make([]ticket.Target, 0, len(rs))
	for _, r := range rs {
		due := r.due(cal, start, t.EventAt).UTC()
		sla = append(sla, ticket.Target{
			Name:       r.name,
			Kind:       r.kind,
			Calendar:   calName,
			Start:      start,
			DueAt:      due,
			WarnAt:     warnAt(r.kind, cal, start, due, r.warn).UTC(),
			State:      ticket.TargetPending,
			Escalation: p.Escalation,
		})
	}
	t.Policy, t.SLA = p.Name, sla
	return nil
}

// ruleOf returns the current rule of t's target named name.
func (e *Engine) ruleOf(policy, name string) (*rule, int, bool) {
	i, ok := e.byName[policy]
	if !ok {
		return nil, 0, false
	}
	for j := range e.rules[i] {
		if e.rules[i][j].name == name {
			return &e.rules[i][j], i, true
		}
	}
	return nil, 0, false
}

// Levels returns the levels of escalation chain name, in order; nil for a
// chain the engine does not know.
func (e *Engine) Levels(chain string) []escalate.Level { return e.esc.Levels(chain) }
