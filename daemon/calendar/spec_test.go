package calendar

import (
	"strings"
	"testing"
	"time"
)

func TestNewErrors(t *testing.T) {
	base := func() Spec {
		return Spec{Name: "office", Zone: "Asia/Shanghai", Week: weekdays("09:00-12:00", "13:30-18:00")}
	}
	tests := []struct {
		name   string
		change func(*Spec)
		want   []string // every one must appear in the error
	}{
		{"end before start", func(s *Spec) { s.Week[time.Monday] = []string{"13:30-12:00"} },
			[]string{`calendar "office": monday: interval "13:30-12:00": end before start`}},
		{"empty interval", func(s *Spec) { s.Week[time.Friday] = []string{"09:00-09:00"} },
			[]string{`calendar "office": friday: interval "09:00-09:00": empty`}},
		{"bad format", func(s *Spec) { s.Week[time.Sunday] = []string{"9-12"} },
			[]string{`calendar "office": sunday: interval "9-12": start: time "9": want HH:MM`}},
		{"no dash", func(s *Spec) { s.Week[time.Sunday] = []string{"09:00"} },
			[]string{`sunday: interval "09:00": want HH:MM-HH:MM`}},
		{"hour out of range", func(s *Spec) { s.Week[time.Monday] = []string{"09:00-25:00"} },
			[]string{`monday: interval "09:00-25:00": end: time "25:00": hour out of range`}},
		{"24:30", func(s *Spec) { s.Week[time.Monday] = []string{"09:00-24:30"} },
			[]string{`time "24:30": hour out of range`}},
		{"minute out of range", func(s *Spec) { s.Week[time.Monday] = []string{"09:60-10:00"} },
			[]string{`time "09:60": minute out of range`}},
		{"overlap", func(s *Spec) { s.Week[time.Tuesday] = []string{"11:00-13:00", "09:00-12:00"} },
			[]string{`calendar "office": tuesday: intervals "09:00-12:00" and "11:00-13:00" overlap`}},
		{"unknown zone", func(s *Spec) { s.Zone = "Mars/Olympus" },
			[]string{`calendar "office": zone "Mars/Olympus": unknown time zone`}},
		{"empty zone", func(s *Spec) { s.Zone = "" }, []string{`calendar "office": zone is empty`}},
		{"empty name", func(s *Spec) { s.Name = " " }, []string{`name is empty`}},
		{"no hours", func(s *Spec) { s.Week = [7][]string{} },
			[]string{`calendar "office": no working hours on any weekday`}},
		{"holiday and extra", func(s *Spec) {
			s.Holidays = []Date{{2026, 10, 10}}
			s.Extra = []ExtraDay{{Date: Date{2026, 10, 10}}}
		}, []string{`calendar "office": 2026-10-10 is both a holiday and an extra working day`}},
		{"bad holiday", func(s *Spec) { s.Holidays = []Date{{2026, 2, 30}} },
			[]string{`calendar "office": holiday 2026-02-30: day 30 out of range for 2026-02`}},
		{"bad extra day", func(s *Spec) { s.Extra = []ExtraDay{{Date: Date{2026, 13, 1}}} },
			[]string{`calendar "office": extra day 2026-13-01: month 13 out of range`}},
		{"extra twice", func(s *Spec) { s.Extra = []ExtraDay{{Date: Date{2026, 2, 14}}, {Date: Date{2026, 2, 14}}} },
			[]string{`extra day 2026-02-14: listed twice`}},
		{"extra bad interval", func(s *Spec) { s.Extra = []ExtraDay{{Date: Date{2026, 2, 14}, Intervals: []string{"10:00-09:00"}}} },
			[]string{`extra day 2026-02-14: interval "10:00-09:00": end before start`}},
		{"extra without monday", func(s *Spec) {
			s.Week[time.Monday] = nil
			s.Extra = []ExtraDay{{Date: Date{2026, 2, 14}}}
		}, []string{`extra day 2026-02-14: no intervals given and monday has none`}},
		{"every problem is reported", func(s *Spec) {
			s.Zone = "Nowhere/City"
			s.Week[time.Monday] = []string{"13:30-12:00"}
			s.Week[time.Wednesday] = []string{"08:00-10:00", "09:00-11:00"}
		}, []string{`zone "Nowhere/City"`, `monday: interval "13:30-12:00"`, `wednesday: intervals`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			tt.change(&s)
			c, err := New(s)
			if err == nil {
				t.Fatalf("New succeeded (%v), want an error", c.Name())
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestNewAccepts(t *testing.T) {
	s := Spec{Name: "x", Zone: "UTC", Week: [7][]string{
		time.Monday: {"13:00-14:00", "09:00:30-12:00:15", "12:00:15-13:00"}, // touching, unsorted, seconds
	}, Extra: []ExtraDay{{Date: Date{2026, 1, 3}, Intervals: []string{"00:00-24:00"}}},
		Holidays: []Date{{2026, 1, 5}, {2026, 1, 5}}} // duplicates are harmless
	c := mustNew(t, s)
	d := func(y int, m time.Month, day int) Date { return Date{y, m, day} }
	if got := c.Between(c.At(d(2026, 1, 12), 0), c.At(d(2026, 1, 13), 0)); got != 4*time.Hour+59*time.Minute+30*time.Second {
		t.Errorf("Monday = %v of work", got)
	}
	if c.IsBusinessDay(d(2026, 1, 5)) || !c.IsBusinessDay(d(2026, 1, 3)) {
		t.Error("holiday Monday or extra Saturday misread")
	}
	if got := c.CloseOfBusiness(d(2026, 1, 3)); !got.Equal(c.At(d(2026, 1, 4), 0)) {
		t.Errorf("an extra whole day closes at %v", got)
	}
	// Spec returns a copy: changing it does not change the calendar.
	cp := c.Spec()
	cp.Week[time.Monday][0] = "00:00-01:00"
	if c.Spec().Week[time.Monday][0] != "13:00-14:00" {
		t.Error("Spec() shares memory with the calendar")
	}
}

func TestAlways(t *testing.T) {
	a := Always()
	if a != Always() || a.Name() != "always" || a.Location() != time.UTC {
		t.Fatal("Always is not one shared UTC calendar")
	}
	for _, s := range []time.Time{
		time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC),
		time.Date(1999, 12, 31, 23, 0, 0, 0, time.UTC), // before the window
		time.Date(2059, 12, 31, 23, 0, 0, 0, time.UTC), // across its end
		time.Date(2100, 6, 1, 0, 0, 0, 0, time.UTC),    // after it
	} {
		for _, d := range []time.Duration{0, time.Nanosecond, time.Hour, 36 * time.Hour, 400 * 24 * time.Hour} {
			if got := a.Add(s, d); !got.Equal(s.Add(d)) {
				t.Errorf("Always().Add(%s, %v) = %s", s, d, got)
			}
			if got := a.Between(s, s.Add(d)); got != d {
				t.Errorf("Always().Between(%s, +%v) = %v", s, d, got)
			}
		}
	}
}
