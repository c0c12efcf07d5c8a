package calendar

import (
	"testing"
	"time"
)

func TestAdd(t *testing.T) {
	cals := map[string]*Calendar{}
	for _, c := range deskCalendars(t) {
		cals[c.Name()] = c
	}
	tests := []struct {
		cal, name, start string
		d                time.Duration
		want             string
	}{
		// office: Asia/Shanghai, Mon-Fri 09:00-12:00 and 13:30-18:00.
		{"office", "across lunch", "2026-01-05 11:50", 20 * time.Minute, "2026-01-05 13:40"},
		{"office", "lands on the end of the morning", "2026-01-05 11:45", 15 * time.Minute, "2026-01-05 12:00"},
		{"office", "one minute past the end of the morning", "2026-01-05 11:45", 16 * time.Minute, "2026-01-05 13:31"},
		{"office", "from the end of the morning", "2026-01-05 12:00", time.Minute, "2026-01-05 13:31"},
		{"office", "zero at the end of the morning", "2026-01-05 12:00", 0, "2026-01-05 12:00"},
		{"office", "zero during lunch", "2026-01-05 12:30", 0, "2026-01-05 13:30"},
		{"office", "zero inside working time", "2026-01-05 10:17:23", 0, "2026-01-05 10:17:23"},
		{"office", "negative is zero", "2026-01-05 07:00", -time.Hour, "2026-01-05 09:00"},
		{"office", "start during lunch", "2026-01-05 12:30", 30 * time.Minute, "2026-01-05 14:00"},
		{"office", "start before opening", "2026-01-05 07:00", time.Minute, "2026-01-05 09:01"},
		{"office", "start at night", "2026-01-05 20:00", time.Hour, "2026-01-06 10:00"},
		{"office", "lands on close of business", "2026-01-05 17:00", time.Hour, "2026-01-05 18:00"},
		{"office", "zero at close of business", "2026-01-05 18:00", 0, "2026-01-05 18:00"},
		{"office", "seconds are kept", "2026-01-05 11:59:30", 45 * time.Second, "2026-01-05 13:30:15"},
		{"office", "whole working day", "2026-01-06 09:00", 7*time.Hour + 30*time.Minute, "2026-01-06 18:00"},
		{"office", "start on a Saturday", "2026-01-10 10:00", 30 * time.Minute, "2026-01-12 09:30"},
		{"office", "start on a Sunday night", "2026-01-11 23:59", time.Minute, "2026-01-12 09:01"},
		{"office", "New Year holidays then make-up Sunday", "2026-01-01 10:00", time.Hour, "2026-01-04 10:00"},
		{"office", "Wednesday before New Year", "2025-12-31 17:00", 2 * time.Hour, "2026-01-04 10:00"},
		{"office", "start on make-up Saturday", "2026-02-14 10:00", 3 * time.Hour, "2026-02-14 14:30"},
		{"office", "Friday into make-up Saturday", "2026-02-13 17:00", 2 * time.Hour, "2026-02-14 10:00"},
		{"office", "make-up Saturday into Spring Festival", "2026-02-14 17:00", 2 * time.Hour, "2026-02-24 10:00"},
		{"office", "start inside Spring Festival", "2026-02-18 10:00", 0, "2026-02-24 09:00"},
		{"office", "Friday into make-up Saturday 02-28", "2026-02-27 18:00", time.Hour, "2026-02-28 10:00"},
		{"office", "into Golden Week lands on Thursday's close", "2026-09-30 17:30", 8 * time.Hour, "2026-10-08 18:00"},
		{"office", "Golden Week then make-up Saturday 10-10", "2026-09-30 17:30", 16 * time.Hour, "2026-10-10 09:30"},
		{"office", "start in Golden Week", "2026-10-03 11:00", 4 * time.Hour, "2026-10-08 14:30"},
		{"office", "make-up Sunday 09-20", "2026-09-18 17:00", 2 * time.Hour, "2026-09-20 10:00"},
		{"office", "across the year end", "2026-12-31 17:00", 2 * time.Hour, "2027-01-04 10:00"},
		{"office", "across a month end", "2026-03-31 17:00", 90 * time.Minute, "2026-04-01 09:30"},
		{"office", "Qingming: Friday into Tuesday", "2026-04-03 17:00", 2 * time.Hour, "2026-04-07 10:00"},
		{"office", "three business days", "2026-01-05 09:00", 3 * (7*time.Hour + 30*time.Minute), "2026-01-07 18:00"},

		// campus: Asia/Shanghai, every day 07:00-23:00.
		{"campus", "around midnight", "2026-01-05 22:50", 20 * time.Minute, "2026-01-06 07:10"},
		{"campus", "lands on 23:00", "2026-01-05 22:45", 15 * time.Minute, "2026-01-05 23:00"},
		{"campus", "zero at night", "2026-01-05 23:30", 0, "2026-01-06 07:00"},
		{"campus", "start after midnight", "2026-01-06 00:10", 15 * time.Minute, "2026-01-06 07:15"},
		{"campus", "holidays are worked", "2026-10-01 06:00", 15 * time.Minute, "2026-10-01 07:15"},
		{"campus", "two hours at 22:00", "2026-12-31 22:00", 2 * time.Hour, "2027-01-01 08:00"},

		// always: business time is real time.
		{"always", "36 hours", "2026-03-28 12:00", 36 * time.Hour, "2026-03-30 00:00"},
		{"always", "zero", "2026-03-28 12:00:01", 0, "2026-03-28 12:00:01"},

		// hamburg: Europe/Berlin, Mon-Fri 08:00-17:00; DST changes on Sundays.
		{"hamburg", "Friday to Monday across spring forward", "2026-03-27 16:00", 2 * time.Hour, "2026-03-30 09:00"},
		{"hamburg", "Friday to Monday across fall back", "2026-10-23 16:30", time.Hour, "2026-10-26 08:30"},
		{"hamburg", "2027 spring forward", "2027-03-26 16:00", 2 * time.Hour, "2027-03-29 09:00"},
		{"hamburg", "2027 fall back, lands on close", "2027-10-29 16:00", 10 * time.Hour, "2027-11-01 17:00"},

		// berlin24: Europe/Berlin, every hour of every day.
		{"berlin24", "one real hour across spring forward", "2026-03-29 01:30", time.Hour, "2026-03-29 03:30"},
		{"berlin24", "the spring-forward day is 23 hours", "2026-03-29 00:00", 23 * time.Hour, "2026-03-30 00:00"},
		{"berlin24", "one real hour across fall back", "2026-10-25 01:30", 2 * time.Hour, "2026-10-25 02:30 +01:00"},
		{"berlin24", "the fall-back day is 25 hours", "2026-10-25 00:00", 25 * time.Hour, "2026-10-26 00:00"},
		{"berlin24", "2027 spring forward", "2027-03-28 00:00", 23 * time.Hour, "2027-03-29 00:00"},
		{"berlin24", "2027 fall back", "2027-10-31 00:00", 25 * time.Hour, "2027-11-01 00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.cal+"/"+tt.name, func(t *testing.T) {
			c := cals[tt.cal]
			start, want := at(t, c, tt.start), at(t, c, tt.want)
			got := c.Add(start, tt.d)
			if !got.Equal(want) {
				t.Fatalf("Add(%s, %v) = %s, want %s", fmtT(c, start), tt.d, fmtT(c, got), fmtT(c, want))
			}
			if got.Location() != c.Location() {
				t.Errorf("result in %v, want the calendar's zone %v", got.Location(), c.Location())
			}
			if tt.d > 0 {
				if b := c.Between(start, got); b != tt.d {
					t.Errorf("Between(start, Add(start, d)) = %v, want %v", b, tt.d)
				}
			}
		})
	}
}

func TestBetween(t *testing.T) {
	office := mustNew(t, officeSpec(t))
	hamburg := mustNew(t, hamburgSpec())
	b24 := mustNew(t, berlinAllDaySpec())
	tests := []struct {
		c    *Calendar
		a, b string
		want time.Duration
	}{
		{office, "2026-01-05 11:00", "2026-01-05 14:00", 90 * time.Minute},
		{office, "2026-01-05 14:00", "2026-01-05 11:00", 0},
		{office, "2026-01-05 12:00", "2026-01-05 13:30", 0},
		{office, "2026-01-05 00:00", "2026-01-06 00:00", 7*time.Hour + 30*time.Minute},
		{office, "2026-02-14 00:00", "2026-02-25 00:00", 2 * (7*time.Hour + 30*time.Minute)},
		{office, "2026-09-30 00:00", "2026-10-11 00:00", 4 * (7*time.Hour + 30*time.Minute)},
		{office, "2026-12-31 17:30", "2027-01-04 09:30", time.Hour},
		{hamburg, "2026-03-27 16:00", "2026-03-30 09:00", 2 * time.Hour},
		{hamburg, "2026-10-23 16:00", "2026-10-26 09:00", 2 * time.Hour},
		{b24, "2026-03-29 00:00", "2026-03-30 00:00", 23 * time.Hour},
		{b24, "2026-10-25 00:00", "2026-10-26 00:00", 25 * time.Hour},
		{b24, "2027-03-28 00:00", "2027-03-29 00:00", 23 * time.Hour},
		{b24, "2027-10-31 00:00", "2027-11-01 00:00", 25 * time.Hour},
	}
	for _, tt := range tests {
		a, b := at(t, tt.c, tt.a), at(t, tt.c, tt.b)
		if got := tt.c.Between(a, b); got != tt.want {
			t.Errorf("%s: Between(%s, %s) = %v, want %v", tt.c.Name(), tt.a, tt.b, got, tt.want)
		}
	}
}

func TestIsWorkingAndNextWorkingStart(t *testing.T) {
	office := mustNew(t, officeSpec(t))
	tests := []struct {
		t       string
		working bool
		next    string
	}{
		{"2026-01-05 08:59:59", false, "2026-01-05 09:00"},
		{"2026-01-05 09:00", true, "2026-01-05 09:00"},
		{"2026-01-05 11:59:59", true, "2026-01-05 11:59:59"},
		{"2026-01-05 12:00", false, "2026-01-05 13:30"},
		{"2026-01-05 18:00", false, "2026-01-06 09:00"},
		{"2026-01-09 18:00", false, "2026-01-12 09:00"},
		{"2026-02-14 09:00", true, "2026-02-14 09:00"},
		{"2026-02-15 10:00", false, "2026-02-24 09:00"},
		{"2026-10-07 23:00", false, "2026-10-08 09:00"},
	}
	for _, tt := range tests {
		tm := at(t, office, tt.t)
		if got := office.IsWorking(tm); got != tt.working {
			t.Errorf("IsWorking(%s) = %v, want %v", tt.t, got, tt.working)
		}
		if got, want := office.NextWorkingStart(tm), at(t, office, tt.next); !got.Equal(want) {
			t.Errorf("NextWorkingStart(%s) = %s, want %s", tt.t, fmtT(office, got), tt.next)
		}
	}
}

// Calendar-time targets are plain time.Add: 36h is 36 real hours, also
// across a daylight-saving change.
func TestCalendarTimeAcrossDST(t *testing.T) {
	hamburg := mustNew(t, hamburgSpec())
	tests := []struct{ start, want string }{
		{"2026-03-28 12:00", "2026-03-30 01:00"}, // the night lost an hour
		{"2026-10-24 12:00", "2026-10-25 23:00"}, // the night gained one
	}
	for _, tt := range tests {
		got := at(t, hamburg, tt.start).Add(36 * time.Hour)
		if want := at(t, hamburg, tt.want); !got.Equal(want) {
			t.Errorf("%s + 36h = %s, want %s", tt.start, fmtT(hamburg, got), tt.want)
		}
	}
}

// Intervals whose wall times fall into a daylight-saving gap or overlap.
func TestIntervalsAtDSTChanges(t *testing.T) {
	c := mustNew(t, Spec{Name: "night", Zone: "Europe/Berlin", Week: [7][]string{
		time.Sunday: {"02:00-04:00"}, time.Monday: {"02:15-02:45"},
	}})
	d := func(s string) Date { return dates(t, s)[0] }
	// Spring forward: 02:00-03:00 does not exist; the interval is 03:00-04:00 CEST.
	if got := c.Between(at(t, c, "2026-03-29 00:00"), at(t, c, "2026-03-30 00:00")); got != time.Hour {
		t.Errorf("spring-forward Sunday: %v of business time, want 1h", got)
	}
	if got, want := c.NextWorkingStart(at(t, c, "2026-03-29 00:00")), at(t, c, "2026-03-29 03:00"); !got.Equal(want) {
		t.Errorf("spring-forward Sunday starts at %s, want 03:00 CEST", fmtT(c, got))
	}
	// Fall back: from the first 02:00 (CEST) to 04:00 CET is 3 real hours.
	if got := c.Between(at(t, c, "2026-10-25 00:00"), at(t, c, "2026-10-26 00:00")); got != 3*time.Hour {
		t.Errorf("fall-back Sunday: %v of business time, want 3h", got)
	}
	if !c.IsBusinessDay(d("2026-03-22")) || !c.IsBusinessDay(d("2026-03-29")) {
		t.Error("Sundays with hours are business days")
	}
	// An interval wholly inside a gap is empty: not a business day. (No
	// Monday has a gap in Berlin, so check At instead.)
	if got, want := c.At(d("2026-03-29"), 2*3600+30*60), at(t, c, "2026-03-29 03:00"); !got.Equal(want) {
		t.Errorf("At(02:30) in the gap = %s, want %s", fmtT(c, got), fmtT(c, want))
	}
	if got, want := c.At(d("2026-10-25"), 2*3600+30*60), at(t, c, "2026-10-25 02:30 +02:00"); !got.Equal(want) {
		t.Errorf("At(02:30) in the repeated hour = %s, want the first occurrence %s", fmtT(c, got), fmtT(c, want))
	}
	gap := mustNew(t, Spec{Name: "gap", Zone: "Europe/Berlin", Week: [7][]string{
		time.Sunday: {"02:15-02:45"}, time.Monday: {"09:00-10:00"},
	}})
	if gap.IsBusinessDay(d("2026-03-29")) {
		t.Error("a Sunday whose only interval lies in the DST gap is not a business day")
	}
	if !gap.IsBusinessDay(d("2026-03-22")) {
		t.Error("an ordinary Sunday with 02:15-02:45 is a business day")
	}
	if got, want := gap.Add(at(t, gap, "2026-03-28 12:00"), 10*time.Minute), at(t, gap, "2026-03-30 09:10"); !got.Equal(want) {
		t.Errorf("Add across the swallowed interval = %s, want %s", fmtT(gap, got), fmtT(gap, want))
	}
}
