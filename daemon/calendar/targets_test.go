package calendar

import (
	"testing"
	"time"
)

func TestSameDay(t *testing.T) {
	office, campus := mustNew(t, officeSpec(t)), mustNew(t, campusSpec())
	at18, cut14 := Clock(18*3600), Clock(14*3600)
	tests := []struct {
		c           *Calendar
		name, start string
		want        string
	}{
		{office, "before the cut-off", "2026-01-05 10:00", "2026-01-05 18:00"},
		{office, "before opening", "2026-01-05 07:00", "2026-01-05 18:00"},
		{office, "exactly at the cut-off", "2026-01-05 14:00", "2026-01-05 18:00"},
		{office, "one second after the cut-off", "2026-01-05 14:00:01", "2026-01-06 18:00"},
		{office, "after the cut-off on a Friday", "2026-01-09 15:00", "2026-01-12 18:00"},
		{office, "on a Saturday", "2026-01-10 10:00", "2026-01-12 18:00"},
		{office, "in the Spring Festival", "2026-02-15 09:00", "2026-02-24 18:00"},
		{office, "on a make-up Saturday", "2026-02-14 10:00", "2026-02-14 18:00"},
		{office, "after the cut-off before Golden Week", "2026-09-30 16:00", "2026-10-08 18:00"},
		{campus, "on a holiday, campus works", "2026-10-01 13:00", "2026-10-01 18:00"},
		{campus, "late evening", "2026-10-01 22:00", "2026-10-02 18:00"},
	}
	for _, tt := range tests {
		got := tt.c.SameDay(at(t, tt.c, tt.start), at18, cut14)
		if want := at(t, tt.c, tt.want); !got.Equal(want) {
			t.Errorf("%s %s: SameDay(%s) = %s, want %s", tt.c.Name(), tt.name, tt.start, fmtT(tt.c, got), tt.want)
		}
	}
}

func TestNextBusinessDayAt(t *testing.T) {
	office, campus := mustNew(t, officeSpec(t)), mustNew(t, campusSpec())
	tests := []struct {
		c           *Calendar
		start, want string
	}{
		{office, "2026-01-09 10:00", "2026-01-12 18:00"}, // over a weekend
		{office, "2026-01-10 10:00", "2026-01-12 18:00"}, // from a Saturday
		{office, "2026-02-13 10:00", "2026-02-14 18:00"}, // into a make-up Saturday
		{office, "2026-02-14 10:00", "2026-02-24 18:00"}, // over the Spring Festival
		{office, "2026-12-31 08:00", "2027-01-04 18:00"}, // over the year end
		{office, "2026-01-05 00:00", "2026-01-06 18:00"}, // strictly after the date
		{campus, "2026-01-05 22:00", "2026-01-06 18:00"},
		{campus, "2026-02-16 10:00", "2026-02-17 18:00"}, // campus works the holidays
	}
	for _, tt := range tests {
		got := tt.c.NextBusinessDayAt(at(t, tt.c, tt.start), 18*3600)
		if want := at(t, tt.c, tt.want); !got.Equal(want) {
			t.Errorf("%s: NextBusinessDayAt(%s) = %s, want %s", tt.c.Name(), tt.start, fmtT(tt.c, got), tt.want)
		}
	}
}

func TestBusinessDaysClose(t *testing.T) {
	office, hamburg := mustNew(t, officeSpec(t)), mustNew(t, hamburgSpec())
	tests := []struct {
		c     *Calendar
		start string
		n     int
		want  string
	}{
		{office, "2026-01-05 10:00", 3, "2026-01-08 18:00"},
		{office, "2026-01-05 23:30", 3, "2026-01-08 18:00"},
		{office, "2026-02-13 10:00", 3, "2026-02-25 18:00"}, // make-up Saturday, Spring Festival
		{office, "2026-09-24 10:00", 3, "2026-09-30 18:00"}, // Mid-Autumn
		{office, "2026-09-29 10:00", 3, "2026-10-09 18:00"}, // Golden Week
		{office, "2026-09-30 10:00", 3, "2026-10-10 18:00"}, // make-up Saturday 10-10
		{office, "2026-12-30 10:00", 3, "2027-01-05 18:00"}, // year end
		{office, "2026-04-30 10:00", 1, "2026-05-06 18:00"}, // Labour Day
		{office, "2026-01-05 10:00", 0, "2026-01-06 18:00"}, // n < 1 is 1
		{hamburg, "2026-03-27 10:00", 2, "2026-03-31 17:00"},
		{hamburg, "2026-10-23 10:00", 1, "2026-10-26 17:00"},
	}
	for _, tt := range tests {
		got := tt.c.BusinessDaysClose(at(t, tt.c, tt.start), tt.n)
		if want := at(t, tt.c, tt.want); !got.Equal(want) {
			t.Errorf("%s: BusinessDaysClose(%s, %d) = %s, want %s", tt.c.Name(), tt.start, tt.n, fmtT(tt.c, got), tt.want)
		}
	}
	// The start's local date is taken in the calendar's zone: 20:00 UTC on
	// Monday is 04:00 on Tuesday in Shanghai.
	got := office.BusinessDaysClose(time.Date(2026, 1, 5, 20, 0, 0, 0, time.UTC), 3)
	if want := at(t, office, "2026-01-09 18:00"); !got.Equal(want) {
		t.Errorf("UTC start: got %s, want %s", fmtT(office, got), fmtT(office, want))
	}
}

func TestDayOfMonth(t *testing.T) {
	office := mustNew(t, officeSpec(t))
	hamburg := mustNew(t, hamburgSpec())
	tests := []struct {
		c     *Calendar
		start string
		n     int
		want  string
	}{
		{office, "2026-03-09 15:00", 10, "2026-03-10 00:00"},
		{office, "2026-03-09 23:59:59", 10, "2026-03-10 00:00"},
		{office, "2026-03-10 00:00", 10, "2026-04-10 00:00"}, // strictly after
		{office, "2026-03-10 08:00", 10, "2026-04-10 00:00"},
		{office, "2026-12-15 10:00", 10, "2027-01-10 00:00"}, // December to January
		{office, "2026-10-03 10:00", 10, "2026-10-10 00:00"}, // a holiday does not matter
		{office, "2026-01-31 10:00", 31, "2026-03-31 00:00"}, // February has no 31st
		{office, "2026-03-31 00:00", 31, "2026-05-31 00:00"}, // nor April
		{office, "2026-02-01 00:00", 29, "2026-03-29 00:00"},
		{office, "2028-02-01 00:00", 29, "2028-02-29 00:00"}, // leap year
		{office, "2026-03-15 00:00", 1, "2026-04-01 00:00"},
		{office, "2026-03-15 00:00", 0, "2026-04-01 00:00"},  // clamped to 1
		{office, "2026-01-15 00:00", 99, "2026-01-31 00:00"}, // clamped to 31
		{hamburg, "2026-03-28 12:00", 29, "2026-03-29 00:00"},
	}
	for _, tt := range tests {
		got := tt.c.DayOfMonth(at(t, tt.c, tt.start), tt.n)
		if want := at(t, tt.c, tt.want); !got.Equal(want) {
			t.Errorf("%s: DayOfMonth(%s, %d) = %s, want %s", tt.c.Name(), tt.start, tt.n, fmtT(tt.c, got), tt.want)
		}
	}
}

func TestDays(t *testing.T) {
	office := mustNew(t, officeSpec(t))
	d := func(s string) Date { return dates(t, s)[0] }
	tests := []struct {
		day      string
		business bool
		next     string
		third    string
		close    string
	}{
		{"2026-01-01", false, "2026-01-04", "2026-01-06", "zero"},
		{"2026-01-04", true, "2026-01-05", "2026-01-07", "2026-01-04 18:00"},
		{"2026-01-09", true, "2026-01-12", "2026-01-14", "2026-01-09 18:00"},
		{"2026-01-10", false, "2026-01-12", "2026-01-14", "zero"},
		{"2026-02-14", true, "2026-02-24", "2026-02-26", "2026-02-14 18:00"},
		{"2026-02-20", false, "2026-02-24", "2026-02-26", "zero"},
		{"2026-10-08", true, "2026-10-09", "2026-10-12", "2026-10-08 18:00"},
		{"2026-12-31", true, "2027-01-04", "2027-01-06", "2026-12-31 18:00"},
	}
	for _, tt := range tests {
		if got := office.IsBusinessDay(d(tt.day)); got != tt.business {
			t.Errorf("IsBusinessDay(%s) = %v", tt.day, got)
		}
		if got := office.NextBusinessDay(d(tt.day)); got != d(tt.next) {
			t.Errorf("NextBusinessDay(%s) = %s, want %s", tt.day, got, tt.next)
		}
		if got := office.NthBusinessDayAfter(d(tt.day), 3); got != d(tt.third) {
			t.Errorf("NthBusinessDayAfter(%s, 3) = %s, want %s", tt.day, got, tt.third)
		}
		got := office.CloseOfBusiness(d(tt.day))
		if tt.close == "zero" {
			if !got.IsZero() {
				t.Errorf("CloseOfBusiness(%s) = %s, want zero", tt.day, fmtT(office, got))
			}
		} else if want := at(t, office, tt.close); !got.Equal(want) {
			t.Errorf("CloseOfBusiness(%s) = %s, want %s", tt.day, fmtT(office, got), tt.close)
		}
	}
	if got := office.DateOf(time.Date(2026, 1, 5, 16, 30, 0, 0, time.UTC)); got != d("2026-01-06") {
		t.Errorf("DateOf: %s, want 2026-01-06 (Shanghai is UTC+8)", got)
	}
}
