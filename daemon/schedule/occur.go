package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/calendar"
	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// horizon bounds every search for a run, in days, weeks or months, so that
// a calendar with (almost) no business days cannot make a search endless.
const horizon = 800

// plan is a checked schedule: when it runs.
type plan struct {
	spec    config.Schedule
	cal     *calendar.Calendar
	at      calendar.Clock
	weekday time.Weekday // every week
	nth     int          // every month: the nth business day
}

// compile checks one [[schedule]] against the calendars. The error names
// the schedule and the key.
func compile(s config.Schedule, cals map[string]*calendar.Calendar) (*plan, error) {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("schedule %q: %s: %s", s.Name, key, fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(s.Name) == "" {
		return nil, fmt.Errorf("schedule: name is empty")
	}
	p := &plan{spec: s}
	name := s.Calendar
	if name == "" {
		name = config.AlwaysCalendar
	}
	p.cal = cals[name]
	if p.cal == nil && name == config.AlwaysCalendar {
		p.cal = calendar.Always()
	}
	if p.cal == nil {
		return nil, bad("calendar", "unknown calendar %q", s.Calendar)
	}
	if s.At == "" {
		return nil, bad("at", "is required (a local time, e.g. \"09:00\")")
	}
	at, err := calendar.ParseClock(s.At)
	if err != nil {
		return nil, bad("at", "%v", err)
	}
	if at >= calendar.EndOfDay {
		return nil, bad("at", "%q is the end of the day; use 00:00 of the next", s.At)
	}
	p.at = at
	switch s.Every {
	case config.EveryBusinessDay:
	case config.EveryWeek:
		wd := strings.ToLower(s.Weekday)
		if wd == "" {
			wd = "monday"
		}
		d, ok := config.ParseWeekday(wd)
		if !ok {
			return nil, bad("weekday", "unknown weekday %q (monday … sunday)", s.Weekday)
		}
		p.weekday = d
	case config.EveryMonth:
		p.nth = s.BusinessDay
		if p.nth == 0 {
			p.nth = 1
		}
		if p.nth < 1 || p.nth > config.MaxBusinessDay {
			return nil, bad("business_day", "%d is out of range (1 to %d)", s.BusinessDay, config.MaxBusinessDay)
		}
	case "":
		return nil, bad("every", "is required (business_day, week or month)")
	default:
		return nil, bad("every", "unknown value %q (business_day, week or month)", s.Every)
	}
	if s.Every != config.EveryWeek && s.Weekday != "" {
		return nil, bad("weekday", "is only for every = \"week\"")
	}
	if s.Every != config.EveryMonth && s.BusinessDay != 0 {
		return nil, bad("business_day", "is only for every = \"month\"")
	}
	switch {
	case s.Ticket == nil && s.Report == "":
		return nil, bad("ticket", "a schedule needs a ticket or a report")
	case s.Ticket != nil && s.Report != "":
		return nil, bad("report", "a schedule has a ticket or a report, not both")
	case s.Report != "" && s.Report != config.ReportSLA:
		return nil, bad("report", "unknown report %q (sla)", s.Report)
	case s.Ticket != nil && strings.TrimSpace(s.Ticket.Title) == "":
		return nil, bad("ticket.title", "is required")
	case s.Ticket != nil && strings.TrimSpace(s.Ticket.Category) == "":
		return nil, bad("ticket.category", "is required")
	case s.Ticket != nil && s.Ticket.Kind != "" && !ticket.Kind(s.Ticket.Kind).Valid():
		return nil, bad("ticket.kind", "unknown kind %q (complaint, repair or request)", s.Ticket.Kind)
	}
	if _, ok := p.next(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); !ok {
		return nil, bad("calendar", "calendar %q has no business day to run on", name)
	}
	return p, nil
}

// next returns the first run strictly after t.
func (p *plan) next(t time.Time) (time.Time, bool) {
	day := p.cal.DateOf(t)
	switch p.spec.Every {
	case config.EveryBusinessDay:
		for i := 0; i < horizon; i++ {
			d := day.AddDays(i)
			if p.cal.IsBusinessDay(d) {
				if r := p.cal.At(d, p.at); r.After(t) {
					return r, true
				}
			}
		}
	case config.EveryWeek:
		// Start a few weeks back: a holiday can push a week's run past
		// the nominal day of the next week.
		n := p.nominalOnOrBefore(day).AddDays(-7 * 4)
		for i := 0; i < horizon; i++ {
			if r, ok := p.weekRun(n.AddDays(7 * i)); ok && r.After(t) {
				return r, true
			}
		}
	case config.EveryMonth:
		for i := 0; i < horizon; i++ {
			if r, ok := p.monthRun(day.Year, day.Month+time.Month(i)); ok && r.After(t) {
				return r, true
			}
		}
	}
	return time.Time{}, false
}

// last returns the latest run at or before t.
func (p *plan) last(t time.Time) (time.Time, bool) {
	day := p.cal.DateOf(t)
	switch p.spec.Every {
	case config.EveryBusinessDay:
		for i := 0; i < horizon; i++ {
			d := day.AddDays(-i)
			if p.cal.IsBusinessDay(d) {
				if r := p.cal.At(d, p.at); !r.After(t) {
					return r, true
				}
			}
		}
	case config.EveryWeek:
		// Runs are non-decreasing in their nominal day: the first one at
		// or before t, walking back, is the latest.
		n := p.nominalOnOrBefore(day)
		for i := 0; i < horizon; i++ {
			if r, ok := p.weekRun(n.AddDays(-7 * i)); ok && !r.After(t) {
				return r, true
			}
		}
	case config.EveryMonth:
		for i := 0; i < horizon; i++ {
			if r, ok := p.monthRun(day.Year, day.Month-time.Month(i)); ok && !r.After(t) {
				return r, true
			}
		}
	}
	return time.Time{}, false
}

// nominalOnOrBefore returns the latest date with the schedule's weekday at
// or before d.
func (p *plan) nominalOnOrBefore(d calendar.Date) calendar.Date {
	back := (int(d.Weekday()) - int(p.weekday) + 7) % 7
	return d.AddDays(-back)
}

// weekRun is the run of the week whose nominal day is n: n itself when it
// is a business day, else the next business day.
func (p *plan) weekRun(n calendar.Date) (time.Time, bool) {
	for i := 0; i < horizon; i++ {
		if d := n.AddDays(i); p.cal.IsBusinessDay(d) {
			return p.cal.At(d, p.at), true
		}
	}
	return time.Time{}, false
}

// monthRun is the run of month m of year y (m may be out of 1..12; it is
// normalised): the nth business day of the month, or its last business day
// when it has fewer; false when it has none.
func (p *plan) monthRun(y int, m time.Month) (time.Time, bool) {
	first := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	y, m = first.Year(), first.Month()
	var found calendar.Date
	count := 0
	for d := (calendar.Date{Year: y, Month: m, Day: 1}); d.Month == m; d = d.AddDays(1) {
		if p.cal.IsBusinessDay(d) {
			found, count = d, count+1
			if count == p.nth {
				break
			}
		}
	}
	if count == 0 {
		return time.Time{}, false
	}
	return p.cal.At(found, p.at), true
}

// period returns the span the report written by the run at r covers: the
// previous period of the schedule (for every business day, from the
// previous run's date to this run's date; for every week, the seven days
// before the nominal day of this run's week; for every month, the previous
// calendar month), from local midnight to local midnight.
func (p *plan) period(r time.Time) (from, to time.Time) {
	day := p.cal.DateOf(r)
	switch p.spec.Every {
	case config.EveryWeek:
		n := p.nominalOnOrBefore(day)
		return p.cal.At(n.AddDays(-7), 0), p.cal.At(n, 0)
	case config.EveryMonth:
		first := calendar.Date{Year: day.Year, Month: day.Month, Day: 1}
		prev := time.Date(day.Year, day.Month-1, 1, 0, 0, 0, 0, time.UTC)
		return p.cal.At(calendar.Date{Year: prev.Year(), Month: prev.Month(), Day: 1}, 0), p.cal.At(first, 0)
	default:
		prev := day.AddDays(-1)
		if r0, ok := p.last(p.cal.At(day, 0).Add(-time.Nanosecond)); ok {
			prev = p.cal.DateOf(r0)
		}
		return p.cal.At(prev, 0), p.cal.At(day, 0)
	}
}
