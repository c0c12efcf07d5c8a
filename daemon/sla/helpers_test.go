package sla_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/switchboard-desk/switchboard/daemon/calendar"
	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/escalate"
	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// The calendars of issue #4's default desk, built with calendar.New.

func mustDates(t testing.TB, ss ...string) []calendar.Date {
	t.Helper()
	out := make([]calendar.Date, 0, len(ss))
	for _, s := range ss {
		d, err := calendar.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// between returns the dates from a to b inclusive.
func between(t testing.TB, a, b string) []calendar.Date {
	ds := mustDates(t, a, b)
	var out []calendar.Date
	for d := ds[0]; !d.After(ds[1]); d = d.AddDays(1) {
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

// officeSpec is the office calendar: Asia/Shanghai, Monday to Friday
// 09:00-12:00 and 13:30-18:00, with the State Council's 2026 arrangement.
func officeSpec(t testing.TB) calendar.Spec {
	var hol []calendar.Date
	for _, r := range [][2]string{
		{"2026-01-01", "2026-01-03"}, {"2026-02-15", "2026-02-23"}, {"2026-04-04", "2026-04-06"},
		{"2026-05-01", "2026-05-05"}, {"2026-06-19", "2026-06-21"}, {"2026-09-25", "2026-09-27"},
		{"2026-10-01", "2026-10-07"}, {"2027-01-01", "2027-01-01"},
	} {
		hol = append(hol, between(t, r[0], r[1])...)
	}
	var extra []calendar.ExtraDay
	for _, d := range mustDates(t, "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10") {
		extra = append(extra, calendar.ExtraDay{Date: d})
	}
	return calendar.Spec{Name: "office", Zone: "Asia/Shanghai", Week: weekdays("09:00-12:00", "13:30-18:00"),
		Holidays: hol, Extra: extra}
}

func mustCalendar(t testing.TB, s calendar.Spec) *calendar.Calendar {
	t.Helper()
	c, err := calendar.New(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// deskCalendars returns office, campus, hamburg and always; edit, when
// given, changes the office spec first (a holiday announced).
func deskCalendars(t testing.TB, edit func(*calendar.Spec)) map[string]*calendar.Calendar {
	t.Helper()
	office := officeSpec(t)
	if edit != nil {
		edit(&office)
	}
	return map[string]*calendar.Calendar{
		"office": mustCalendar(t, office),
		"campus": mustCalendar(t, calendar.Spec{Name: "campus", Zone: "Asia/Shanghai", Week: everyDay("07:00-23:00")}),
		"hamburg": mustCalendar(t, calendar.Spec{Name: "hamburg", Zone: "Europe/Berlin",
			Week: weekdays("08:00-17:00")}),
		"always": calendar.Always(),
	}
}

// issue4 decodes testdata/issue4.toml strictly.
func issue4(t testing.TB) config.Config {
	t.Helper()
	b, err := os.ReadFile("testdata/issue4.toml")
	if err != nil {
		t.Fatal(err)
	}
	var c config.Config
	md, err := toml.Decode(string(b), &c)
	if err != nil {
		t.Fatalf("decode issue4.toml: %v", err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Fatalf("issue4.toml: undecoded keys %v", u)
	}
	return c
}

// issueEngine builds the engine of testdata/issue4.toml on cals (default:
// deskCalendars) as the agent does, with roles and chain actions; edit, when
// given, changes the config first.
func issueEngine(t testing.TB, cals map[string]*calendar.Calendar, edit func(*config.Config)) *sla.Engine {
	t.Helper()
	c := issue4(t)
	if edit != nil {
		edit(&c)
	}
	if cals == nil {
		cals = deskCalendars(t, nil)
	}
	esc, err := escalate.New(c.Escalations, c.Roles)
	if err != nil {
		t.Fatal(err)
	}
	e, err := sla.New(c.Policies, esc, sla.WithCalendars(cals), sla.WithRoles(c.Roles), sla.WithChains(c.Escalations))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// Zones of the desk.
var (
	shanghai = mustZone("Asia/Shanghai")
	berlin   = mustZone("Europe/Berlin")
)

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// at parses "2006-01-02 15:04" (or with seconds) in loc.
func at(loc *time.Location, s string) time.Time {
	layout := "2006-01-02 15:04"
	if len(s) > len(layout) {
		layout += ":05"
	}
	t, err := time.ParseInLocation(layout, s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

func sh(s string) time.Time  { return at(shanghai, s) }
func be(s string) time.Time  { return at(berlin, s) }
func utc(s string) time.Time { return at(time.UTC, s) }

// newTicket returns an open ticket with the given fields.
func newTicket(kind ticket.Kind, category, severity, tier string) *ticket.Ticket {
	return &ticket.Ticket{ID: "T1", Kind: kind, Category: category, Severity: severity, Tier: tier,
		Status: ticket.StatusDispatched}
}

// replans returns the ReplanData of the sla.replanned events among evs.
func replans(t *testing.T, evs []ticket.Event) []ticket.ReplanData {
	t.Helper()
	var out []ticket.ReplanData
	for _, ev := range evs {
		if ev.Type != ticket.EventReplanned {
			continue
		}
		var d ticket.ReplanData
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// types returns the event types of evs.
func types(evs []ticket.Event) []string {
	out := make([]string, 0, len(evs))
	for _, ev := range evs {
		out = append(out, ev.Type)
	}
	return out
}
