package calendar

import (
	"fmt"
	"testing"
	"time"
)

// The desk's default calendars (issue 4), built once for all tests.

func dates(t testing.TB, ss ...string) []Date {
	t.Helper()
	var out []Date
	for _, s := range ss {
		d, err := ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// dateRange returns the dates from a to b inclusive.
func dateRange(t testing.TB, a, b string) []Date {
	da, db := dates(t, a, b)[0], dates(t, a, b)[1]
	var out []Date
	for d := da; !d.After(db); d = d.AddDays(1) {
		out = append(out, d)
	}
	return out
}

func weekdays(iv ...string) [7][]string {
	var w [7][]string
	for d := time.Monday; d <= time.Friday; d++ {
		w[d] = iv
	}
	return w
}

func everyDay(iv ...string) [7][]string {
	var w [7][]string
	for d := range w {
		w[d] = iv
	}
	return w
}

func officeSpec(t testing.TB) Spec {
	var hol []Date
	for _, r := range [][2]string{
		{"2026-01-01", "2026-01-03"}, {"2026-02-15", "2026-02-23"}, {"2026-04-04", "2026-04-06"},
		{"2026-05-01", "2026-05-05"}, {"2026-06-19", "2026-06-21"}, {"2026-09-25", "2026-09-27"},
		{"2026-10-01", "2026-10-07"}, {"2027-01-01", "2027-01-01"},
	} {
		hol = append(hol, dateRange(t, r[0], r[1])...)
	}
	var extra []ExtraDay
	for _, d := range dates(t, "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10") {
		extra = append(extra, ExtraDay{Date: d})
	}
	return Spec{
		Name: "office", Zone: "Asia/Shanghai",
		Week:     weekdays("09:00-12:00", "13:30-18:00"),
		Holidays: hol, Extra: extra,
	}
}

func campusSpec() Spec {
	return Spec{Name: "campus", Zone: "Asia/Shanghai", Week: everyDay("07:00-23:00")}
}

func hamburgSpec() Spec {
	return Spec{Name: "hamburg", Zone: "Europe/Berlin", Week: weekdays("08:00-17:00")}
}

// berlinAllDaySpec works every hour of every day in Berlin: its DST days
// are 23 and 25 hours of business time.
func berlinAllDaySpec() Spec {
	return Spec{Name: "berlin24", Zone: "Europe/Berlin", Week: everyDay("00:00-24:00")}
}

func mustNew(t testing.TB, s Spec) *Calendar {
	t.Helper()
	c, err := New(s)
	if err != nil {
		t.Fatalf("New(%s): %v", s.Name, err)
	}
	return c
}

// deskCalendars returns the four default calendars plus the Berlin 24h one.
func deskCalendars(t testing.TB) []*Calendar {
	return []*Calendar{
		mustNew(t, officeSpec(t)), mustNew(t, campusSpec()), Always(),
		mustNew(t, hamburgSpec()), mustNew(t, berlinAllDaySpec()),
	}
}

// at parses "2006-01-02 15:04" (or with seconds) in the calendar's zone;
// a trailing offset "+02:00" selects one side of a fall-back hour.
func at(t testing.TB, c *Calendar, s string) time.Time {
	t.Helper()
	for _, layout := range []string{"2006-01-02 15:04 -07:00", "2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if v, err := time.ParseInLocation(layout, s, c.Location()); err == nil {
			return v
		}
	}
	t.Fatalf("bad time %q", s)
	return time.Time{}
}

func fmtT(c *Calendar, t time.Time) string {
	if t.IsZero() {
		return "zero"
	}
	return t.In(c.Location()).Format("2006-01-02 15:04:05 -07:00 Mon")
}

// Oracle: a minute-by-minute walker that reads the Spec's rules directly
// from the local wall clock. It shares no code with the table.

type walker struct {
	loc      *time.Location
	week     [7][][2]int // minutes of the day
	holidays map[Date]bool
	extra    map[Date][][2]int
}

func newWalker(t testing.TB, s Spec) *walker {
	loc, err := time.LoadLocation(s.Zone)
	if err != nil {
		t.Fatal(err)
	}
	mins := func(iv []string) [][2]int {
		var out [][2]int
		for _, x := range iv {
			var h1, m1, h2, m2 int
			if _, err := fmt.Sscanf(x, "%d:%d-%d:%d", &h1, &m1, &h2, &m2); err != nil {
				t.Fatalf("walker: %q: %v", x, err)
			}
			out = append(out, [2]int{h1*60 + m1, h2*60 + m2})
		}
		return out
	}
	w := &walker{loc: loc, holidays: map[Date]bool{}, extra: map[Date][][2]int{}}
	for i := range s.Week {
		w.week[i] = mins(s.Week[i])
	}
	for _, d := range s.Holidays {
		w.holidays[d] = true
	}
	for _, x := range s.Extra {
		iv := x.Intervals
		if len(iv) == 0 {
			iv = s.Week[time.Monday]
		}
		w.extra[x.Date] = mins(iv)
	}
	return w
}

// working reports whether the minute starting at t is working time.
func (w *walker) working(t time.Time) bool {
	lt := t.In(w.loc)
	y, m, d := lt.Date()
	date := Date{y, m, d}
	if w.holidays[date] {
		return false
	}
	iv, ok := w.extra[date]
	if !ok {
		iv = w.week[lt.Weekday()]
	}
	min := lt.Hour()*60 + lt.Minute()
	for _, x := range iv {
		if x[0] <= min && min < x[1] {
			return true
		}
	}
	return false
}

// add walks minute by minute; start must be minute-aligned, d whole minutes.
func (w *walker) add(start time.Time, d time.Duration) time.Time {
	t := start
	n := int(d / time.Minute)
	if n <= 0 {
		if w.working(t) || w.working(t.Add(-time.Minute)) {
			return t
		}
		for !w.working(t) {
			t = t.Add(time.Minute)
		}
		return t
	}
	for n > 0 {
		if w.working(t) {
			n--
		}
		t = t.Add(time.Minute)
	}
	return t
}

// between counts working minutes in [a, b).
func (w *walker) between(a, b time.Time) time.Duration {
	var n time.Duration
	for t := a; t.Before(b); t = t.Add(time.Minute) {
		if w.working(t) {
			n += time.Minute
		}
	}
	return n
}
