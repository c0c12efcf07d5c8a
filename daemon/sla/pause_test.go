package sla_test

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// step is one status change at an instant.
type step struct {
	to ticket.Status
	at time.Time
}

// apply moves tk through steps as the desk does (status set, then
// Observe) and returns every event.
func apply(e *sla.Engine, tk *ticket.Ticket, steps []step) []ticket.Event {
	var evs []ticket.Event
	for _, s := range steps {
		from := tk.Status
		tk.Status = s.to
		evs = append(evs, e.Observe(tk, from, s.to, s.at)...)
	}
	return evs
}

// test.office_fix planned on Monday 2026-03-02 10:00 (Shanghai):
//
//	response    30m business  due 10:30        met at 10:05
//	resolution  8h business   due Tue 10:30    warn Mon 17:54
//	callback    4h real       due 14:00        warn 13:12
//	quick       20m real      due 10:20        breached at 10:20
func TestPauses(t *testing.T) {
	e := issueEngine(t, nil, nil)
	const why = "paused 3h30m waiting on the reporter"
	tests := []struct {
		name    string
		start   time.Time
		steps   []step
		replans []ticket.ReplanData
		due     map[string]time.Time // after the steps
		warn    map[string]time.Time
	}{
		{
			name:  "across lunch: business by business time, real by real time",
			start: sh("2026-03-02 10:00"),
			steps: []step{{ticket.StatusAcknowledged, sh("2026-03-02 10:05")}, {ticket.StatusInProgress, sh("2026-03-02 10:10")},
				{ticket.StatusWaiting, sh("2026-03-02 11:00")}, {ticket.StatusInProgress, sh("2026-03-02 14:30")}},
			// 3h30m real; 2h of business (11:00-12:00, 13:30-14:30).
			replans: []ticket.ReplanData{
				{Target: "resolution", FromDueAt: sh("2026-03-03 10:30"), ToDueAt: sh("2026-03-03 14:00"), Reason: why},
				{Target: "callback", FromDueAt: sh("2026-03-02 14:00"), ToDueAt: sh("2026-03-02 17:30"), Reason: why},
			},
			due: map[string]time.Time{"response": sh("2026-03-02 10:30"), "resolution": sh("2026-03-03 14:00"),
				"callback": sh("2026-03-02 17:30"), "quick": sh("2026-03-02 10:20")},
			warn: map[string]time.Time{"resolution": sh("2026-03-03 10:54"), "callback": sh("2026-03-02 16:42")},
		},
		{
			name:  "overnight: 17h real is 2h of business",
			start: sh("2026-03-02 10:00"),
			steps: []step{{ticket.StatusAcknowledged, sh("2026-03-02 10:05")},
				{ticket.StatusWaiting, sh("2026-03-02 17:00")}, {ticket.StatusInProgress, sh("2026-03-03 10:00")}},
			// callback breached at 14:00, before the pause: it stays.
			replans: []ticket.ReplanData{
				{Target: "resolution", FromDueAt: sh("2026-03-03 10:30"), ToDueAt: sh("2026-03-03 14:00"), Reason: "paused 17h waiting on the reporter"},
			},
			due: map[string]time.Time{"resolution": sh("2026-03-03 14:00"), "callback": sh("2026-03-02 14:00")},
		},
		{
			name:  "a weekend pause gives no business time back",
			start: sh("2026-03-06 17:00"), // Friday
			steps: []step{{ticket.StatusAcknowledged, sh("2026-03-06 17:05")},
				{ticket.StatusWaiting, sh("2026-03-06 20:00")}, {ticket.StatusInProgress, sh("2026-03-07 10:00")}},
			replans: []ticket.ReplanData{
				{Target: "callback", FromDueAt: sh("2026-03-06 21:00"), ToDueAt: sh("2026-03-07 11:00"), Reason: "paused 14h waiting on the reporter"},
			},
			// 1h on Friday, 7h on Monday (lunch excluded): Monday 17:30.
			due: map[string]time.Time{"resolution": sh("2026-03-09 17:30"), "callback": sh("2026-03-07 11:00")},
		},
		{
			name:  "two pauses add up",
			start: sh("2026-03-02 10:00"),
			steps: []step{{ticket.StatusAcknowledged, sh("2026-03-02 10:05")},
				{ticket.StatusWaiting, sh("2026-03-02 11:00")}, {ticket.StatusInProgress, sh("2026-03-02 11:30")},
				{ticket.StatusWaiting, sh("2026-03-02 11:45")}, {ticket.StatusInProgress, sh("2026-03-02 13:45")}},
			replans: []ticket.ReplanData{
				{Target: "resolution", FromDueAt: sh("2026-03-03 10:30"), ToDueAt: sh("2026-03-03 11:00"), Reason: "paused 30m waiting on the reporter"},
				{Target: "callback", FromDueAt: sh("2026-03-02 14:00"), ToDueAt: sh("2026-03-02 14:30"), Reason: "paused 30m waiting on the reporter"},
				// 2h real, 30m business (11:45-12:00, 13:30-13:45).
				{Target: "resolution", FromDueAt: sh("2026-03-03 11:00"), ToDueAt: sh("2026-03-03 11:30"), Reason: "paused 2h waiting on the reporter"},
				{Target: "callback", FromDueAt: sh("2026-03-02 14:30"), ToDueAt: sh("2026-03-02 16:30"), Reason: "paused 2h waiting on the reporter"},
			},
			due: map[string]time.Time{"resolution": sh("2026-03-03 11:30"), "callback": sh("2026-03-02 16:30")},
		},
		{
			name:  "cancelled while waiting: the pause closes, nothing moves",
			start: sh("2026-03-02 10:00"),
			steps: []step{{ticket.StatusAcknowledged, sh("2026-03-02 10:05")},
				{ticket.StatusWaiting, sh("2026-03-02 11:00")}, {ticket.StatusCancelled, sh("2026-03-02 14:30")}},
			due: map[string]time.Time{"resolution": sh("2026-03-03 10:30"), "callback": sh("2026-03-02 14:00")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := officeFix.ticket()
			if err := e.Plan(tk, tt.start); err != nil {
				t.Fatal(err)
			}
			evs := apply(e, tk, tt.steps)
			got := replans(t, evs)
			if len(got) != len(tt.replans) {
				t.Fatalf("replans = %+v, want %+v", got, tt.replans)
			}
			for i, w := range tt.replans {
				g := got[i]
				if g.Target != w.Target || !g.FromDueAt.Equal(w.FromDueAt) || !g.ToDueAt.Equal(w.ToDueAt) || g.Reason != w.Reason {
					t.Errorf("replan %d = %s %s → %s %q, want %s %s → %s %q", i, g.Target, g.FromDueAt.In(shanghai), g.ToDueAt.In(shanghai), g.Reason,
						w.Target, w.FromDueAt.In(shanghai), w.ToDueAt.In(shanghai), w.Reason)
				}
			}
			for name, w := range tt.due {
				if g := tk.Target(name).DueAt; !g.Equal(w) {
					t.Errorf("%s due %s, want %s", name, g.In(shanghai), w)
				}
			}
			for name, w := range tt.warn {
				if g := tk.Target(name).WarnAt; !g.Equal(w) {
					t.Errorf("%s warn %s, want %s", name, g.In(shanghai), w)
				}
			}
			if sla.Paused(tk) {
				t.Errorf("still paused: %+v", tk.Pauses)
			}
			var waits int
			for _, s := range tt.steps {
				if s.to == ticket.StatusWaiting {
					waits++
				}
			}
			if len(tk.Pauses) != waits {
				t.Errorf("pauses %+v, want %d", tk.Pauses, waits)
			}
			// The deadlines the pauses gave are those Recompute gives on
			// the same calendar: nothing moves.
			if evs := e.Recompute(tk, tt.steps[len(tt.steps)-1].at); len(replans(t, evs)) != 0 {
				t.Errorf("Recompute after the pauses moved %+v", replans(t, evs))
			}
		})
	}
}

// While a ticket waits, nothing fires and there is no next checkpoint;
// what falls due before the pause fires when it begins, what falls due
// after the resume fires then.
func TestNothingFiresWhileWaiting(t *testing.T) {
	e := issueEngine(t, nil, nil)
	tk := officeFix.ticket()
	if err := e.Plan(tk, sh("2026-03-02 10:00")); err != nil {
		t.Fatal(err)
	}
	apply(e, tk, []step{{ticket.StatusAcknowledged, sh("2026-03-02 10:05")}})
	// Entering waiting at 11:00 fires quick's warning and breach first.
	evs := apply(e, tk, []step{{ticket.StatusWaiting, sh("2026-03-02 11:00")}})
	if got := tk.Target("quick").State; got != ticket.TargetBreached {
		t.Fatalf("quick is %s after entering waiting, want breached; events %v", got, types(evs))
	}
	if !sla.Paused(tk) {
		t.Fatal("not paused while waiting")
	}
	for _, now := range []time.Time{sh("2026-03-02 13:12"), sh("2026-03-02 14:00"), sh("2026-03-05 09:00")} {
		if evs := e.Fire(tk, now); len(evs) != 0 {
			t.Fatalf("Fire at %s while waiting: %v", now, types(evs))
		}
	}
	if next, ok := e.Next(tk); ok {
		t.Fatalf("Next = %s while waiting", next)
	}
	// Resume on Thursday: every unmet target moved by the pause; callback
	// (4h real from 10:00, 1h used) is due 3h after the resume.
	resume := sh("2026-03-05 09:00")
	apply(e, tk, []step{{ticket.StatusInProgress, resume}})
	if got, want := tk.Target("callback").DueAt, resume.Add(3*time.Hour); !got.Equal(want) {
		t.Fatalf("callback due %s, want %s", got.In(shanghai), want)
	}
	next, ok := e.Next(tk)
	if want := resume.Add(3*time.Hour - 48*time.Minute); !ok || !next.Equal(want) {
		t.Fatalf("Next = %s %v, want callback's warning at %s", next.In(shanghai), ok, want)
	}
	evs = e.Fire(tk, resume.Add(3*time.Hour))
	if got := types(evs); !slices.Contains(got, ticket.EventSLABreached) || tk.Target("callback").State != ticket.TargetBreached {
		t.Fatalf("callback did not breach on time after the resume: %v", got)
	}
}

// A day-based target runs on business time: a pause moves it by the
// working time paused. complaint.standard planned on Monday 2026-03-02
// 10:00 (office): resolution, 3 business days, is due Thursday 18:00 and
// warns at Mon 6h30m + Tue, Wed, Thu 7h30m = 29h business × 0.8 = 23h12m:
// Mon 6h30m + Tue 7h30m + Wed 7h30m + Thu 1h42m → Thu 10:42.
func TestPauseBusinessDays(t *testing.T) {
	e := issueEngine(t, nil, nil)
	tests := []struct {
		name     string
		from, to time.Time
		reason   string
		due      time.Time
		warn     time.Time
	}{
		// One working hour paused: 18:00 + 1h of business is not 19:00
		// (office closed) but Friday 09:00 + 1h = 10:00.
		{"an hour in working time", sh("2026-03-03 10:00"), sh("2026-03-03 11:00"), "paused 1h waiting on the reporter",
			sh("2026-03-06 10:00"), sh("2026-03-05 11:42")},
		// 16h real, 1h of business (Tue 17:30-18:00, Wed 09:00-09:30).
		{"overnight", sh("2026-03-03 17:30"), sh("2026-03-04 09:30"), "paused 16h waiting on the reporter",
			sh("2026-03-06 10:00"), sh("2026-03-05 11:42")},
		// 2h real across lunch, 30m of business (11:30-12:00): Thu
		// 18:00 + 30m → Fri 09:30; the warning 10:42 + 30m → 11:12.
		{"across lunch", sh("2026-03-03 11:30"), sh("2026-03-03 13:30"), "paused 2h waiting on the reporter",
			sh("2026-03-06 09:30"), sh("2026-03-05 11:12")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := complaint.ticket()
			if err := e.Plan(tk, sh("2026-03-02 10:00")); err != nil {
				t.Fatal(err)
			}
			tg := tk.Target("resolution")
			if tg.Kind != sla.KindBusinessDays || !tg.DueAt.Equal(sh("2026-03-05 18:00")) || !tg.WarnAt.Equal(sh("2026-03-05 10:42")) {
				t.Fatalf("planned %+v", *tg)
			}
			evs := apply(e, tk, []step{{ticket.StatusAcknowledged, sh("2026-03-02 10:05")},
				{ticket.StatusWaiting, tt.from}, {ticket.StatusInProgress, tt.to}})
			got := replans(t, evs)
			if len(got) != 1 || got[0].Target != "resolution" || !got[0].FromDueAt.Equal(sh("2026-03-05 18:00")) ||
				!got[0].ToDueAt.Equal(tt.due) || got[0].Reason != tt.reason {
				t.Fatalf("replans %+v, want resolution → %s (%q)", got, tt.due, tt.reason)
			}
			tg = tk.Target("resolution")
			if !tg.DueAt.Equal(tt.due) || !tg.WarnAt.Equal(tt.warn) {
				t.Errorf("resolution due %s warn %s, want %s and %s",
					tg.DueAt.In(shanghai), tg.WarnAt.In(shanghai), tt.due, tt.warn)
			}
			// Recompute from the start and the pause on the same calendar
			// agrees.
			if evs := e.Recompute(tk, tt.to); len(replans(t, evs)) != 0 {
				t.Errorf("Recompute after the pause moved %+v", replans(t, evs))
			}
		})
	}
}
