// Package escalate resolves escalation chains: for each level of an
// [[escalation]] chain, when it fires (at a target's warning or breach, plus
// a delay) and who is told (the people holding the level's roles).
//
// An Escalator is built once from the configuration and is read-only
// afterwards, so it is safe for concurrent use; a reload builds a new one.
package escalate

import (
	"fmt"
	"slices"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// The moments of a target a level is anchored to (config.Level.At).
const (
	AtWarning = "warning"
	AtBreach  = "breach"
)

// Level is one resolved level of a chain.
type Level struct {
	// Chain is the name of the chain the level belongs to.
	Chain string
	// Number is the level's position in its chain, from 1.
	Number int
	// Name describes the level, e.g. "general manager".
	Name string
	// At is AtWarning or AtBreach.
	At string
	// After delays the level past At.
	After time.Duration
	// Roles are the roles told, in configuration order.
	Roles []string
	// People is the union of the people holding Roles, in role order,
	// each person once.
	People []string
}

// Data builds the data of a ticket.EventEscalated event for this level
// firing on target, with reason saying why.
func (l Level) Data(target, reason string) ticket.EscalationData {
	return ticket.EscalationData{
		Target: target,
		Chain:  l.Chain,
		Level:  l.Number,
		Name:   l.Name,
		Roles:  slices.Clone(l.Roles),
		People: slices.Clone(l.People),
		Reason: reason,
	}
}

// Escalator knows every chain of the configuration with its people.
type Escalator struct {
	chains map[string][]Level
}

// New validates chains against roles and resolves every level's people. It
// returns an error naming the chain and level at fault: an empty or duplicate
// chain name, a level whose At is not "warning" or "breach", a negative
// delay, a level that notifies nobody, or a role missing from [roles].
func New(chains []config.Chain, roles map[string][]string) (*Escalator, error) {
	e := &Escalator{chains: make(map[string][]Level, len(chains))}
	for i, c := range chains {
		if c.Name == "" {
			return nil, fmt.Errorf("escalate: escalation #%d: name is required", i+1)
		}
		if _, dup := e.chains[c.Name]; dup {
			return nil, fmt.Errorf("escalate: escalation %q is defined twice", c.Name)
		}
		levels := make([]Level, 0, len(c.Levels))
		for j, l := range c.Levels {
			lvl, err := resolve(c.Name, j+1, l, roles)
			if err != nil {
				return nil, err
			}
			levels = append(levels, lvl)
		}
		e.chains[c.Name] = levels
	}
	return e, nil
}

func resolve(chain string, n int, l config.Level, roles map[string][]string) (Level, error) {
	where := fmt.Sprintf("escalate: escalation %q level %d", chain, n)
	if l.Name != "" {
		where += fmt.Sprintf(" (%s)", l.Name)
	}
	if l.At != AtWarning && l.At != AtBreach {
		return Level{}, fmt.Errorf("%s: at = %q, want %q or %q", where, l.At, AtWarning, AtBreach)
	}
	if l.After.Duration < 0 {
		return Level{}, fmt.Errorf("%s: after = %s is negative", where, l.After.Duration)
	}
	if len(l.Notify) == 0 {
		return Level{}, fmt.Errorf("%s: notify lists no role", where)
	}
	lvl := Level{Chain: chain, Number: n, Name: l.Name, At: l.At, After: l.After.Duration,
		Roles: slices.Clone(l.Notify)}
	for _, r := range l.Notify {
		people, ok := roles[r]
		if !ok {
			return Level{}, fmt.Errorf("%s: unknown role %q (not in [roles])", where, r)
		}
		for _, p := range people {
			if !slices.Contains(lvl.People, p) {
				lvl.People = append(lvl.People, p)
			}
		}
	}
	return lvl, nil
}

// Has reports whether a chain with this name exists.
func (e *Escalator) Has(chain string) bool {
	if e == nil {
		return false
	}
	_, ok := e.chains[chain]
	return ok
}

// Levels returns the levels of chain in order, or nil for an unknown chain
// (or a nil Escalator). The caller may modify the returned slice.
func (e *Escalator) Levels(chain string) []Level {
	if e == nil {
		return nil
	}
	return slices.Clone(e.chains[chain])
}
