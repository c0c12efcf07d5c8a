package calendar

import (
	"math/rand"
	"testing"
	"time"

	rcal "github.com/rickar/cal/v2"
)

// rickarFor configures github.com/rickar/cal/v2 as close to spec as it
// allows: one working interval a day (no lunch break: it spans from the
// first interval's start to the last one's end), holidays as one-year
// holidays, make-up days through WorkdayFunc. Its day bounds are midnight
// plus a fixed duration, so they shift by an hour on DST days.
func rickarFor(t testing.TB, spec Spec) *rcal.BusinessCalendar {
	t.Helper()
	c := rcal.NewBusinessCalendar()
	c.Cacheable = true
	iv, err := parseDay(spec.Week[time.Monday])
	if err != nil || len(iv) == 0 {
		t.Fatalf("rickar: monday hours: %v", err)
	}
	c.SetWorkHours(time.Duration(iv[0].start)*time.Second, time.Duration(iv[len(iv)-1].end)*time.Second)
	for _, d := range spec.Holidays {
		c.AddHoliday(&rcal.Holiday{
			Name: d.String(), Type: rcal.ObservancePublic, StartYear: d.Year, EndYear: d.Year,
			Month: d.Month, Day: d.Day, Func: rcal.CalcDayOfMonth,
		})
	}
	extra := map[Date]bool{}
	for _, x := range spec.Extra {
		extra[x.Date] = true
	}
	c.WorkdayFunc = func(t time.Time) bool {
		y, m, d := t.Date()
		return len(spec.Week[t.Weekday()]) > 0 || extra[Date{y, m, d}]
	}
	return c
}

// TestRickarDisagreements records where rickar/cal gives another deadline
// than this package (and the minute walker): across a lunch break and on
// working days where daylight saving changes.
func TestRickarDisagreements(t *testing.T) {
	berlinCampus := Spec{Name: "berlin-campus", Zone: "Europe/Berlin", Week: everyDay("07:00-23:00")}
	tests := []struct {
		name  string
		spec  Spec
		start string
		d     time.Duration
	}{
		{"lunch break", officeSpec(t), "2026-01-05 11:50", 20 * time.Minute},
		{"lunch break over a weekend", officeSpec(t), "2026-01-09 17:00", 5 * time.Hour},
		{"spring-forward working day", berlinCampus, "2026-03-29 06:00", time.Hour},
		{"fall-back working day", berlinCampus, "2026-10-25 21:30", time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, w, r := mustNew(t, tt.spec), newWalker(t, tt.spec), rickarFor(t, tt.spec)
			s := at(t, c, tt.start)
			ours, walk, theirs := c.Add(s, tt.d), w.add(s, tt.d), r.AddWorkHours(s, tt.d)
			if !ours.Equal(walk) {
				t.Fatalf("Add = %s, walker %s", fmtT(c, ours), fmtT(c, walk))
			}
			if ours.Equal(theirs) {
				t.Fatalf("rickar/cal agrees (%s); the comparison is stale", fmtT(c, theirs))
			}
			t.Logf("%s + %v: calendar %s, rickar/cal %s", tt.start, tt.d, fmtT(c, ours), fmtT(c, theirs))
		})
	}
	// On random office starts, how often does rickar/cal disagree?
	spec := officeSpec(t)
	c, r := mustNew(t, spec), rickarFor(t, spec)
	cases := benchCases(c, 2000)
	differ := 0
	for _, k := range cases {
		if !c.Add(k.start, k.d).Equal(r.AddWorkHours(k.start, k.d)) {
			differ++
		}
	}
	t.Logf("office: rickar/cal disagrees on %d of %d random deadlines", differ, len(cases))
	if differ == 0 {
		t.Error("rickar/cal agrees everywhere; the comparison is stale")
	}
}

type benchCase struct {
	start time.Time
	d     time.Duration
	n     int
}

// benchCases draws minute-aligned starts in 2026 and business durations
// from 1 minute to 2 working days (across lunch, nights, holidays and
// make-up days).
func benchCases(c *Calendar, n int) []benchCase {
	r := rand.New(rand.NewSource(99))
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, c.Location())
	out := make([]benchCase, n)
	for i := range out {
		out[i] = benchCase{
			start: from.Add(time.Duration(r.Intn(365*24*60)) * time.Minute),
			d:     time.Duration(1+r.Intn(15*60)) * time.Minute,
			n:     1 + r.Intn(5),
		}
	}
	return out
}

var sinkTime time.Time
var sinkDur time.Duration

// BenchmarkDeadline compares, in one run, this package's business-time
// deadline and n-th business day close with the minute walker (the test
// oracle) and with rickar/cal, all on the office calendar.
//
//	go test ./daemon/calendar -run '^$' -bench Deadline -benchmem
func BenchmarkDeadline(b *testing.B) {
	spec := officeSpec(b)
	c, w, r := mustNew(b, spec), newWalker(b, spec), rickarFor(b, spec)
	cases := benchCases(c, 4096)
	b.Run("Add", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			k := &cases[i&4095]
			sinkTime = c.Add(k.start, k.d)
		}
	})
	b.Run("BusinessDaysClose", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			k := &cases[i&4095]
			sinkTime = c.BusinessDaysClose(k.start, k.n)
		}
	})
	b.Run("Between", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			k := &cases[i&4095]
			sinkDur = c.Between(k.start, cases[(i+1)&4095].start)
		}
	})
	b.Run("Walk", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			k := &cases[i&4095]
			sinkTime = w.add(k.start, k.d)
		}
	})
	b.Run("Rickar", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			k := &cases[i&4095]
			sinkTime = r.AddWorkHours(k.start, k.d)
		}
	})
}

// BenchmarkNew measures building (precomputing) the office calendar.
func BenchmarkNew(b *testing.B) {
	spec := officeSpec(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(spec); err != nil {
			b.Fatal(err)
		}
	}
}
