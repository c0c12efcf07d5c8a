package sla

import (
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/calendar"
	"github.com/switchboard-desk/switchboard/daemon/config"
)

// The kinds of target, as recorded in ticket.Target.Kind. Each says how the
// deadline is computed from the clock's start and which clock the target
// runs on: its warning fraction, the paused time that moves it, and the
// delays of its escalation levels are all measured on that clock.
//
//	kind               deadline                                       clock
//	after_business     Add(start, after) on the calendar              business time
//	after_calendar     start + after                                  real time
//	same_day           that business day at `at` if start <= cutoff,  business time
//	                   else the next business day at `at`
//	next_business_day  the first business day after start's date, at  business time
//	business_days      close of business, Nth business day after      business time
//	day_of_month       midnight starting the next day N of a month    real time
//	event_offset       the ticket's event_at + offset (may be before  real time
//	                   start: a late request)
//
// The day-based kinds (same_day, next_business_day, business_days) are
// promises in business days, so they run on business time: a warning at 0.8
// of a "3 business days" promise falls in working hours (0.8 of the working
// time between start and deadline, counted through the working intervals),
// never at night, and a pause moves the deadline by the working time paused,
// so an hour paused moves an 18:00 close of business to 10:00 the next
// business day, not to 19:00. day_of_month and event_offset are anchored to
// a calendar date and to an event, and run on real time. A target planned
// by an older version has no kind and runs on real time.
const (
	KindAfterBusiness   = "after_business"
	KindAfterCalendar   = "after_calendar"
	KindSameDay         = "same_day"
	KindNextBusinessDay = "next_business_day"
	KindBusinessDays    = "business_days"
	KindDayOfMonth      = "day_of_month"
	KindEventOffset     = "event_offset"
)

// The clocks of a target's after (config.Target.Clock).
const (
	ClockBusiness = "business"
	ClockCalendar = "calendar"
)

// DefaultCalendar is the calendar of a policy that names none: every hour
// of every day.
const DefaultCalendar = "always"

// rule is one checked target of a policy: how to compute its deadline.
type rule struct {
	name        string
	kind        string
	after       time.Duration // after_*
	at, cutoff  calendar.Clock
	n           int           // business_days, day_of_month
	offset      time.Duration // event_offset
	warn        float64
	eventNeeded bool
}

// compileTarget checks tg and returns its rule. The error says what is
// wrong, without the policy's name (the caller adds it).
func compileTarget(tg config.Target) (rule, error) {
	r := rule{name: tg.Name, warn: tg.Warn}
	if r.warn == 0 {
		r.warn = DefaultWarn
	}
	if tg.Warn < 0 || tg.Warn > 1 {
		return r, fmt.Errorf("warn = %g, want a fraction between 0 and 1", tg.Warn)
	}
	var kinds []string
	if tg.After.Duration != 0 {
		kinds = append(kinds, "after")
	}
	if tg.SameDay != nil {
		kinds = append(kinds, "same_day")
	}
	if tg.NextBusinessDay != "" {
		kinds = append(kinds, "next_business_day")
	}
	if tg.BusinessDays != 0 {
		kinds = append(kinds, "business_days")
	}
	if tg.DayOfMonth != 0 {
		kinds = append(kinds, "day_of_month")
	}
	if tg.EventOffset != nil {
		kinds = append(kinds, "event_offset")
	}
	switch len(kinds) {
	case 0:
		return r, errors.New("says not when it is due: set one of after, same_day, next_business_day, business_days, day_of_month, event_offset")
	case 1:
	default:
		return r, fmt.Errorf("sets %v: set exactly one of them", kinds)
	}
	if tg.Clock != "" && kinds[0] != "after" {
		return r, fmt.Errorf("clock = %q is only for after", tg.Clock)
	}
	var err error
	switch kinds[0] {
	case "after":
		if tg.After.Duration < 0 {
			return r, fmt.Errorf("after = %s, want a positive duration", tg.After.Duration)
		}
		r.after = tg.After.Duration
		switch tg.Clock {
		case "", ClockBusiness:
			r.kind = KindAfterBusiness
		case ClockCalendar:
			r.kind = KindAfterCalendar
		default:
			return r, fmt.Errorf("clock = %q, want %q or %q", tg.Clock, ClockBusiness, ClockCalendar)
		}
	case "same_day":
		r.kind = KindSameDay
		if r.at, err = calendar.ParseClock(tg.SameDay.At); err != nil {
			return r, fmt.Errorf("same_day.at: %w", err)
		}
		if r.cutoff, err = calendar.ParseClock(tg.SameDay.Cutoff); err != nil {
			return r, fmt.Errorf("same_day.cutoff: %w", err)
		}
		if r.cutoff > r.at {
			return r, fmt.Errorf("same_day.cutoff %s is after same_day.at %s", r.cutoff, r.at)
		}
	case "next_business_day":
		r.kind = KindNextBusinessDay
		if r.at, err = calendar.ParseClock(tg.NextBusinessDay); err != nil {
			return r, fmt.Errorf("next_business_day: %w", err)
		}
	case "business_days":
		r.kind, r.n = KindBusinessDays, tg.BusinessDays
		if r.n < 1 {
			return r, fmt.Errorf("business_days = %d, want 1 or more", r.n)
		}
	case "day_of_month":
		r.kind, r.n = KindDayOfMonth, tg.DayOfMonth
		if r.n < 1 || r.n > 31 {
			return r, fmt.Errorf("day_of_month = %d, want 1 to 31", r.n)
		}
	case "event_offset":
		r.kind, r.offset, r.eventNeeded = KindEventOffset, tg.EventOffset.Duration, true
	}
	return r, nil
}

// due computes the deadline of r for a clock started at start, on cal,
// before any pause. eventAt is the ticket's event time (required for
// event_offset; the caller checks).
func (r *rule) due(cal *calendar.Calendar, start time.Time, eventAt *time.Time) time.Time {
	switch r.kind {
	case KindAfterBusiness:
		return cal.Add(start, r.after)
	case KindAfterCalendar:
		return start.Add(r.after)
	case KindSameDay:
		return cal.SameDay(start, r.at, r.cutoff)
	case KindNextBusinessDay:
		return cal.NextBusinessDayAt(start, r.at)
	case KindBusinessDays:
		return cal.BusinessDaysClose(start, r.n)
	case KindDayOfMonth:
		return cal.DayOfMonth(start, r.n)
	case KindEventOffset:
		return eventAt.Add(r.offset)
	}
	panic("sla: unknown target kind " + r.kind) // compileTarget sets one of the above
}

// businessClock reports whether targets of kind run on business time: after
// a business duration, and the day-based kinds, whose promises are in
// business days. The others (after_calendar, day_of_month, event_offset and
// the kindless targets of older versions) run on real time.
func businessClock(kind string) bool {
	switch kind {
	case KindAfterBusiness, KindSameDay, KindNextBusinessDay, KindBusinessDays:
		return true
	}
	return false
}

// warnAt returns when a target of kind whose clock started at start and
// is due at due warns, at fraction warn of its span measured on its clock.
// A target due at or before its start (a late event_offset request) warns
// at its deadline.
func warnAt(kind string, cal *calendar.Calendar, start, due time.Time, warn float64) time.Time {
	if !due.After(start) {
		return due
	}
	if businessClock(kind) {
		biz := cal.Between(start, due)
		if biz <= 0 {
			return due
		}
		return cal.Add(start, time.Duration(warn*float64(biz)))
	}
	return start.Add(time.Duration(warn * float64(due.Sub(start))))
}

// shift moves t later by d of the clock of kind: business time on cal, or
// real time. d <= 0 leaves t where it is.
func shift(kind string, cal *calendar.Calendar, t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return t
	}
	if businessClock(kind) {
		return cal.Add(t, d)
	}
	return t.Add(d)
}

// span measures [from, to) on the clock of kind.
func span(kind string, cal *calendar.Calendar, from, to time.Time) time.Duration {
	if businessClock(kind) {
		return cal.Between(from, to)
	}
	if !to.After(from) {
		return 0
	}
	return to.Sub(from)
}
