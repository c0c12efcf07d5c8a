package schedule_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/calendar"
	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/desk"
	"github.com/switchboard-desk/switchboard/daemon/escalate"
	"github.com/switchboard-desk/switchboard/daemon/route"
	"github.com/switchboard-desk/switchboard/daemon/schedule"
	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/sla/slatest"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/store/sqlite"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/sdk"
)

// calendars builds the default desk's office and campus calendars from
// config, as the agent does.
var calendars = sync.OnceValues(func() (map[string]*calendar.Calendar, error) {
	var hol []string
	for _, r := range []string{"2026-01-01..2026-01-03", "2026-02-15..2026-02-23", "2026-04-04..2026-04-06",
		"2026-05-01..2026-05-05", "2026-06-19..2026-06-21", "2026-09-25..2026-09-27", "2026-10-01..2026-10-07", "2027-01-01"} {
		hol = append(hol, r)
	}
	days := []string{"09:00-12:00", "13:30-18:00"}
	all := []string{"07:00-23:00"}
	cfg := &config.Config{Calendars: []config.Calendar{
		{Name: "office", Zone: "Asia/Shanghai", Holidays: hol,
			Extra: []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"},
			Week:  map[string][]string{"monday": days, "tuesday": days, "wednesday": days, "thursday": days, "friday": days}},
		{Name: "campus", Zone: "Asia/Shanghai", Week: map[string][]string{"monday": all, "tuesday": all,
			"wednesday": all, "thursday": all, "friday": all, "saturday": all, "sunday": all}},
	}}
	return cfg.BuildCalendars()
})

func cals(t *testing.T) map[string]*calendar.Calendar {
	t.Helper()
	c, err := calendars()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

func sh(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// recorder is a schedule.Func that records the runs, failing the first
// fail calls.
type recorder struct {
	mu   sync.Mutex
	runs []schedule.Run
	fail int
}

func (r *recorder) run(_ context.Context, run schedule.Run) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs = append(r.runs, run)
	if r.fail > 0 {
		r.fail--
		return errors.New("store unavailable")
	}
	return nil
}

func (r *recorder) times(name string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, run := range r.runs {
		if run.Schedule.Name == name {
			out = append(out, run.At.In(shanghai).Format("2006-01-02 15:04"))
		}
	}
	return out
}

func report(name, cal, every string, mod func(*config.Schedule)) config.Schedule {
	s := config.Schedule{Name: name, Calendar: cal, Every: every, At: "09:00", Report: "sla"}
	if mod != nil {
		mod(&s)
	}
	return s
}

func TestRunsOnTheCalendar(t *testing.T) {
	specs := []config.Schedule{
		report("office-daily", "office", "business_day", nil),
		report("campus-daily", "campus", "business_day", nil),
		report("office-monday", "office", "week", func(s *config.Schedule) { s.Weekday = "monday" }),
	}
	clock := slatest.NewFakeClock(sh(t, "2026-02-10 10:00"))
	rec := &recorder{}
	r, err := schedule.New(specs, cals(t), clock, rec.run, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Start(context.Background())
	defer r.Stop()
	if n := clock.Timers(); n != 1 {
		t.Fatalf("%d timers waiting, want one for all schedules", n)
	}
	clock.Set(sh(t, "2026-03-03 10:00"))

	want := map[string][]string{
		// The first is the catch-up of the run due at start. The Spring
		// Festival (02-15 to 02-23) is skipped; the make-up Saturdays
		// 02-14 and 02-28 are worked.
		"office-daily": {"2026-02-10 09:00", "2026-02-11 09:00", "2026-02-12 09:00", "2026-02-13 09:00",
			"2026-02-14 09:00", "2026-02-24 09:00", "2026-02-25 09:00", "2026-02-26 09:00", "2026-02-27 09:00",
			"2026-02-28 09:00", "2026-03-02 09:00", "2026-03-03 09:00"},
		// Mondays 02-16 and 02-23 are holidays: both weeks run on the
		// first business day after, 02-24, once.
		"office-monday": {"2026-02-09 09:00", "2026-02-24 09:00", "2026-03-02 09:00"},
	}
	for d := sh(t, "2026-02-10 09:00"); !d.After(sh(t, "2026-03-03 09:00")); d = d.AddDate(0, 0, 1) {
		want["campus-daily"] = append(want["campus-daily"], d.Format("2006-01-02 15:04"))
	}
	for name, w := range want {
		if got := rec.times(name); !equal(got, w) {
			t.Errorf("%s ran at\n%v\nwant\n%v", name, got, w)
		}
	}
	if n := clock.Timers(); n != 1 {
		t.Errorf("%d timers waiting after the runs, want 1", n)
	}
	at, names, ok := r.Next()
	if !ok || !at.Equal(sh(t, "2026-03-04 09:00")) || len(names) != 2 {
		t.Errorf("next wake %v %v %v", at, names, ok)
	}
}

func TestMonthly(t *testing.T) {
	specs := []config.Schedule{
		report("first", "office", "month", nil),
		report("third", "office", "month", func(s *config.Schedule) { s.BusinessDay = 3; s.At = "14:30" }),
	}
	clock := slatest.NewFakeClock(sh(t, "2026-01-01 00:00"))
	rec := &recorder{}
	r, err := schedule.New(specs, cals(t), clock, rec.run, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Start(context.Background())
	defer r.Stop()
	clock.Set(sh(t, "2026-11-01 00:00"))
	want := []string{"2025-12-01 09:00", // catch-up
		"2026-01-04 09:00", // 01-01..03 holidays, Sunday 01-04 a make-up day
		"2026-02-02 09:00", "2026-03-02 09:00", "2026-04-01 09:00",
		"2026-05-06 09:00", // after Labour Day
		"2026-06-01 09:00", "2026-07-01 09:00",
		"2026-08-03 09:00", // 08-01 is a Saturday
		"2026-09-01 09:00",
		"2026-10-08 09:00", // after Golden Week
	}
	if got := rec.times("first"); !equal(got, want) {
		t.Errorf("first business day:\n%v\nwant\n%v", got, want)
	}
	// October's third business day is the make-up Saturday 10-10.
	if got := rec.times("third"); len(got) != 11 || got[1] != "2026-01-06 14:30" || got[10] != "2026-10-10 14:30" {
		t.Errorf("third business day: %v", got)
	}
	// A monthly report covers the month before the run.
	rec.mu.Lock()
	run := rec.runs[len(rec.runs)-1]
	rec.mu.Unlock()
	if !run.From.Equal(sh(t, "2026-09-01 00:00")) || !run.To.Equal(sh(t, "2026-10-01 00:00")) {
		t.Errorf("period of %v: [%v, %v)", run.At, run.From, run.To)
	}
}

func TestFailedRunIsRetried(t *testing.T) {
	clock := slatest.NewFakeClock(sh(t, "2026-11-24 08:00"))
	rec := &recorder{}
	r, err := schedule.New([]config.Schedule{report("daily", "campus", "business_day", nil)}, cals(t), clock, rec.run, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Start(context.Background()) // catch-up of 11-23 09:00 succeeds
	defer r.Stop()
	rec.mu.Lock()
	rec.fail = 2
	rec.mu.Unlock()
	clock.Set(sh(t, "2026-11-24 09:00"))
	clock.Advance(time.Minute)
	clock.Advance(time.Minute)
	clock.Advance(time.Hour)
	want := []string{"2026-11-23 09:00", "2026-11-24 09:00", "2026-11-24 09:00", "2026-11-24 09:00"}
	if got := rec.times("daily"); !equal(got, want) {
		t.Errorf("runs %v, want %v (two failures, then done)", got, want)
	}
	if at, _, _ := r.Next(); !at.Equal(sh(t, "2026-11-25 09:00")) {
		t.Errorf("next %v", at)
	}
}

func TestNewRejectsBadSchedules(t *testing.T) {
	run := func(context.Context, schedule.Run) error { return nil }
	clock := slatest.NewFakeClock(time.Now())
	for _, specs := range [][]config.Schedule{
		{report("a", "mars", "week", nil)},
		{report("a", "office", "business_day", nil), report("a", "campus", "business_day", nil)},
	} {
		if _, err := schedule.New(specs, cals(t), clock, run, nil); err == nil {
			t.Errorf("%+v: no error", specs)
		}
	}
	if _, err := schedule.New(nil, cals(t), clock, nil, nil); err == nil {
		t.Error("nil run func: no error")
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// deskEnv is a real desk on a real SQLite file, as the agent builds it.
type deskEnv struct {
	st    store.Store
	desk  *desk.Desk
	sched *sla.Scheduler
}

type acceptAll struct{}

func (acceptAll) Deliver(_ context.Context, _ string, d sdk.Delivery) (sdk.Ack, error) {
	return sdk.Ack{ID: d.ID, Reply: sdk.Reply{Accept: true}}, nil
}

func openDesk(t *testing.T, path string, clock *slatest.FakeClock) *deskEnv {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	esc, err := escalate.New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := sla.New(nil, esc)
	if err != nil {
		t.Fatal(err)
	}
	e := &deskEnv{st: st}
	e.desk = desk.New(desk.Options{Store: st, Plugins: acceptAll{}, Now: clock.Now, RetryDelay: 10 * time.Millisecond})
	e.sched = sla.NewScheduler(clock, e.desk.FireSLA, nil)
	e.desk.SetScheduler(e.sched)
	e.desk.SetRules(route.New([]config.Route{
		{Department: "engineering", Match: config.Match{Category: []string{"inspection"}}},
	}, "service"), eng, "service")
	e.sched.Start(context.Background())
	if err := e.desk.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *deskEnv) close() {
	e.sched.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e.desk.Stop(ctx)
	e.st.Close()
}

func allTickets(t *testing.T, st store.Store) []ticket.Ticket {
	t.Helper()
	var out []ticket.Ticket
	cursor := ""
	for {
		p, err := st.List(context.Background(), store.Filter{Limit: 100, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Tickets...)
		if p.NextCursor == "" {
			sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
			return out
		}
		cursor = p.NextCursor
	}
}

var inspection = config.Schedule{
	Name: "daily-inspection", Calendar: "campus", Every: "business_day", At: "09:00",
	Ticket: &config.ScheduledTicket{Kind: "request", Category: "inspection", Severity: "minor",
		Title: "Daily inspection: {location}", ForEach: []string{"Dorm 3", "Dorm 5"}},
}

// start runs a desk and a runner of schedules at the clock's time, as the
// agent does, and returns a function that stops both (a shutdown).
func start(t *testing.T, path string, clock *slatest.FakeClock, specs ...config.Schedule) (*deskEnv, func()) {
	t.Helper()
	e := openDesk(t, path, clock)
	acts := &schedule.Actions{Desk: e.desk, Store: e.st, DataDir: filepath.Dir(path)}
	r, err := schedule.New(specs, cals(t), clock, acts.Run, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Start(context.Background())
	return e, func() { r.Stop(); e.close() }
}

func TestCatchUpAfterDowntimeAndRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	clock := slatest.NewFakeClock(sh(t, "2026-11-24 10:00"))

	e, stop := start(t, path, clock, inspection)
	if n := len(allTickets(t, e.st)); n != 2 {
		t.Fatalf("after the first start: %d tickets, want 2 (today's run, caught up)", n)
	}
	clock.Set(sh(t, "2026-11-25 09:30"))
	if n := len(allTickets(t, e.st)); n != 4 {
		t.Fatalf("after 11-25 09:00: %d tickets, want 4", n)
	}
	stop()

	// Down for three days: the runs of 11-26, 11-27 and 11-28 are
	// missed; on start only the latest is done, once.
	clock.Set(sh(t, "2026-11-28 10:00"))
	e, stop = start(t, path, clock, inspection)
	got := allTickets(t, e.st)
	if len(got) != 6 {
		t.Fatalf("after the downtime: %d tickets, want 6", len(got))
	}
	stop()

	// A restart the same day repeats the catch-up: nothing new.
	clock.Set(sh(t, "2026-11-28 10:30"))
	e, stop = start(t, path, clock, inspection)
	defer stop()
	got = allTickets(t, e.st)
	if len(got) != 6 {
		t.Fatalf("after a restart: %d tickets, want still 6", len(got))
	}

	var runs []string
	for _, tk := range got {
		runs = append(runs, tk.Fields["run"]+" "+tk.Location)
	}
	want := []string{
		"2026-11-24T01:00:00Z Dorm 3", "2026-11-24T01:00:00Z Dorm 5",
		"2026-11-25T01:00:00Z Dorm 3", "2026-11-25T01:00:00Z Dorm 5",
		"2026-11-28T01:00:00Z Dorm 3", "2026-11-28T01:00:00Z Dorm 5",
	}
	sort.Strings(runs)
	if !equal(runs, want) {
		t.Errorf("tickets for runs\n%v\nwant\n%v", runs, want)
	}
	tk := got[len(got)-1]
	if tk.Title != "Daily inspection: "+tk.Location || tk.Kind != ticket.KindRequest || tk.Category != "inspection" ||
		tk.Department != "engineering" || tk.Fields["schedule"] != "daily-inspection" {
		t.Errorf("scheduled ticket %+v", tk)
	}
	h, err := e.st.History(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if h[0].Type != ticket.EventCreated || h[0].Actor != "schedule:daily-inspection" {
		t.Errorf("created by %q (%s), want schedule:daily-inspection", h[0].Actor, h[0].Type)
	}
}

func TestReportScheduleWritesFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "desk.db")
	// Tickets created in the week of 11-23: the catch-up of 11-22's round
	// at start (Monday 08:00), then two a day, Monday to Sunday.
	clock := slatest.NewFakeClock(sh(t, "2026-11-23 08:00"))
	e, stop := start(t, path, clock, inspection)
	clock.Set(sh(t, "2026-11-29 10:00"))
	if n := len(allTickets(t, e.st)); n != 16 {
		t.Fatalf("%d tickets, want 16", n)
	}
	stop()

	weekly := report("weekly-sla", "office", "week", func(s *config.Schedule) { s.Weekday = "monday"; s.At = "08:00" })
	clock.Set(sh(t, "2026-11-30 08:30"))
	_, stop = start(t, path, clock, weekly)
	defer stop()

	b, err := os.ReadFile(filepath.Join(dir, "reports", "sla-2026-11-23-2026-11-30.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f schedule.Files
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if f.ByDepartment.Total.Received != 16 || len(f.ByDepartment.Groups) != 1 ||
		f.ByDepartment.Groups[0].Name != "engineering" || f.ByAssignee.By != "assignee" ||
		!f.From.Equal(sh(t, "2026-11-23 00:00")) || !f.To.Equal(sh(t, "2026-11-30 00:00")) {
		t.Errorf("report file: %s", b)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "reports", "sla-2026-11-23-2026-11-30.csv"))
	if err != nil || len(csv) == 0 {
		t.Fatalf("csv: %v %q", err, csv)
	}
}

// TestResumeSkipsCatchUp: a reload's runner (Resume) does not redo or
// invent a run due before now — a schedule moved from 09:00 to 10:00 at
// 09:30 does not run "yesterday 10:00" — and runs at its next time.
func TestResumeSkipsCatchUp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk.db")
	clock := slatest.NewFakeClock(sh(t, "2026-11-24 09:30"))
	e := openDesk(t, path, clock)
	defer e.close()
	moved := inspection
	moved.At = "10:00"
	acts := &schedule.Actions{Desk: e.desk, Store: e.st, DataDir: filepath.Dir(path)}
	r, err := schedule.New([]config.Schedule{moved}, cals(t), clock, acts.Run, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Resume(context.Background())
	defer r.Stop()
	if n := len(allTickets(t, e.st)); n != 0 {
		t.Fatalf("after Resume: %d tickets, want none (no catch-up)", n)
	}
	clock.Set(sh(t, "2026-11-24 10:05"))
	deadline := time.Now().Add(5 * time.Second)
	for len(allTickets(t, e.st)) != 2 {
		if time.Now().After(deadline) {
			t.Fatalf("at 10:05: %d tickets, want today's 10:00 run (2)", len(allTickets(t, e.st)))
		}
		time.Sleep(5 * time.Millisecond)
	}
}
