package config_test

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/calendar"
	"github.com/switchboard-desk/switchboard/daemon/config"
)

// loadDefault loads the repository's config.toml.
func loadDefault(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load(filepath.Join("..", "..", "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// due spells a target's due rule for comparison.
func due(t config.Target) string {
	switch t.Kind() {
	case config.KindAfterBusiness, config.KindAfterCalendar:
		return fmt.Sprintf("after %s %s", t.After.Duration, t.Clock)
	case config.KindSameDay:
		return fmt.Sprintf("same_day %s cutoff %s", t.SameDay.At, t.SameDay.Cutoff)
	case config.KindNextBusinessDay:
		return "next_business_day " + t.NextBusinessDay
	case config.KindBusinessDays:
		return fmt.Sprintf("business_days %d", t.BusinessDays)
	case config.KindDayOfMonth:
		return fmt.Sprintf("day_of_month %d", t.DayOfMonth)
	case config.KindEventOffset:
		return "event_offset " + t.EventOffset.Duration.String()
	}
	return "?"
}

// TestDefaultConfig checks that the repository's config.toml loads and is
// the desk of issue #4: its named policies with exactly their promises.
func TestDefaultConfig(t *testing.T) {
	cfg := loadDefault(t)
	if cfg.Routing.Fallback != "service" || cfg.Store.Driver != "sqlite" || cfg.Server.Listen != "127.0.0.1:7480" {
		t.Errorf("unexpected server/store/routing: %+v %+v %+v", cfg.Server, cfg.Store, cfg.Routing)
	}
	want := map[string]struct {
		calendar string
		targets  []string // "name: due rule", in order
	}{
		"repair.minor":               {"campus", []string{"response: after 15m0s business", "resolution: after 2h0m0s business"}},
		"repair.serious":             {"campus", []string{"response: after 15m0s business", "resolution: same_day 18:00 cutoff 14:00"}},
		"repair.major":               {"campus", []string{"response: after 15m0s business", "resolution: next_business_day 18:00"}},
		"finance.invoice_correction": {"always", []string{"resolution: after 36h0m0s calendar"}},
		"finance.monthly_bill":       {"office", []string{"resolution: day_of_month 10"}},
		"finance.voyage_bill":        {"always", []string{"resolution: event_offset 168h0m0s"}},
		"tally.handover":             {"always", []string{"resolution: event_offset 1h0m0s"}},
		"tally.customer_query":       {"hamburg", []string{"response: after 2h0m0s business", "resolution: business_days 2"}},
		"complaint.vip":              {"office", []string{"response: after 10m0s business", "resolution: business_days 1"}},
		"complaint.standard":         {"office", []string{"response: after 30m0s business", "resolution: business_days 3"}},
		"emergency.consult":          {"always", []string{"response: after 10m0s calendar"}},
		"reception.vip": {"always", []string{
			"route_check: event_offset -2h30m0s", "room_check: event_offset -2h0m0s", "room_open: event_offset -30m0s"}},
		"emergency.lab_urgent":   {"always", []string{"resolution: after 30m0s calendar"}},
		"emergency.lab_routine":  {"always", []string{"resolution: after 2h0m0s calendar"}},
		"engineering.inspection": {"campus", []string{"resolution: after 3h0m0s business"}},
	}
	idx := map[string]int{}
	for i, p := range cfg.Policies {
		idx[p.Name] = i
		w, ok := want[p.Name]
		if !ok {
			continue
		}
		delete(want, p.Name)
		var got []string
		for _, tg := range p.Targets {
			got = append(got, tg.Name+": "+due(tg))
		}
		if p.Calendar != w.calendar || !slices.Equal(got, w.targets) {
			t.Errorf("policy %s: calendar %q targets %q, want %q %q", p.Name, p.Calendar, got, w.calendar, w.targets)
		}
		if p.Escalation == "" {
			t.Errorf("policy %s has no escalation", p.Name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		t.Errorf("default config lacks policy %s", name)
	}
	major := cfg.Policies[idx["repair.major"]]
	if !slices.Equal(major.Stakeholders, []string{"service_desk", "school", "students"}) {
		t.Errorf("repair.major stakeholders = %q", major.Stakeholders)
	}
	if vip := cfg.Policies[idx["complaint.vip"]]; !slices.Equal(vip.Tier, []string{"vip"}) {
		t.Errorf("complaint.vip tier = %q, want [vip]", vip.Tier)
	}
	if idx["complaint.vip"] > idx["complaint.standard"] {
		t.Error("complaint.vip comes after complaint.standard: VIPs would never get it")
	}
	for _, name := range []string{"finance.voyage_bill", "tally.handover", "reception.vip"} {
		if !cfg.Policies[idx[name]].NeedsEvent() {
			t.Errorf("%s does not need event_at", name)
		}
	}
	last := cfg.Policies[len(cfg.Policies)-1]
	if last.Name != "request.standard" || len(last.Kind)+len(last.Category)+len(last.Severity)+len(last.Tier) != 0 {
		t.Errorf("last policy = %q, want the catch-all request.standard", last.Name)
	}

	eng := cfg.Escalations[0]
	var levels []string
	for _, l := range eng.Levels {
		levels = append(levels, fmt.Sprintf("%s+%s:%s", l.At, l.After.Duration, strings.Join(l.Notify, ",")))
	}
	wantLevels := []string{"warning+0s:project_manager", "breach+0s:engineering_department", "breach+4h0m0s:general_manager"}
	if eng.Name != "engineering" || !slices.Equal(levels, wantLevels) {
		t.Errorf("engineering chain %q = %q, want %q", eng.Name, levels, wantLevels)
	}

	r := cfg.Repeat
	if !r.Enabled() || r.Count != 3 || r.Window.Duration != 168*time.Hour || !slices.Equal(r.Notify, []string{"general_manager"}) {
		t.Errorf("repeat = %+v", r)
	}
}

// TestDefaultCalendars checks the default calendars against dates of the
// 2026 arrangement and a few deadlines.
func TestDefaultCalendars(t *testing.T) {
	cals, err := loadDefault(t).BuildCalendars()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"office", "campus", "always", "hamburg"} {
		if cals[name] == nil {
			t.Fatalf("no calendar %q", name)
		}
	}
	zones := map[string]string{"office": "Asia/Shanghai", "campus": "Asia/Shanghai", "always": "UTC", "hamburg": "Europe/Berlin"}
	for name, z := range zones {
		if got := cals[name].Location().String(); got != z {
			t.Errorf("%s zone = %s, want %s", name, got, z)
		}
	}
	days := []struct {
		cal, date string
		want      bool
	}{
		{"office", "2026-01-02", false}, // New Year
		{"office", "2026-01-04", true},  // Sunday, make-up day
		{"office", "2026-02-14", true},  // Saturday, make-up day
		{"office", "2026-02-23", false}, // last day of Spring Festival
		{"office", "2026-02-24", true},
		{"office", "2026-02-28", true}, // Saturday, make-up day
		{"office", "2026-04-06", false},
		{"office", "2026-05-05", false},
		{"office", "2026-05-09", true},
		{"office", "2026-06-19", false},
		{"office", "2026-09-20", true},
		{"office", "2026-09-25", false},
		{"office", "2026-10-07", false},
		{"office", "2026-10-10", true},
		{"office", "2026-10-11", false}, // an ordinary Sunday
		{"office", "2027-01-01", false},
		{"campus", "2026-10-01", true}, // hot water on National Day too
		{"campus", "2026-10-04", true}, // and on Sundays
		{"hamburg", "2026-10-01", true},
		{"hamburg", "2026-10-03", false}, // Saturday
	}
	for _, d := range days {
		date, _ := calendar.ParseDate(d.date)
		if got := cals[d.cal].IsBusinessDay(date); got != d.want {
			t.Errorf("%s: IsBusinessDay(%s) = %v, want %v", d.cal, d.date, got, d.want)
		}
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ber, _ := time.LoadLocation("Europe/Berlin")
	adds := []struct {
		cal   string
		start time.Time
		d     time.Duration
		want  time.Time
		why   string
	}{
		{"office", time.Date(2026, 9, 30, 17, 30, 0, 0, sh), time.Hour, time.Date(2026, 10, 8, 9, 30, 0, 0, sh), "across National Day"},
		{"office", time.Date(2026, 3, 2, 11, 50, 0, 0, sh), 30 * time.Minute, time.Date(2026, 3, 2, 13, 50, 0, 0, sh), "across lunch"},
		{"campus", time.Date(2026, 3, 7, 22, 50, 0, 0, sh), 15 * time.Minute, time.Date(2026, 3, 8, 7, 5, 0, 0, sh), "across the night"},
		{"hamburg", time.Date(2026, 3, 27, 16, 0, 0, 0, ber), 2 * time.Hour, time.Date(2026, 3, 30, 9, 0, 0, 0, ber), "across the weekend of the spring change"},
	}
	for _, a := range adds {
		if got := cals[a.cal].Add(a.start, a.d); !got.Equal(a.want) {
			t.Errorf("%s: Add(%v, %v) = %v, want %v (%s)", a.cal, a.start, a.d, got, a.want, a.why)
		}
	}
}

// TestDefaultSchedules checks the daily inspection and the weekly report.
func TestDefaultSchedules(t *testing.T) {
	cfg := loadDefault(t)
	byName := map[string]config.Schedule{}
	for _, s := range cfg.Schedules {
		byName[s.Name] = s
	}
	in, ok := byName["daily-inspection"]
	if !ok || in.Calendar != "campus" || in.Every != config.EveryBusinessDay || in.At != "09:00" || in.Ticket == nil {
		t.Fatalf("daily-inspection = %+v", in)
	}
	tk := in.Ticket
	if tk.Kind != "request" || tk.Category != "inspection" ||
		tk.Title != "Daily inspection {location}: machines, water volume, temperature, valves, pipes" {
		t.Errorf("daily-inspection ticket = %+v", tk)
	}
	// One inspection per project of the engineering roster.
	eng, _ := cfg.Department("engineering")
	roster, _ := eng.Settings["roster"].(map[string]any)
	projects := slices.Sorted(maps.Keys(roster))
	if got := slices.Sorted(slices.Values(tk.ForEach)); !slices.Equal(got, projects) || len(got) != 3 {
		t.Errorf("for_each = %q, want the roster's projects %q", tk.ForEach, projects)
	}
	rep, ok := byName["weekly-sla-report"]
	if !ok || rep.Calendar != "office" || rep.Every != config.EveryWeek || rep.Weekday != "monday" || rep.At != "08:00" || rep.Report != config.ReportSLA || rep.Ticket != nil {
		t.Errorf("weekly-sla-report = %+v", rep)
	}
}
