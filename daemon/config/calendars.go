package config

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/calendar"
)

// AlwaysCalendar is the name of the calendar every hour of every day
// counts on. It exists unless the config defines a [[calendar]] of that
// name, and it is the default calendar of policies and schedules.
const AlwaysCalendar = "always"

// DefaultZone is the time zone of a [[calendar]] that names none.
const DefaultZone = "UTC"

// MaxDateRange bounds a "from..to" date range of holidays or extra days,
// so that a typo in a year cannot expand into millions of dates.
const MaxDateRange = 366

// Weekdays are the keys of a calendar's week table, Monday first.
var Weekdays = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

var weekdayOf = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday,
	"wednesday": time.Wednesday, "thursday": time.Thursday,
	"friday": time.Friday, "saturday": time.Saturday,
}

// ParseWeekday reads a weekday key ("monday" … "sunday").
func ParseWeekday(s string) (time.Weekday, bool) {
	wd, ok := weekdayOf[s]
	return wd, ok
}

// BuildCalendars builds every [[calendar]] of the config, keyed by name,
// plus AlwaysCalendar (calendar.Always()) unless the config defines a
// calendar by that name. Relative holidays_file paths are read relative to
// c.Dir. Every problem is reported, joined, each naming the calendar and
// the key at fault, e.g.
//
//	calendar "office": holidays[2] "2026-02-23..2026-02-15": the range ends before it starts
func (c *Config) BuildCalendars() (map[string]*calendar.Calendar, error) {
	out := make(map[string]*calendar.Calendar, len(c.Calendars)+1)
	var errs []error
	seen := map[string]bool{}
	for i, cc := range c.Calendars {
		if strings.TrimSpace(cc.Name) == "" {
			errs = append(errs, fmt.Errorf("calendar %d: name is required", i+1))
			continue
		}
		if seen[cc.Name] {
			errs = append(errs, fmt.Errorf("calendar %q: name is used by another calendar", cc.Name))
			continue
		}
		seen[cc.Name] = true
		spec, err := cc.Spec(c.Dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		cal, err := calendar.New(spec)
		if err != nil {
			errs = append(errs, err) // calendar.New names the calendar
			continue
		}
		out[cc.Name] = cal
	}
	if !seen[AlwaysCalendar] {
		out[AlwaysCalendar] = calendar.Always()
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// hasCalendar reports whether name is a calendar policies and schedules
// may name: a [[calendar]] of the config, or AlwaysCalendar.
func (c *Config) hasCalendar(name string) bool {
	if name == AlwaysCalendar {
		return true
	}
	return slices.ContainsFunc(c.Calendars, func(cc Calendar) bool { return cc.Name == name })
}

// Spec converts the [[calendar]] into a calendar.Spec: week keys to
// weekdays, holiday ranges expanded, holidays_file read (relative to dir),
// extra dates with Monday's hours. It does not check the working hours;
// calendar.New does. Errors name the calendar and the key.
func (cc Calendar) Spec(dir string) (calendar.Spec, error) {
	spec := calendar.Spec{Name: cc.Name, Zone: cc.Zone}
	if spec.Zone == "" {
		spec.Zone = DefaultZone
	}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("calendar %q: "+format, append([]any{cc.Name}, args...)...))
	}
	for _, key := range sortedKeys(cc.Week) {
		wd, ok := weekdayOf[key]
		if !ok {
			bad("week: unknown weekday %q (one of %s)", key, strings.Join(Weekdays, ", "))
			continue
		}
		spec.Week[wd] = cc.Week[key]
	}
	for i, s := range cc.Holidays {
		dates, err := parseDates(s)
		if err != nil {
			bad("holidays[%d] %q: %v", i+1, s, err)
			continue
		}
		spec.Holidays = append(spec.Holidays, dates...)
	}
	if cc.HolidaysFile != "" {
		dates, err := readHolidays(resolveIn(dir, cc.HolidaysFile))
		if err != nil {
			bad("holidays_file: %v", err)
		}
		spec.Holidays = append(spec.Holidays, dates...)
	}
	for i, s := range cc.Extra {
		dates, err := parseDates(s)
		if err != nil {
			bad("extra[%d] %q: %v", i+1, s, err)
			continue
		}
		for _, d := range dates {
			spec.Extra = append(spec.Extra, calendar.ExtraDay{Date: d})
		}
	}
	if len(errs) > 0 {
		return calendar.Spec{}, errors.Join(errs...)
	}
	return spec, nil
}

// parseDates reads "2026-10-01" or the inclusive range
// "2026-10-01..2026-10-07".
func parseDates(s string) ([]calendar.Date, error) {
	from, to, isRange := strings.Cut(s, "..")
	first, err := calendar.ParseDate(strings.TrimSpace(from))
	if err != nil {
		return nil, err
	}
	if !isRange {
		return []calendar.Date{first}, nil
	}
	last, err := calendar.ParseDate(strings.TrimSpace(to))
	if err != nil {
		return nil, err
	}
	if last.Before(first) {
		return nil, errors.New("the range ends before it starts")
	}
	var out []calendar.Date
	for d := first; !d.After(last); d = d.AddDays(1) {
		if len(out) == MaxDateRange {
			return nil, fmt.Errorf("the range is longer than %d days", MaxDateRange)
		}
		out = append(out, d)
	}
	return out, nil
}

// readHolidays loads a holidays file; errors name the file and the line.
func readHolidays(path string) ([]calendar.Date, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *PathError names the file
	}
	defer f.Close()
	dates, err := calendar.LoadHolidays(f)
	if err != nil {
		// "holidays: line 3: …" becomes "/etc/sb/holidays.txt: line 3: …".
		return nil, fmt.Errorf("%s: %s", path, strings.TrimPrefix(err.Error(), "holidays: "))
	}
	return dates, nil
}

// resolveIn makes a relative path relative to dir.
func resolveIn(dir, p string) string {
	c := Config{Dir: dir}
	return c.resolve(p)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
