package sla_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/calendar"
	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// A major repair (next business day 18:00) re-planned to the day after:
// the deadline moves, the warning follows on the target's clock from now,
// and the target is marked planned.
func TestReplan(t *testing.T) {
	e := issueEngine(t, nil, nil)
	tk := majorRepair.ticket()
	if err := e.Plan(tk, sh("2026-03-02 10:00")); err != nil {
		t.Fatal(err)
	}
	apply(e, tk, []step{{ticket.StatusAcknowledged, sh("2026-03-02 10:05")}})
	now := sh("2026-03-03 09:00")
	due := sh("2026-03-04 18:00")
	evs, err := e.Replan(tk, "resolution", due, "parts arrive tomorrow", now)
	if err != nil {
		t.Fatal(err)
	}
	got := replans(t, evs)
	if len(got) != 1 || got[0].Target != "resolution" || !got[0].FromDueAt.Equal(sh("2026-03-03 18:00")) ||
		!got[0].ToDueAt.Equal(due) || got[0].Reason != "parts arrive tomorrow" || evs[0].Actor != sla.Actor || !evs[0].At.Equal(now) {
		t.Fatalf("events %+v", got)
	}
	tg := tk.Target("resolution")
	// Business time on campus (07:00-23:00): Tue 09:00-23:00 14h + Wed
	// 07:00-18:00 11h = 25h × 0.8 = 20h: Tue 14h + Wed 6h → Wed 13:00.
	if !tg.DueAt.Equal(due) || !tg.WarnAt.Equal(sh("2026-03-04 13:00")) || !tg.Planned {
		t.Fatalf("target %+v", tg)
	}
	// A calendar change leaves a planned target alone.
	if evs := e.Recompute(tk, now); len(evs) != 0 {
		t.Fatalf("Recompute moved a planned target: %v", types(evs))
	}
	// Stakeholders of the policy, for the desk to tell.
	if got := e.Stakeholders(tk); !slices.Equal(got, []string{"service_desk", "school", "students"}) {
		t.Fatalf("Stakeholders = %v", got)
	}
	if got := e.People(e.Stakeholders(tk)...); !slices.Equal(got, []string{"Desk on duty", "Dormitory office", "Student union"}) {
		t.Fatalf("People = %v", got)
	}
	// The same time again: no event.
	if evs, err := e.Replan(tk, "resolution", due, "", now); err != nil || len(evs) != 0 {
		t.Fatalf("same time: %v, %v", types(evs), err)
	}
}

// A business target re-planned warns at 0.8 of the business time left.
func TestReplanBusinessWarning(t *testing.T) {
	e := issueEngine(t, nil, nil)
	tk := officeFix.ticket()
	if err := e.Plan(tk, sh("2026-03-02 10:00")); err != nil {
		t.Fatal(err)
	}
	// From Monday 11:00 to Tuesday 11:00: 1h + 4h30m + 2h = 7h30m of
	// business; 0.8 is 6h: Monday 11:00 + 1h + 4h30m + 30m = Tuesday 09:30.
	if _, err := e.Replan(tk, "resolution", sh("2026-03-03 11:00"), "", sh("2026-03-02 11:00")); err != nil {
		t.Fatal(err)
	}
	if got, want := tk.Target("resolution").WarnAt, sh("2026-03-03 09:30"); !got.Equal(want) {
		t.Fatalf("warn %s, want %s", got.In(shanghai), want)
	}
}

func TestReplanErrors(t *testing.T) {
	e := issueEngine(t, nil, nil)
	plan := func() *ticket.Ticket {
		tk := officeFix.ticket()
		if err := e.Plan(tk, sh("2026-03-02 10:00")); err != nil {
			t.Fatal(err)
		}
		return tk
	}
	now := sh("2026-03-02 10:40")
	later := sh("2026-03-04 12:00")
	tests := []struct {
		name   string
		prep   func(*ticket.Ticket)
		target string
		due    time.Time
		field  string // FieldError expected on it
		is     error  // or this error
	}{
		{"unknown target", nil, "resolve", later, "target", nil},
		{"due in the past", nil, "resolution", now.Add(-time.Minute), "due_at", nil},
		{"due now", nil, "resolution", now, "due_at", nil},
		{"met target", func(tk *ticket.Ticket) { e.Observe(tk, tk.Status, ticket.StatusAcknowledged, sh("2026-03-02 10:05")) },
			"response", later, "", sla.ErrTargetSettled},
		{"breached target", func(tk *ticket.Ticket) { e.Fire(tk, now) }, "quick", later, "", sla.ErrTargetSettled},
		{"cancelled ticket", func(tk *ticket.Ticket) { tk.Status = ticket.StatusCancelled }, "resolution", later, "", sla.ErrTicketClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := plan()
			if tt.prep != nil {
				tt.prep(tk)
			}
			before := slices.Clone(tk.SLA)
			evs, err := e.Replan(tk, tt.target, tt.due, "why", now)
			if evs != nil {
				t.Errorf("events %v on error", types(evs))
			}
			var fe *ticket.FieldError
			switch {
			case tt.field != "":
				if !errors.As(err, &fe) || fe.Field != tt.field {
					t.Fatalf("error %v, want a FieldError on %s", err, tt.field)
				}
			case !errors.Is(err, tt.is):
				t.Fatalf("error %v, want %v", err, tt.is)
			}
			for i := range before {
				if !before[i].DueAt.Equal(tk.SLA[i].DueAt) || tk.SLA[i].Planned {
					t.Errorf("target %s changed on error", before[i].Name)
				}
			}
		})
	}
}

// withHoliday adds a holiday to the office calendar.
func withHoliday(t testing.TB, date string) map[string]*calendar.Calendar {
	return deskCalendars(t, func(s *calendar.Spec) { s.Holidays = append(s.Holidays, mustDates(t, date)...) })
}

// A holiday announced on Wednesday 2026-03-04 moves an open complaint's
// 3-business-day deadline from Thursday to Friday, once; the response,
// already met, stays.
func TestRecomputeHolidayAdded(t *testing.T) {
	before := issueEngine(t, nil, nil)
	tk := complaint.ticket()
	if err := before.Plan(tk, sh("2026-03-02 10:00")); err != nil {
		t.Fatal(err)
	}
	before.Observe(tk, tk.Status, ticket.StatusAcknowledged, sh("2026-03-02 10:10"))
	tk.Status = ticket.StatusAcknowledged
	resp := tk.Target("response").DueAt

	after := issueEngine(t, withHoliday(t, "2026-03-04"), nil)
	now := sh("2026-03-03 12:00")
	evs := after.Recompute(tk, now)
	got := replans(t, evs)
	if len(evs) != 1 || len(got) != 1 || got[0].Target != "resolution" || !got[0].FromDueAt.Equal(sh("2026-03-05 18:00")) ||
		!got[0].ToDueAt.Equal(sh("2026-03-06 18:00")) || got[0].Reason != "calendar office changed" {
		t.Fatalf("Recompute: %v %+v", types(evs), got)
	}
	tg := tk.Target("resolution")
	// Mon 6h30m + Tue, Thu, Fri 7h30m (Wed now a holiday) = 29h business
	// × 0.8 = 23h12m: Mon 6h30m + Tue 7h30m + Thu 7h30m + Fri 1h42m → Fri 10:42.
	wantWarn := sh("2026-03-06 10:42")
	if !tg.DueAt.Equal(sh("2026-03-06 18:00")) || !tg.WarnAt.Equal(wantWarn) {
		t.Fatalf("resolution %+v", tg)
	}
	if !tk.Target("response").DueAt.Equal(resp) {
		t.Fatal("the met response target moved")
	}
	if evs := after.Recompute(tk, now); len(evs) != 0 {
		t.Fatalf("second Recompute: %v", types(evs))
	}
	// The same ticket after a restart: still nothing.
	if evs := after.Recompute(roundTrip(t, tk), now.Add(time.Minute)); len(evs) != 0 {
		t.Fatalf("Recompute after a round trip: %v", types(evs))
	}
}

// A change that moves a deadline into the past fires what is then due at
// once, and once: a longer office day (the resolution's 8 business hours
// from Monday 10:00 end at 18:00, not Tuesday 10:30), or a policy whose
// resolution becomes 2 real hours.
func TestRecomputeIntoThePast(t *testing.T) {
	longMonday := deskCalendars(t, func(s *calendar.Spec) { s.Week[time.Monday] = []string{"06:00-22:00"} })
	twoHours := func(c *config.Config) {
		for i := range c.Policies {
			if c.Policies[i].Name == "test.office_fix" {
				c.Policies[i].Targets[1].After = config.Duration{Duration: 2 * time.Hour}
				c.Policies[i].Targets[1].Clock = "calendar"
			}
		}
	}
	tests := []struct {
		name   string
		after  *sla.Engine
		now    time.Time
		due    time.Time
		reason string
		fired  []string // event types fired by the change
	}{
		{"calendar", issueEngine(t, longMonday, nil), sh("2026-03-03 09:30"), sh("2026-03-02 18:00"), "calendar office changed",
			[]string{ticket.EventSLABreached}},
		{"policy", issueEngine(t, nil, twoHours), sh("2026-03-02 17:00"), sh("2026-03-02 12:00"), "policy test.office_fix changed",
			[]string{ticket.EventSLAWarning, ticket.EventSLABreached}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := issueEngine(t, nil, nil)
			tk := officeFix.ticket()
			if err := before.Plan(tk, sh("2026-03-02 10:00")); err != nil {
				t.Fatal(err)
			}
			apply(before, tk, []step{{ticket.StatusAcknowledged, sh("2026-03-02 10:05")}})
			before.Fire(tk, tt.now) // quick and callback breached; resolution not
			if st := tk.Target("resolution").State; st == ticket.TargetBreached {
				t.Fatalf("resolution %s before the change", st)
			}
			evs := tt.after.Recompute(tk, tt.now)
			got := replans(t, evs)
			if len(got) != 1 || got[0].Target != "resolution" || !got[0].FromDueAt.Equal(sh("2026-03-03 10:30")) ||
				!got[0].ToDueAt.Equal(tt.due) || got[0].Reason != tt.reason {
				t.Fatalf("replans %+v", got)
			}
			var sla []string
			for _, ev := range evs {
				if ev.Type == ticket.EventSLAWarning || ev.Type == ticket.EventSLABreached {
					sla = append(sla, ev.Type)
				}
			}
			if !slices.Equal(sla, tt.fired) || tk.Target("resolution").State != ticket.TargetBreached {
				t.Fatalf("fired %v (state %s), want %v at once", sla, tk.Target("resolution").State, tt.fired)
			}
			if evs := tt.after.Recompute(tk, tt.now.Add(time.Second)); len(evs) != 0 {
				t.Fatalf("second Recompute: %v", types(evs))
			}
			if evs := tt.after.Fire(roundTrip(t, tk), tt.now.Add(time.Second)); len(evs) != 0 {
				t.Fatalf("Fire after Recompute: %v", types(evs))
			}
		})
	}
}

// Recompute follows a policy onto another calendar and records it.
func TestRecomputeCalendarSwitched(t *testing.T) {
	before := issueEngine(t, nil, nil)
	tk := complaint.ticket()
	if err := before.Plan(tk, sh("2026-03-06 17:50")); err != nil { // Friday
		t.Fatal(err)
	}
	after := issueEngine(t, nil, func(c *config.Config) {
		for i := range c.Policies {
			if c.Policies[i].Name == "complaint.standard" {
				c.Policies[i].Calendar = "campus"
			}
		}
	})
	evs := after.Recompute(tk, sh("2026-03-06 17:55"))
	got := replans(t, evs)
	// campus: 30m from 17:50 is 18:20; 3 business days after Friday is
	// Monday, closing at 23:00.
	if len(got) != 2 || !got[0].ToDueAt.Equal(sh("2026-03-06 18:20")) || !got[1].ToDueAt.Equal(sh("2026-03-09 23:00")) ||
		!strings.HasPrefix(got[0].Reason, "policy complaint.standard") {
		t.Fatalf("replans %+v", got)
	}
	if tk.SLA[0].Calendar != "campus" || tk.SLA[1].Calendar != "campus" {
		t.Fatalf("calendars %q %q", tk.SLA[0].Calendar, tk.SLA[1].Calendar)
	}
}
