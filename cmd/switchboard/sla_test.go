package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/api"
	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/desk"
	"github.com/switchboard-desk/switchboard/daemon/escalate"
	"github.com/switchboard-desk/switchboard/daemon/route"
	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/sla/slatest"
	"github.com/switchboard-desk/switchboard/daemon/store/sqlite"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/sdk"
)

// slaDesk is a part of the default desk: the campus and office calendars
// and policies of issue #4 with their stakeholders.
const slaDesk = `
[routing]
fallback = "service"

[[department]]
name = "engineering"
plugin = "engineering"

[[department]]
name = "service"
plugin = "service"

[[route]]
department = "engineering"
kind = ["repair"]

[roles]
service_desk = ["Desk Li"]
school = ["Principal Sun"]
students = ["Student union"]
general_manager = ["Zhao Min"]

[[calendar]]
name = "campus"
zone = "Asia/Shanghai"
[calendar.week]
monday = ["07:00-23:00"]
tuesday = ["07:00-23:00"]
wednesday = ["07:00-23:00"]
thursday = ["07:00-23:00"]
friday = ["07:00-23:00"]
saturday = ["07:00-23:00"]
sunday = ["07:00-23:00"]

[[calendar]]
name = "office"
zone = "Asia/Shanghai"
holidays = ["2026-09-25..2026-09-27", "2026-10-01..2026-10-07"]
extra = ["2026-09-20", "2026-10-10"]
[calendar.week]
monday = ["09:00-12:00", "13:30-18:00"]
tuesday = ["09:00-12:00", "13:30-18:00"]
wednesday = ["09:00-12:00", "13:30-18:00"]
thursday = ["09:00-12:00", "13:30-18:00"]
friday = ["09:00-12:00", "13:30-18:00"]

[[policy]]
name = "repair.serious"
calendar = "campus"
kind = ["repair"]
severity = ["serious", "critical"]
[[policy.target]]
name = "response"
after = "15m"
[[policy.target]]
name = "resolution"
same_day = { at = "18:00", cutoff = "14:00" }

[[policy]]
name = "repair.major"
calendar = "campus"
stakeholders = ["service_desk", "school", "students"]
kind = ["repair"]
severity = ["major"]
[[policy.target]]
name = "response"
after = "15m"
[[policy.target]]
name = "resolution"
next_business_day = "18:00"

[[policy]]
name = "finance.voyage_bill"
category = ["voyage_bill"]
[[policy.target]]
name = "resolution"
event_offset = "168h"

[[policy]]
name = "complaint.standard"
calendar = "office"
kind = ["complaint"]
[[policy.target]]
name = "response"
after = "30m"
[[policy.target]]
name = "resolution"
business_days = 3
`

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

type acceptAll struct{}

func (acceptAll) Deliver(_ context.Context, _ string, d sdk.Delivery) (sdk.Ack, error) {
	return sdk.Ack{ID: d.ID, Reply: sdk.Reply{Accept: true, Assignee: "Chen Jun"}}, nil
}

// slaHarness is a real desk (SQLite, the SLA engine on real calendars)
// behind the real API, on a fake clock; the CLI runs in Asia/Shanghai.
type slaHarness struct {
	*harness
	desk  *desk.Desk
	clock *slatest.FakeClock
	url   string
}

func newSLAHarness(t *testing.T, now time.Time) *slaHarness {
	t.Helper()
	cfg, err := config.Parse([]byte(slaDesk), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cals, err := cfg.BuildCalendars()
	if err != nil {
		t.Fatal(err)
	}
	esc, err := escalate.New(cfg.Escalations, cfg.Roles)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := sla.New(cfg.Policies, esc, sla.WithCalendars(cals), sla.WithRoles(cfg.Roles))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	clock := slatest.NewFakeClock(now)
	dk := desk.New(desk.Options{Store: st, Plugins: acceptAll{}, Now: clock.Now})
	sched := sla.NewScheduler(clock, dk.FireSLA, nil)
	dk.SetScheduler(sched)
	dk.SetRules(route.New(cfg.Routes, cfg.Routing.Fallback),
		desk.WithDirectory(eng, desk.Directory{Repeat: cfg.Repeat}), cfg.Routing.Fallback)
	ctx, cancel := context.WithCancel(context.Background())
	sched.Start(ctx)
	if err := dk.Start(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Options{Desk: dk, Token: testToken}).Handler())
	t.Cleanup(func() {
		srv.Close()
		sched.Stop()
		c, done := context.WithTimeout(context.Background(), 5*time.Second)
		defer done()
		dk.Stop(c)
		st.Close()
		cancel()
	})
	h := &harness{t: t, env: map[string]string{"SWITCHBOARD_ADDR": srv.URL, "SWITCHBOARD_TOKEN": testToken}}
	return &slaHarness{harness: h, desk: dk, clock: clock, url: srv.URL}
}

// runSLA runs `switchboard sla ARGS` with the CLI's clock at the desk's
// and its zone Asia/Shanghai.
func (h *slaHarness) runSLA(args ...string) (code int, stdout, stderr string) {
	h.t.Helper()
	var out, errw syncBuf
	c := h.cli(&out, &errw)
	c.now, c.loc = h.clock.Now, shanghai
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code = c.runSLA(ctx, args)
	return code, out.String(), errw.String()
}

func (h *slaHarness) mustSLA(args ...string) string {
	h.t.Helper()
	code, out, errs := h.runSLA(args...)
	if code != 0 {
		h.t.Fatalf("sla %v: exit %d, stderr:\n%s", args, code, errs)
	}
	return out
}

func TestSLADue(t *testing.T) {
	h := newSLAHarness(t, time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC))
	// A serious fault at 15:00, after the 14:00 cut-off: fixed by 18:00 the
	// next day; warned at 80% of its business time on campus (07:00-23:00):
	// Tue 8h + Wed 11h = 19h × 0.8 = 15h12m → Wed 14:12.
	out := h.mustSLA("due", "--policy", "repair.serious", "--start", "2026-11-24 15:00")
	golden(t, "sla_due.golden", out)

	// The office's Mid-Autumn holiday (25-27 September) and National Day
	// (1-7 October): a complaint on Thursday 24 September at 16:00 is due
	// at close of business on the third business day after (Mon 28, Tue
	// 29, Wed 30); a one-hour pause on Monday moves it by one business
	// hour, past National Day to Thu 8 October 10:00. The response (16:30
	// on Thursday) was breached before the pause and stays.
	out = h.mustSLA("due", "--kind", "complaint", "--start", "2026-09-24T16:00:00+08:00",
		"--pause", "2026-09-28 10:00/2026-09-28 11:00")
	golden(t, "sla_due_pause.golden", out)

	// --json is exactly the API's answer.
	out = h.mustSLA("due", "--policy", "finance.voyage_bill", "--start", "2026-11-24T09:00:00+08:00",
		"--event", "2026-11-30 06:00", "--json")
	body := `{"policy":"finance.voyage_bill","start":"2026-11-24T09:00:00+08:00","event_at":"2026-11-30T06:00:00+08:00"}`
	req, _ := http.NewRequest("POST", h.url+"/api/v1/sla/due", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if out != string(raw) {
		t.Errorf("--json\n%s\nAPI\n%s", out, raw)
	}
	if want := `{"policy":"finance.voyage_bill","targets":[{"name":"resolution","due_at":"2026-12-06T22:00:00Z",`; !strings.HasPrefix(out, want) {
		t.Errorf("--json %s, want it to start %s", out, want)
	}

	for _, c := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no policy or kind", []string{"due", "--start", "2026-11-24 09:00"}, exitUsage, "--policy or --kind is required"},
		{"bad start", []string{"due", "--policy", "repair.serious", "--start", "tomorrow"}, exitUsage, `--start "tomorrow": want RFC 3339`},
		{"bad pause", []string{"due", "--policy", "repair.serious", "--pause", "2026-11-24 10:00"}, exitUsage, "want FROM/TO"},
		{"unknown flag", []string{"due", "--polcy", "x"}, exitUsage, "flag provided but not defined: -polcy"},
		{"unknown policy", []string{"due", "--policy", "repair.nope"}, exitAPI, `policy: unknown policy "repair.nope" (known: repair.serious, repair.major, finance.voyage_bill, complaint.standard)`},
		{"event required", []string{"due", "--policy", "finance.voyage_bill"}, exitAPI, "event_at: is required by policy finance.voyage_bill"},
		{"pauses overlap", []string{"due", "--policy", "repair.serious", "--start", "2026-11-24 09:00",
			"--pause", "2026-11-24 10:00/2026-11-24 11:00", "--pause", "2026-11-24 10:30/2026-11-24 12:00"}, exitAPI, "pauses[1].from"},
		{"unknown command", []string{"when"}, exitUsage, `unknown command "when"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, errs := h.runSLA(c.args...)
			if code != c.code || !strings.Contains(errs, c.msg) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, errs, c.code, c.msg)
			}
			if c.code == exitUsage && c.name != "unknown command" && !strings.Contains(errs, "Usage: switchboard sla due") {
				t.Errorf("usage error without the sla usage:\n%s", errs)
			}
		})
	}
	code, out, _ := h.runSLA("due", "-h")
	if code != exitOK || !strings.HasPrefix(out, "Usage: switchboard sla due") {
		t.Errorf("-h: exit %d\n%s", code, out)
	}
}

// TestSLAExplainAndReplan follows a major fault through a pause and a
// re-plan and explains its clocks.
func TestSLAExplainAndReplan(t *testing.T) {
	start := time.Date(2026, 11, 24, 9, 0, 0, 0, shanghai)
	h := newSLAHarness(t, start)
	ctx := context.Background()
	tk, _, err := h.desk.Create(ctx, ticket.Ticket{Kind: ticket.KindRepair, Category: "boiler", Severity: "major",
		Title: "No hot water in Dorm 3", Reporter: ticket.Reporter{Name: "Liu"}, Location: "Dorm 3"}, "", "agent")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := h.desk.Get(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == ticket.StatusAcknowledged {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never acknowledged: %s", got.Status)
		}
		time.Sleep(5 * time.Millisecond)
	}
	for _, s := range []struct {
		wait time.Duration
		to   ticket.Status
	}{{30 * time.Minute, ticket.StatusInProgress}, {30 * time.Minute, ticket.StatusWaiting}, {2*time.Hour + 10*time.Minute, ticket.StatusInProgress}} {
		h.clock.Advance(s.wait)
		if _, err := h.desk.Transition(ctx, tk.ID, s.to, "", "Chen Jun"); err != nil {
			t.Fatal(err)
		}
	}
	out := h.mustSLA("replan", tk.ID, "--due", "2026-11-26 12:00", "--reason", "parts arrive Thursday", "--as", "Wang Fang")
	// Warning on the campus's business time from now (Tue 12:10): Tue
	// 10h50m + Wed 16h + Thu 5h = 31h50m × 0.8 = 25h28m → Wed 21:38.
	if want := tk.ID + " resolution now due Thu 2026-11-26 12:00 (warning Wed 2026-11-25 21:38)\n"; out != want {
		t.Errorf("replan printed %q, want %q", out, want)
	}
	code, _, errs := h.runSLA("replan", tk.ID, "--target", "response", "--due", "2026-11-26 12:00", "--reason", "x")
	if code != exitAPI || !strings.Contains(errs, `target "response" is already met`) || !strings.Contains(errs, "HTTP 409 target_settled") {
		t.Errorf("replan of a met target: exit %d\n%s", code, errs)
	}
	code, _, errs = h.runSLA("replan", tk.ID, "--due", "2026-11-26 12:00")
	if code != exitUsage || !strings.Contains(errs, "--reason is required") {
		t.Errorf("replan without reason: exit %d\n%s", code, errs)
	}

	h.clock.Advance(time.Hour)
	golden(t, "sla_explain.golden", h.mustSLA("explain", tk.ID))
	js := h.mustSLA("explain", tk.ID, "--json")
	for _, want := range []string{`"kind": "next_business_day"`, `"calendar": "campus"`, `"pauses": [`, `"type": "stakeholders.notified"`} {
		if !strings.Contains(js, want) {
			t.Errorf("explain --json lacks %s:\n%s", want, js)
		}
	}
	code, _, errs = h.runSLA("explain", "SB-999")
	if code != exitAPI || !strings.Contains(errs, "not found") {
		t.Errorf("explain of an unknown ticket: exit %d\n%s", code, errs)
	}
}

func TestSLAMet(t *testing.T) {
	start := time.Date(2026, 11, 24, 9, 0, 0, 0, shanghai)
	h := newSLAHarness(t, start)
	ctx := context.Background()
	create := func(severity string) ticket.Ticket {
		tk, _, err := h.desk.Create(ctx, ticket.Ticket{Kind: ticket.KindRepair, Category: "boiler", Severity: severity,
			Title: "No hot water in Dorm 3", Reporter: ticket.Reporter{Name: "Liu"}, Location: "Dorm 3"}, "", "agent")
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	major, serious := create("major"), create("serious")

	h.clock.Advance(30 * time.Minute)
	out := h.mustSLA("met", major.ID, "--target", "resolution", "--note", "valve replaced", "--as", "Chen Jun")
	if want := major.ID + " resolution met Tue 2026-11-24 09:30 (due Wed 2026-11-25 18:00)\n"; out != want {
		t.Errorf("met printed %q, want %q", out, want)
	}
	got, err := h.desk.History(ctx, major.ID)
	if err != nil {
		t.Fatal(err)
	}
	var met bool
	for _, ev := range got {
		met = met || ev.Type == ticket.EventSLAMet && ev.Actor == "Chen Jun" && strings.Contains(string(ev.Data), `"target":"resolution"`)
	}
	if !met {
		t.Errorf("no sla.met by Chen Jun in %+v", got)
	}

	// serious: resolution due today 18:00; met at 19:00 it stays breached.
	h.clock.Set(time.Date(2026, 11, 24, 19, 0, 0, 0, shanghai))
	js := h.mustSLA("met", serious.ID, "--target", "resolution", "--json")
	if !strings.Contains(js, `"state": "breached"`) || !strings.Contains(js, `"met_at": "2026-11-24T11:00:00Z"`) {
		t.Errorf("met late --json:\n%s", js)
	}

	for _, c := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"already met", []string{"met", major.ID, "--target", "resolution"}, exitAPI, []string{"HTTP 409 target_settled", `target "resolution" is already met at`}},
		{"met late twice", []string{"met", serious.ID, "--target", "resolution"}, exitAPI, []string{"HTTP 409 target_settled"}},
		{"unknown target", []string{"met", major.ID, "--target", "room_check"}, exitAPI, []string{"HTTP 400", `no target "room_check" (targets: response, resolution)`}},
		{"no target", []string{"met", major.ID}, exitUsage, []string{"--target is required", "Usage: switchboard sla met ID --target NAME"}},
		{"no id", []string{"met", "--target", "resolution"}, exitUsage, []string{"Usage: switchboard sla met"}},
		{"unknown ticket", []string{"met", "SB-999", "--target", "resolution"}, exitAPI, []string{"not found"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, errs := h.runSLA(c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d\n%s", code, c.code, errs)
			}
			for _, w := range c.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
		})
	}
}
