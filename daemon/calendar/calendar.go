package calendar

import (
	"sync"
	"time"
)

// Calendar is a checked, precomputed business calendar. It is immutable and
// safe for concurrent use. Create one with New or Always.
type Calendar struct {
	name  string
	loc   *time.Location
	spec  Spec
	rules *rules
	tb    table
}

// Default horizon of the precomputed table: dates in [horizonFrom,
// horizonTo) are answered by binary search; outside it, by walking days.
var (
	horizonFrom = Date{2010, time.January, 1}
	horizonTo   = Date{2060, time.January, 1}
)

// New checks spec and precomputes the calendar. The error names the
// calendar and every bad item, e.g.
//
//	calendar "office": monday: interval "13:30-12:00": end before start
func New(spec Spec) (*Calendar, error) {
	return newWithHorizon(spec, horizonFrom, horizonTo)
}

// newWithHorizon is New with a chosen precomputed window [from, to).
func newWithHorizon(spec Spec, from, to Date) (*Calendar, error) {
	loc, r, err := compile(spec)
	if err != nil {
		return nil, err
	}
	c := &Calendar{name: spec.Name, loc: loc, spec: spec.clone(), rules: r}
	c.tb = build(loc, r, from, to)
	return c, nil
}

var always = sync.OnceValue(func() *Calendar {
	whole := []string{"00:00-24:00"}
	var spec = Spec{Name: "always", Zone: "UTC"}
	for i := range spec.Week {
		spec.Week[i] = whole
	}
	c, err := New(spec)
	if err != nil {
		panic("calendar: building Always: " + err.Error()) // a constant spec: cannot happen
	}
	return c
})

// Always returns the calendar named "always": every hour of every day, in
// UTC. Its business time is real time: Add(t, d) equals t.Add(d). The same
// shared instance is returned on every call.
func Always() *Calendar { return always() }

// Name returns the calendar's name.
func (c *Calendar) Name() string { return c.name }

// Location returns the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// Spec returns a copy of the spec the calendar was built from.
func (c *Calendar) Spec() Spec { return c.spec.clone() }
