package config

import (
	"strings"

	"github.com/switchboard-desk/switchboard/daemon/calendar"
)

// Values of a target's clock.
const (
	// ClockBusiness counts only the working hours of the policy's calendar.
	ClockBusiness = "business"
	// ClockCalendar counts real time.
	ClockCalendar = "calendar"
)

// Target kinds, as Kind returns them and ticket.Target.Kind records them.
const (
	KindAfterBusiness   = "after_business"
	KindAfterCalendar   = "after_calendar"
	KindSameDay         = "same_day"
	KindNextBusinessDay = "next_business_day"
	KindBusinessDays    = "business_days"
	KindDayOfMonth      = "day_of_month"
	KindEventOffset     = "event_offset"
)

// targetKeys are the keys of a target that say when it falls due; exactly
// one is set.
var targetKeys = []string{"after", "same_day", "next_business_day", "business_days", "day_of_month", "event_offset"}

// setKeys lists which of targetKeys t sets, in targetKeys order.
func (t Target) setKeys() []string {
	set := []bool{
		t.After.Duration != 0, t.SameDay != nil, t.NextBusinessDay != "",
		t.BusinessDays != 0, t.DayOfMonth != 0, t.EventOffset != nil,
	}
	var out []string
	for i, ok := range set {
		if ok {
			out = append(out, targetKeys[i])
		}
	}
	return out
}

// Kind says how the target's deadline is computed: one of the Kind…
// constants, or "" for a target that sets none or several of the keys
// (which Validate rejects).
func (t Target) Kind() string {
	keys := t.setKeys()
	if len(keys) != 1 {
		return ""
	}
	switch keys[0] {
	case "after":
		if t.Clock == ClockCalendar {
			return KindAfterCalendar
		}
		return KindAfterBusiness
	case "same_day":
		return KindSameDay
	case "next_business_day":
		return KindNextBusinessDay
	case "business_days":
		return KindBusinessDays
	case "day_of_month":
		return KindDayOfMonth
	default:
		return KindEventOffset
	}
}

// NeedsEvent reports whether the policy has a target counted from the
// ticket's event_at, so that a ticket without one must be refused.
func (p Policy) NeedsEvent() bool {
	for _, t := range p.Targets {
		if t.EventOffset != nil {
			return true
		}
	}
	return false
}

// validateTarget checks the keys of one target after SetDefaults.
func validateTarget(add addFunc, item string, t Target) {
	keys := t.setKeys()
	switch len(keys) {
	case 0:
		add("%s: say when it falls due: set one of %s", item, strings.Join(targetKeys, ", "))
	case 1:
	default:
		add("%s: set only one of %s, got %s", item, strings.Join(targetKeys, ", "), strings.Join(keys, " and "))
	}
	if t.After.Duration < 0 {
		add("%s: after must be more than zero, e.g. \"15m\"", item)
	}
	switch {
	case t.Clock != "" && t.After.Duration == 0:
		add("%s: clock applies only to after", item)
	case t.Clock != "" && t.Clock != ClockBusiness && t.Clock != ClockCalendar:
		add("%s: clock must be %q or %q, got %q", item, ClockBusiness, ClockCalendar, t.Clock)
	}
	if sd := t.SameDay; sd != nil {
		at, okAt := checkClock(add, item, "same_day.at", sd.At)
		cut, okCut := checkClock(add, item, "same_day.cutoff", sd.Cutoff)
		if okAt && okCut && cut > at {
			add("%s: same_day.cutoff %s is after same_day.at %s: a ticket in between would be due before it came in", item, sd.Cutoff, sd.At)
		}
	}
	if t.NextBusinessDay != "" {
		checkClock(add, item, "next_business_day", t.NextBusinessDay)
	}
	if t.BusinessDays < 0 {
		add("%s: business_days must be at least 1, got %d", item, t.BusinessDays)
	}
	if t.DayOfMonth < 0 || t.DayOfMonth > 31 {
		add("%s: day_of_month must be from 1 to 31, got %d", item, t.DayOfMonth)
	}
	if t.Warn <= 0 || t.Warn >= 1 {
		add("%s: warn must be between 0 and 1 (exclusive), got %g", item, t.Warn)
	}
}

// checkClock parses a local time of day, reporting a missing or bad one.
func checkClock(add addFunc, item, key, v string) (calendar.Clock, bool) {
	if v == "" {
		add("%s: %s is required, a local time such as \"18:00\"", item, key)
		return 0, false
	}
	c, err := calendar.ParseClock(v)
	if err != nil {
		add("%s: %s: %v", item, key, err)
		return 0, false
	}
	return c, true
}
