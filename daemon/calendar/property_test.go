package calendar

import (
	"math/rand"
	"testing"
	"time"
)

// mixedSpec exercises night intervals across midnight and the Berlin DST
// Sundays, touching intervals, and extra days with their own hours.
func mixedSpec(t testing.TB) Spec {
	return Spec{
		Name: "mixed", Zone: "Europe/Berlin",
		Week: [7][]string{
			time.Sunday:    {"00:00-24:00"},
			time.Monday:    {"00:00-01:30", "09:00-12:00", "12:00-12:30"},
			time.Wednesday: {"22:00-24:00"},
			time.Thursday:  {"00:00-01:00", "23:59-24:00"},
			time.Saturday:  {"10:00-11:00"},
		},
		Holidays: dates(t, "2026-03-29", "2026-05-04", "2026-12-27", "2027-10-31"),
		Extra: []ExtraDay{
			{Date: dates(t, "2026-05-05")[0], Intervals: []string{"06:00-07:00", "20:00-24:00"}},
			{Date: dates(t, "2026-10-24")[0]},
		},
	}
}

func propertySpecs(t testing.TB) []Spec {
	s := []Spec{officeSpec(t), campusSpec(), hamburgSpec(), berlinAllDaySpec(), mixedSpec(t)}
	a := Always().Spec()
	return append(s, a)
}

func randomDuration(r *rand.Rand) time.Duration {
	switch r.Intn(10) {
	case 0:
		return 0
	case 1:
		return time.Duration(r.Intn(5*24*60)) * time.Minute // up to 5 days
	}
	return time.Duration(r.Intn(10*60)) * time.Minute // up to 10 hours
}

// Add agrees with the minute-by-minute walker on thousands of random
// minute-aligned starts in 2026-2027, and Between with its count.
func TestAddAgreesWithWalker(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 300
	}
	for _, spec := range propertySpecs(t) {
		t.Run(spec.Name, func(t *testing.T) {
			t.Parallel()
			c, w := mustNew(t, spec), newWalker(t, spec)
			r := rand.New(rand.NewSource(42))
			from := time.Date(2026, 1, 1, 0, 0, 0, 0, c.Location())
			span := int(time.Date(2028, 1, 1, 0, 0, 0, 0, c.Location()).Sub(from) / time.Minute)
			for i := 0; i < n; i++ {
				s := from.Add(time.Duration(r.Intn(span)) * time.Minute)
				d := randomDuration(r)
				got, want := c.Add(s, d), w.add(s, d)
				if !got.Equal(want) {
					t.Fatalf("Add(%s, %v) = %s, walker says %s", fmtT(c, s), d, fmtT(c, got), fmtT(c, want))
				}
				if got := c.IsWorking(s); got != w.working(s) {
					t.Fatalf("IsWorking(%s) = %v", fmtT(c, s), got)
				}
				e := s.Add(time.Duration(r.Intn(36*60)) * time.Minute)
				if got, want := c.Between(s, e), w.between(s, e); got != want {
					t.Fatalf("Between(%s, %s) = %v, walker says %v", fmtT(c, s), fmtT(c, e), got, want)
				}
			}
		})
	}
}

// Algebraic properties on nanosecond-precise random starts and durations.
func TestAddProperties(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for _, spec := range propertySpecs(t) {
		t.Run(spec.Name, func(t *testing.T) {
			c := mustNew(t, spec)
			r := rand.New(rand.NewSource(7))
			from := time.Date(2026, 1, 1, 0, 0, 0, 0, c.Location())
			year2 := int64(2 * 365 * 24 * time.Hour)
			rnd := func() time.Duration {
				if r.Intn(4) == 0 {
					return time.Duration(r.Intn(4)) * 30 * time.Minute // hits boundaries
				}
				return time.Duration(r.Int63n(int64(72 * time.Hour)))
			}
			for i := 0; i < n; i++ {
				s := from.Add(time.Duration(r.Int63n(year2)))
				if r.Intn(3) == 0 {
					s = s.Truncate(30 * time.Minute) // on interval edges
				}
				a, b := rnd(), rnd()
				ab := c.Add(s, a+b)
				if got := c.Add(c.Add(s, a), b); !got.Equal(ab) {
					t.Fatalf("Add(Add(%s, %v), %v) = %s, Add(s, a+b) = %s", fmtT(c, s), a, b, fmtT(c, got), fmtT(c, ab))
				}
				if a <= a+b && c.Add(s, a).After(ab) {
					t.Fatalf("not monotonic in d at %s: %v, %v", fmtT(c, s), a, a+b)
				}
				s2 := s.Add(time.Duration(r.Int63n(int64(48 * time.Hour))))
				if c.Add(s2, a).Before(c.Add(s, a)) {
					t.Fatalf("not monotonic in start: %s, %s + %v", fmtT(c, s), fmtT(c, s2), a)
				}
				if got := c.Between(s, c.Add(s, a)); got != a {
					t.Fatalf("Between(%s, Add(s, %v)) = %v", fmtT(c, s), a, got)
				}
				if got := c.Add(s, 0); !got.Equal(c.Add(c.Add(s, 0), 0)) || got.Before(s) {
					t.Fatalf("Add(%s, 0) = %s is not a fixed point", fmtT(c, s), fmtT(c, got))
				}
				if c.IsWorking(s) && !c.NextWorkingStart(s).Equal(s) {
					t.Fatalf("NextWorkingStart(%s) of working time moved", fmtT(c, s))
				}
			}
		})
	}
}

// A calendar with a tiny precomputed window answers exactly as one with the
// full window: the slow path (walking days) and the joins at the window's
// edges agree with the table.
func TestSlowPathAgreesWithTable(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 500
	}
	for _, spec := range []Spec{officeSpec(t), mixedSpec(t), berlinAllDaySpec(), campusSpec()} {
		t.Run(spec.Name, func(t *testing.T) {
			full := mustNew(t, spec)
			small, err := newWithHorizon(spec, Date{2026, 3, 1}, Date{2026, 6, 1})
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewSource(3))
			from := time.Date(2025, 12, 1, 0, 0, 0, 0, full.Location())
			edges := []time.Time{small.tb.loT, small.tb.hiT, small.tb.loT.Add(-time.Nanosecond), small.tb.hiT.Add(-time.Nanosecond)}
			for i := 0; i < n; i++ {
				s := from.Add(time.Duration(r.Int63n(int64(280 * 24 * time.Hour))))
				if r.Intn(2) == 0 {
					s = s.Truncate(30 * time.Minute)
				}
				if i < len(edges) {
					s = edges[i]
				}
				d := time.Duration(r.Int63n(int64(20 * 24 * time.Hour)))
				if r.Intn(5) == 0 {
					d = 0
				}
				if a, b := full.Add(s, d), small.Add(s, d); !a.Equal(b) {
					t.Fatalf("Add(%s, %v): table %s, walk %s", fmtT(full, s), d, fmtT(full, a), fmtT(full, b))
				}
				e := s.Add(time.Duration(r.Int63n(int64(90 * 24 * time.Hour))))
				if a, b := full.Between(s, e), small.Between(s, e); a != b {
					t.Fatalf("Between(%s, %s): table %v, walk %v", fmtT(full, s), fmtT(full, e), a, b)
				}
				if a, b := full.IsWorking(s), small.IsWorking(s); a != b {
					t.Fatalf("IsWorking(%s): table %v, walk %v", fmtT(full, s), a, b)
				}
				if a, b := full.NextWorkingStart(s), small.NextWorkingStart(s); !a.Equal(b) {
					t.Fatalf("NextWorkingStart(%s): table %s, walk %s", fmtT(full, s), fmtT(full, a), fmtT(full, b))
				}
				day, k := full.DateOf(s), 1+r.Intn(40)
				if a, b := full.NthBusinessDayAfter(day, k), small.NthBusinessDayAfter(day, k); a != b {
					t.Fatalf("NthBusinessDayAfter(%s, %d): table %s, walk %s", day, k, a, b)
				}
				if a, b := full.IsBusinessDay(day), small.IsBusinessDay(day); a != b {
					t.Fatalf("IsBusinessDay(%s): table %v, walk %v", day, a, b)
				}
				if a, b := full.CloseOfBusiness(day), small.CloseOfBusiness(day); !a.Equal(b) {
					t.Fatalf("CloseOfBusiness(%s): table %s, walk %s", day, fmtT(full, a), fmtT(full, b))
				}
			}
		})
	}
}

// Far outside the window the answers stay right (checked by the walker).
func TestFarFromWindow(t *testing.T) {
	spec := officeSpec(t)
	c, w := mustNew(t, spec), newWalker(t, spec)
	for _, s := range []string{"1990-06-01 11:50", "2009-12-31 17:00", "2059-12-31 17:00", "2070-02-14 11:50"} {
		start := at(t, c, s)
		for _, d := range []time.Duration{0, 20 * time.Minute, 9 * time.Hour, 40 * time.Hour} {
			if got, want := c.Add(start, d), w.add(start, d); !got.Equal(want) {
				t.Errorf("Add(%s, %v) = %s, walker %s", s, d, fmtT(c, got), fmtT(c, want))
			}
		}
	}
	if got := c.NthBusinessDayAfter(Date{2009, 12, 25}, 10); got != (Date{2010, 1, 8}) {
		t.Errorf("NthBusinessDayAfter across the window's start = %s", got)
	}
	if got := c.NthBusinessDayAfter(Date{2059, 12, 25}, 10); got != (Date{2060, 1, 8}) {
		t.Errorf("NthBusinessDayAfter across the window's end = %s", got)
	}
}

// DateOf (a table lookup inside the window) agrees with the time package,
// also at midnights and around daylight-saving changes.
func TestDateOfAgreesWithTime(t *testing.T) {
	for _, spec := range propertySpecs(t) {
		c := mustNew(t, spec)
		r := rand.New(rand.NewSource(5))
		from := time.Date(2009, 12, 1, 0, 0, 0, 0, c.Location())
		for i := 0; i < 20000; i++ {
			s := from.Add(time.Duration(r.Int63n(int64(51 * 365 * 24 * time.Hour))))
			switch i % 3 {
			case 0:
				s = s.Truncate(time.Hour)
			case 1:
				s = c.At(c.DateOf(s), 0).Add(-time.Duration(r.Intn(2)))
			}
			y, m, d := s.In(c.Location()).Date()
			if got := c.DateOf(s); got != (Date{y, m, d}) {
				t.Fatalf("%s: DateOf(%s) = %s", c.Name(), fmtT(c, s), got)
			}
		}
	}
}
