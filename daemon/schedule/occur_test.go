package schedule

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/calendar"
	"github.com/switchboard-desk/switchboard/daemon/config"
)

// testCalendars builds the default desk's office (2026 State Council
// arrangement) and campus calendars with the real calendar package.
func testCalendars(t testing.TB) map[string]*calendar.Calendar {
	t.Helper()
	day := func(s string) calendar.Date {
		d, err := calendar.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	var hol []calendar.Date
	for _, r := range [][2]string{
		{"2026-01-01", "2026-01-03"}, {"2026-02-15", "2026-02-23"}, {"2026-04-04", "2026-04-06"},
		{"2026-05-01", "2026-05-05"}, {"2026-06-19", "2026-06-21"}, {"2026-09-25", "2026-09-27"},
		{"2026-10-01", "2026-10-07"}, {"2027-01-01", "2027-01-01"},
	} {
		for d := day(r[0]); !d.After(day(r[1])); d = d.AddDays(1) {
			hol = append(hol, d)
		}
	}
	var extra []calendar.ExtraDay
	for _, s := range []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"} {
		extra = append(extra, calendar.ExtraDay{Date: day(s)})
	}
	office := calendar.Spec{Name: "office", Zone: "Asia/Shanghai", Holidays: hol, Extra: extra}
	campus := calendar.Spec{Name: "campus", Zone: "Asia/Shanghai"}
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		campus.Week[wd] = []string{"07:00-23:00"}
		if wd != time.Saturday && wd != time.Sunday {
			office.Week[wd] = []string{"09:00-12:00", "13:30-18:00"}
		}
	}
	out := map[string]*calendar.Calendar{}
	for _, s := range []calendar.Spec{office, campus} {
		c, err := calendar.New(s)
		if err != nil {
			t.Fatal(err)
		}
		out[s.Name] = c
	}
	return out
}

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

// sh reads "2026-02-14 09:00" in Shanghai.
func sh(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustPlan(t *testing.T, s config.Schedule) *plan {
	t.Helper()
	if s.Ticket == nil && s.Report == "" {
		s.Report = "sla"
	}
	p, err := compile(s, testCalendars(t))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNextAndLast(t *testing.T) {
	daily := config.Schedule{Name: "d", Calendar: "office", Every: "business_day", At: "09:00"}
	campus := config.Schedule{Name: "c", Calendar: "campus", Every: "business_day", At: "09:00"}
	monday := config.Schedule{Name: "w", Calendar: "office", Every: "week", Weekday: "monday", At: "09:00"}
	saturday := config.Schedule{Name: "s", Calendar: "office", Every: "week", Weekday: "saturday", At: "10:00"}
	first := config.Schedule{Name: "m", Calendar: "office", Every: "month", At: "09:00"}
	third := config.Schedule{Name: "m3", Calendar: "office", Every: "month", BusinessDay: 3, At: "09:00"}
	tests := []struct {
		name       string
		s          config.Schedule
		at         string
		next, last string
	}{
		{"office before 09:00 on a Friday", daily, "2026-02-13 08:59", "2026-02-13 09:00", "2026-02-12 09:00"},
		{"office exactly at 09:00 (last includes it)", daily, "2026-02-13 09:00", "2026-02-14 09:00", "2026-02-13 09:00"},
		{"office Friday → make-up Saturday", daily, "2026-02-13 10:00", "2026-02-14 09:00", "2026-02-13 09:00"},
		{"office Spring Festival skipped", daily, "2026-02-14 10:00", "2026-02-24 09:00", "2026-02-14 09:00"},
		{"office in the holiday", daily, "2026-02-20 12:00", "2026-02-24 09:00", "2026-02-14 09:00"},
		{"office ordinary weekend skipped", daily, "2026-03-06 09:30", "2026-03-09 09:00", "2026-03-06 09:00"},
		{"office make-up Saturday 02-28", daily, "2026-02-27 09:30", "2026-02-28 09:00", "2026-02-27 09:00"},
		{"office year end", daily, "2026-12-31 09:30", "2027-01-04 09:00", "2026-12-31 09:00"},
		{"campus every day, Sunday too", campus, "2026-02-21 09:30", "2026-02-22 09:00", "2026-02-21 09:00"},
		{"weekly Monday", monday, "2026-03-02 08:00", "2026-03-02 09:00", "2026-02-24 09:00"},
		{"weekly Monday in holidays → Tuesday after", monday, "2026-02-10 09:00", "2026-02-24 09:00", "2026-02-09 09:00"},
		{"weekly Monday after the shifted run", monday, "2026-02-24 09:00", "2026-03-02 09:00", "2026-02-24 09:00"},
		{"weekly Saturday, a make-up working day: on the day", saturday, "2026-02-27 09:00", "2026-02-28 10:00", "2026-02-24 10:00"},
		{"weekly Saturday, a day off: the Monday after", saturday, "2026-03-02 09:00", "2026-03-09 10:00", "2026-02-28 10:00"},
		{"monthly 1st business day: January's is the make-up Sunday", first, "2026-01-01 00:00", "2026-01-04 09:00", "2025-12-01 09:00"},
		{"monthly 1st business day: October after Golden Week", first, "2026-09-30 00:00", "2026-10-08 09:00", "2026-09-01 09:00"},
		{"monthly 1st, mid-month", first, "2026-02-10 00:00", "2026-03-02 09:00", "2026-02-02 09:00"},
		{"monthly 3rd business day, February", third, "2026-02-01 00:00", "2026-02-04 09:00", "2026-01-06 09:00"},
		{"monthly, December to January", first, "2026-12-02 00:00", "2027-01-04 09:00", "2026-12-01 09:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustPlan(t, tc.s)
			now := sh(t, tc.at)
			n, ok := p.next(now)
			if !ok || !n.Equal(sh(t, tc.next)) {
				t.Errorf("next after %s = %v, want %s", tc.at, n, tc.next)
			}
			l, ok := p.last(now)
			if !ok || !l.Equal(sh(t, tc.last)) {
				t.Errorf("last at or before %s = %v, want %s", tc.at, l, tc.last)
			}
		})
	}
}

func TestPeriod(t *testing.T) {
	tests := []struct {
		name     string
		s        config.Schedule
		run      string
		from, to string
	}{
		{"weekly Monday: the week before", config.Schedule{Every: "week", Weekday: "monday", Calendar: "office"},
			"2026-11-23 09:00", "2026-11-16 00:00", "2026-11-23 00:00"},
		{"weekly, run shifted by a holiday: still the nominal week", config.Schedule{Every: "week", Weekday: "monday", Calendar: "office"},
			"2026-02-24 09:00", "2026-02-16 00:00", "2026-02-23 00:00"},
		{"daily on Monday: from Friday", config.Schedule{Every: "business_day", Calendar: "office"},
			"2026-11-23 09:00", "2026-11-20 00:00", "2026-11-23 00:00"},
		{"daily after the Spring Festival: from the make-up Saturday", config.Schedule{Every: "business_day", Calendar: "office"},
			"2026-02-24 09:00", "2026-02-14 00:00", "2026-02-24 00:00"},
		{"monthly: the previous month", config.Schedule{Every: "month", Calendar: "office"},
			"2026-01-04 09:00", "2025-12-01 00:00", "2026-01-01 00:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.s.Name, tc.s.At = "r", "09:00"
			p := mustPlan(t, tc.s)
			from, to := p.period(sh(t, tc.run))
			if !from.Equal(sh(t, tc.from)) || !to.Equal(sh(t, tc.to)) {
				t.Errorf("period of %s = [%v, %v), want [%s, %s)", tc.run, from, to, tc.from, tc.to)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tk := &config.ScheduledTicket{Kind: "request", Category: "inspection", Title: "Inspect {location}"}
	tests := []struct {
		name string
		s    config.Schedule
		want string
	}{
		{"no name", config.Schedule{Every: "week", At: "09:00", Ticket: tk}, "name is empty"},
		{"unknown calendar", config.Schedule{Name: "x", Calendar: "moon", Every: "week", At: "09:00", Ticket: tk}, `schedule "x": calendar: unknown calendar "moon"`},
		{"no at", config.Schedule{Name: "x", Every: "week", Ticket: tk}, `schedule "x": at: is required`},
		{"bad at", config.Schedule{Name: "x", Every: "week", At: "9am", Ticket: tk}, `schedule "x": at: time "9am"`},
		{"24:00", config.Schedule{Name: "x", Every: "week", At: "24:00", Ticket: tk}, `at: "24:00" is the end of the day`},
		{"no every", config.Schedule{Name: "x", At: "09:00", Ticket: tk}, `every: is required`},
		{"bad every", config.Schedule{Name: "x", Every: "fortnight", At: "09:00", Ticket: tk}, `every: unknown value "fortnight"`},
		{"bad weekday", config.Schedule{Name: "x", Every: "week", Weekday: "funday", At: "09:00", Ticket: tk}, `weekday: unknown weekday "funday"`},
		{"weekday on a daily", config.Schedule{Name: "x", Every: "business_day", Weekday: "monday", At: "09:00", Ticket: tk}, `weekday: is only for every = "week"`},
		{"business_day out of range", config.Schedule{Name: "x", Every: "month", BusinessDay: 40, At: "09:00", Ticket: tk}, `business_day: 40 is out of range`},
		{"business_day on a weekly", config.Schedule{Name: "x", Every: "week", BusinessDay: 2, At: "09:00", Ticket: tk}, `business_day: is only for every = "month"`},
		{"neither ticket nor report", config.Schedule{Name: "x", Every: "week", At: "09:00"}, `needs a ticket or a report`},
		{"both", config.Schedule{Name: "x", Every: "week", At: "09:00", Ticket: tk, Report: "sla"}, `not both`},
		{"unknown report", config.Schedule{Name: "x", Every: "week", At: "09:00", Report: "kpi"}, `report: unknown report "kpi"`},
		{"ticket without title", config.Schedule{Name: "x", Every: "week", At: "09:00", Ticket: &config.ScheduledTicket{Category: "c"}}, `ticket.title: is required`},
		{"ticket without category", config.Schedule{Name: "x", Every: "week", At: "09:00", Ticket: &config.ScheduledTicket{Title: "t"}}, `ticket.category: is required`},
		{"ticket with a bad kind", config.Schedule{Name: "x", Every: "week", At: "09:00", Ticket: &config.ScheduledTicket{Kind: "chore", Title: "t", Category: "c"}}, `ticket.kind: unknown kind "chore"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compile(tc.s, testCalendars(t))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
