package sla

import (
	"maps"

	"github.com/switchboard-desk/switchboard/daemon/calendar"
)

// WithCalendars gives the engine the business calendars policies name,
// keyed by name (config.Config.BuildCalendars). DefaultCalendar ("always")
// is calendar.Always() unless the map defines it. Without this option only
// "always" is known.
func WithCalendars(cals map[string]*calendar.Calendar) Option {
	return func(e *Engine) { e.cals = maps.Clone(cals) }
}

// calendarOf returns the calendar called name ("" is DefaultCalendar).
func (e *Engine) calendarOf(name string) (*calendar.Calendar, bool) {
	if name == "" {
		name = DefaultCalendar
	}
	if c, ok := e.cals[name]; ok && c != nil {
		return c, true
	}
	if name == DefaultCalendar {
		return calendar.Always(), true
	}
	return nil, false
}

// targetCalendar returns the calendar a planned target counts on. A
// calendar removed from the configuration since the target was planned
// falls back to its policy's current calendar, then to "always", so that a
// ticket in flight keeps firing; Recompute moves it onto its policy's
// calendar.
func (e *Engine) targetCalendar(policy, name string) *calendar.Calendar {
	if c, ok := e.calendarOf(name); ok {
		return c
	}
	if p, ok := e.byName[policy]; ok {
		if c, ok := e.calendarOf(e.policies[p].Calendar); ok {
			return c
		}
	}
	return calendar.Always()
}
