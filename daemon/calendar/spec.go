package calendar

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Spec is a calendar as configuration holds it: plain data, checked by New.
type Spec struct {
	// Name identifies the calendar in errors and in references from policies.
	Name string
	// Zone is the IANA time zone all day and time arithmetic happens in,
	// e.g. "Asia/Shanghai", "Europe/Berlin" or "UTC".
	Zone string
	// Week holds the working intervals of each weekday, indexed by
	// time.Weekday (Week[time.Sunday] is Sunday). An interval is written
	// "HH:MM-HH:MM" (seconds optional); "00:00-24:00" is the whole day.
	// Intervals of a day must not overlap; they may touch. A weekday with no
	// interval is not worked.
	Week [7][]string
	// Holidays are dates with no work at all, whatever their weekday.
	Holidays []Date
	// Extra are dates worked although their weekday is not (make-up days).
	Extra []ExtraDay
}

// ExtraDay is a date that is worked although its weekday is not.
type ExtraDay struct {
	// Date is the civil date in the calendar's zone.
	Date Date
	// Intervals are the working intervals of that day; empty means the
	// calendar's Monday hours.
	Intervals []string
}

// rules is a checked Spec: parsed intervals and sets of dates.
type rules struct {
	week     [7][]span
	holidays map[Date]bool
	extra    map[Date][]span
}

// spansOf returns the working intervals of date d (nil when not worked).
func (r *rules) spansOf(d Date) []span {
	if r.holidays[d] {
		return nil
	}
	if s, ok := r.extra[d]; ok {
		return s
	}
	return r.week[d.Weekday()]
}

// compile checks spec and returns its location and rules. Every problem is
// reported, each prefixed with the calendar's name.
func compile(spec Spec) (*time.Location, *rules, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("calendar %q: "+format, append([]any{spec.Name}, args...)...))
	}
	if strings.TrimSpace(spec.Name) == "" {
		bad("name is empty")
	}
	var loc *time.Location
	switch {
	case spec.Zone == "":
		bad(`zone is empty (use an IANA name such as "UTC" or "Asia/Shanghai")`)
	default:
		l, err := time.LoadLocation(spec.Zone)
		if err != nil {
			bad("zone %q: unknown time zone", spec.Zone)
		}
		loc = l
	}
	r := &rules{holidays: map[Date]bool{}, extra: map[Date][]span{}}
	worked := false
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		s, err := parseDay(spec.Week[wd])
		if err != nil {
			bad("%s: %w", strings.ToLower(wd.String()), err)
		}
		r.week[wd] = s
		worked = worked || len(s) > 0
	}
	if !worked && len(errs) == 0 {
		bad("no working hours on any weekday")
	}
	for _, d := range spec.Holidays {
		if err := d.check(); err != nil {
			bad("holiday %s: %w", d, err)
			continue
		}
		r.holidays[d] = true
	}
	for _, x := range spec.Extra {
		if err := x.Date.check(); err != nil {
			bad("extra day %s: %w", x.Date, err)
			continue
		}
		if _, dup := r.extra[x.Date]; dup {
			bad("extra day %s: listed twice", x.Date)
			continue
		}
		if r.holidays[x.Date] {
			bad("%s is both a holiday and an extra working day", x.Date)
			continue
		}
		s := r.week[time.Monday]
		if len(x.Intervals) > 0 {
			var err error
			if s, err = parseDay(x.Intervals); err != nil {
				bad("extra day %s: %w", x.Date, err)
				continue
			}
		} else if len(s) == 0 {
			bad("extra day %s: no intervals given and monday has none to default to", x.Date)
			continue
		}
		r.extra[x.Date] = s
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	return loc, r, nil
}

// parseDay parses and sorts the intervals of one day and rejects overlaps.
func parseDay(in []string) ([]span, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]span, 0, len(in))
	src := make(map[span]string, len(in))
	for _, s := range in {
		sp, err := parseInterval(s)
		if err != nil {
			return nil, err
		}
		out = append(out, sp)
		src[sp] = s
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	for i := 1; i < len(out); i++ {
		if out[i].start < out[i-1].end {
			return nil, fmt.Errorf("intervals %q and %q overlap", src[out[i-1]], src[out[i]])
		}
	}
	return out, nil
}

// clone returns a deep copy of s.
func (s Spec) clone() Spec {
	c := s
	for i := range c.Week {
		c.Week[i] = append([]string(nil), s.Week[i]...)
	}
	c.Holidays = append([]Date(nil), s.Holidays...)
	c.Extra = make([]ExtraDay, len(s.Extra))
	for i, x := range s.Extra {
		c.Extra[i] = ExtraDay{Date: x.Date, Intervals: append([]string(nil), x.Intervals...)}
	}
	return c
}
