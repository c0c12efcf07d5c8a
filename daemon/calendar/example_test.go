package calendar_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/calendar"
)

// deadliner mirrors the SLA engine's seam (daemon/sla.Calendar).
type deadliner interface {
	Add(start time.Time, d time.Duration) time.Time
}

var _ deadliner = (*calendar.Calendar)(nil)

func Example() {
	holidays, err := calendar.LoadHolidays(strings.NewReader("2026-10-01\n2026-10-02\n"))
	if err != nil {
		panic(err)
	}
	office, err := calendar.New(calendar.Spec{
		Name: "office",
		Zone: "Asia/Shanghai",
		Week: [7][]string{
			time.Monday:    {"09:00-12:00", "13:30-18:00"},
			time.Tuesday:   {"09:00-12:00", "13:30-18:00"},
			time.Wednesday: {"09:00-12:00", "13:30-18:00"},
			time.Thursday:  {"09:00-12:00", "13:30-18:00"},
			time.Friday:    {"09:00-12:00", "13:30-18:00"},
		},
		Holidays: holidays,
		Extra:    []calendar.ExtraDay{{Date: calendar.Date{Year: 2026, Month: time.October, Day: 10}}},
	})
	if err != nil {
		panic(err)
	}
	start := office.At(calendar.Date{Year: 2026, Month: time.September, Day: 30}, 11*3600+50*60)
	fmt.Println(office.Add(start, 20*time.Minute).Format(time.RFC3339)) // across lunch
	fmt.Println(office.Add(start, 10*time.Minute).Format(time.RFC3339)) // lands on 12:00
	fmt.Println(office.BusinessDaysClose(start, 3).Format(time.RFC3339))
	fmt.Println(office.Between(start, office.Add(start, 8*time.Hour)))
	// Output:
	// 2026-09-30T13:40:00+08:00
	// 2026-09-30T12:00:00+08:00
	// 2026-10-07T18:00:00+08:00
	// 8h0m0s
}

func ExampleNew_errors() {
	_, err := calendar.New(calendar.Spec{
		Name: "office", Zone: "Asia/Shanghai",
		Week: [7][]string{time.Monday: {"13:30-12:00"}},
	})
	fmt.Println(err)
	// Output:
	// calendar "office": monday: interval "13:30-12:00": end before start
}
