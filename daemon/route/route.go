// Package route picks the department that owns a ticket: the first
// [[route]] of the configuration whose match selects the ticket's kind,
// category, severity and tier, or else the fallback department.
//
// A Router is immutable; a config reload builds a new one and swaps it.
package route

import (
	"fmt"
	"strings"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// Decision is where a ticket goes and why.
type Decision struct {
	// Department is the name of the department that owns the ticket.
	Department string `json:"department"`
	// Rule is the 1-based index of the [[route]] that matched, or 0 when
	// the ticket went to the fallback department.
	Rule int `json:"rule"`
	// Reason says in words why, for the ticket's history, e.g.
	// "matched route 3 (kind=repair, category=valve|pipe)".
	Reason string `json:"reason"`
}

// Fallback reports whether no route matched.
func (d Decision) Fallback() bool { return d.Rule == 0 }

// Router holds the routing rules. It is safe for concurrent use.
type Router struct {
	rules    []rule
	fallback string
}

type rule struct {
	match      config.Match
	department string
	reason     string
}

// New builds a Router from validated routes (config.Config.Routes) and the
// fallback department (config.Config.Routing.Fallback).
func New(routes []config.Route, fallback string) *Router {
	r := &Router{fallback: fallback, rules: make([]rule, len(routes))}
	for i, rt := range routes {
		r.rules[i] = rule{
			match:      rt.Match,
			department: rt.Department,
			reason:     fmt.Sprintf("matched route %d (%s)", i+1, describe(rt.Match)),
		}
	}
	return r
}

// Route decides the department of t: the first matching route wins.
func (r *Router) Route(t *ticket.Ticket) Decision {
	for i, rl := range r.rules {
		if rl.match.Matches(string(t.Kind), t.Category, t.Severity, t.Tier) {
			return Decision{Department: rl.department, Rule: i + 1, Reason: rl.reason}
		}
	}
	return Decision{
		Department: r.fallback,
		Reason: fmt.Sprintf("no route matched kind=%s category=%s severity=%s tier=%s; sent to fallback department %s",
			t.Kind, t.Category, t.Severity, t.Tier, r.fallback),
	}
}

// describe writes the non-empty fields of a match, e.g.
// "kind=repair, category=valve|pipe"; a match of nothing says "any ticket".
func describe(m config.Match) string {
	var parts []string
	for _, f := range []struct {
		name   string
		values []string
	}{
		{"kind", m.Kind}, {"category", m.Category}, {"severity", m.Severity}, {"tier", m.Tier},
	} {
		if len(f.values) > 0 {
			parts = append(parts, f.name+"="+strings.Join(f.values, "|"))
		}
	}
	if len(parts) == 0 {
		return "any ticket"
	}
	return strings.Join(parts, ", ")
}
