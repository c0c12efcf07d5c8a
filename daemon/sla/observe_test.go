package sla_test

import (
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// move is one status change at a time after t0.
type move struct {
	to ticket.Status
	at time.Duration
}

func TestObserve(t *testing.T) {
	e := newEngine(t)
	// repair.serious: response warn +8m due +10m; resolution warn +2h due +4h.
	tests := []struct {
		name   string
		moves  []move
		want   []string // every event of Fire and Observe, in order
		states map[string]ticket.TargetState
		metAt  map[string]time.Duration // targets with MetAt set, and when
		next   time.Duration            // -1: none
	}{
		{
			name:   "acknowledged in time",
			moves:  []move{{ticket.StatusAcknowledged, 5 * time.Minute}},
			want:   []string{"met response"},
			states: map[string]ticket.TargetState{"response": ticket.TargetMet, "resolution": ticket.TargetPending},
			metAt:  map[string]time.Duration{"response": 5 * time.Minute},
			next:   2 * time.Hour,
		},
		{
			name:  "acknowledged after the warning",
			moves: []move{{ticket.StatusAcknowledged, 9 * time.Minute}},
			want: []string{"warning response", "escalated response L1 [Li Wei Chen Jie]", "escalated response L2 [Wang Fang]",
				"met response"},
			states: map[string]ticket.TargetState{"response": ticket.TargetMet, "resolution": ticket.TargetPending},
			metAt:  map[string]time.Duration{"response": 9 * time.Minute},
			next:   2 * time.Hour,
		},
		{
			name:  "acknowledged exactly at the deadline is late",
			moves: []move{{ticket.StatusAcknowledged, 10 * time.Minute}},
			want: []string{"warning response", "escalated response L1 [Li Wei Chen Jie]", "escalated response L2 [Wang Fang]",
				"breached response", "escalated response L3 [Liu Yang]"},
			states: map[string]ticket.TargetState{"response": ticket.TargetBreached, "resolution": ticket.TargetPending},
			metAt:  map[string]time.Duration{"response": 10 * time.Minute},
			next:   2 * time.Hour, // the response's GM level is called off
		},
		{
			name: "breached stays breached",
			moves: []move{{ticket.StatusAcknowledged, 20 * time.Minute}, {ticket.StatusInProgress, 21 * time.Minute},
				{ticket.StatusResolved, time.Hour}},
			want: []string{"warning response", "escalated response L1 [Li Wei Chen Jie]", "escalated response L2 [Wang Fang]",
				"breached response", "escalated response L3 [Liu Yang]", "met resolution"},
			states: map[string]ticket.TargetState{"response": ticket.TargetBreached, "resolution": ticket.TargetMet},
			metAt:  map[string]time.Duration{"response": 20 * time.Minute, "resolution": time.Hour},
			next:   -1,
		},
		{
			name:   "resolved without acknowledging meets both",
			moves:  []move{{ticket.StatusResolved, time.Minute}},
			want:   []string{"met response", "met resolution"},
			states: map[string]ticket.TargetState{"response": ticket.TargetMet, "resolution": ticket.TargetMet},
			metAt:  map[string]time.Duration{"response": time.Minute, "resolution": time.Minute},
			next:   -1,
		},
		{
			name: "closed and reopened keeps the met resolution",
			moves: []move{{ticket.StatusAcknowledged, time.Minute}, {ticket.StatusResolved, time.Hour},
				{ticket.StatusClosed, 2 * time.Hour}, {ticket.StatusReopened, 3 * time.Hour},
				{ticket.StatusInProgress, 3 * time.Hour}, {ticket.StatusResolved, 5 * time.Hour}},
			want:   []string{"met response", "met resolution"},
			states: map[string]ticket.TargetState{"response": ticket.TargetMet, "resolution": ticket.TargetMet},
			metAt:  map[string]time.Duration{"response": time.Minute, "resolution": time.Hour},
			next:   -1,
		},
		{
			name:   "cancelled meets nothing and fires no more",
			moves:  []move{{ticket.StatusCancelled, time.Minute}},
			want:   nil,
			states: map[string]ticket.TargetState{"response": ticket.TargetPending, "resolution": ticket.TargetPending},
			next:   -1,
		},
		{
			name:   "dispatched again meets nothing",
			moves:  []move{{ticket.StatusNew, time.Minute}, {ticket.StatusDispatched, 2 * time.Minute}},
			want:   nil,
			states: map[string]ticket.TargetState{"response": ticket.TargetPending, "resolution": ticket.TargetPending},
			next:   8 * time.Minute,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := planned(e, ticket.KindRepair, "boiler", "serious", "general")
			var got []string
			for _, m := range tt.moves {
				from := tk.Status
				tk.Status = m.to
				got = append(got, summary(t, e.Observe(tk, from, m.to, t0.Add(m.at)))...)
			}
			if !equal(got, tt.want) {
				t.Fatalf("events =\n %q\nwant\n %q", got, tt.want)
			}
			for _, tg := range tk.SLA {
				if tg.State != tt.states[tg.Name] {
					t.Errorf("%s: state %s, want %s", tg.Name, tg.State, tt.states[tg.Name])
				}
				d, met := tt.metAt[tg.Name]
				switch {
				case met && (tg.MetAt == nil || !tg.MetAt.Equal(t0.Add(d))):
					t.Errorf("%s: MetAt %v, want +%s", tg.Name, tg.MetAt, d)
				case !met && tg.MetAt != nil:
					t.Errorf("%s: MetAt %v, want nil", tg.Name, tg.MetAt)
				}
			}
			next, ok := e.Next(tk)
			if tt.next < 0 {
				if ok {
					t.Errorf("Next = %s, want none", next)
				}
			} else if !ok || !next.Equal(t0.Add(tt.next)) {
				t.Errorf("Next = %s %v, want +%s", next, ok, tt.next)
			}
		})
	}
}

// A checklist target is never met by a status change.
func TestObserveOtherTargets(t *testing.T) {
	e := newEngine(t)
	tk := planned(e, ticket.KindRequest, "invoice", "minor", "member")
	tk.Status = ticket.StatusResolved
	if got := summary(t, e.Observe(tk, ticket.StatusInProgress, ticket.StatusResolved, t0.Add(time.Hour))); len(got) != 0 {
		t.Fatalf("Observe = %q, want nothing", got)
	}
	if tk.SLA[0].State != ticket.TargetPending || tk.SLA[0].MetAt != nil {
		t.Fatalf("correction target = %+v, want pending", tk.SLA[0])
	}
	// The correction target is due 36h after creation; warns at 90%.
	next, ok := e.Next(tk)
	if !ok || !next.Equal(t0.Add(time.Duration(0.9*float64(36*time.Hour)))) {
		t.Fatalf("Next = %s %v", next, ok)
	}
}

func TestNextAcrossTargets(t *testing.T) {
	e := newEngine(t)
	tk := planned(e, ticket.KindRepair, "boiler", "serious", "general")
	steps := []struct {
		fireAt time.Duration
		next   time.Duration
	}{
		{0, 8 * time.Minute},                          // response warning
		{8 * time.Minute, 10 * time.Minute},           // response breach
		{10 * time.Minute, 2 * time.Hour},             // resolution warning before response GM
		{2 * time.Hour, 4 * time.Hour},                // resolution breach
		{4 * time.Hour, 4*time.Hour + 10*time.Minute}, // response GM
		{4*time.Hour + 10*time.Minute, 8 * time.Hour}, // resolution GM
		{8 * time.Hour, -1},                           // done
	}
	for _, s := range steps {
		e.Fire(tk, t0.Add(s.fireAt))
		next, ok := e.Next(tk)
		if s.next < 0 {
			if ok {
				t.Fatalf("after +%s: Next = %s, want none", s.fireAt, next)
			}
			continue
		}
		if !ok || !next.Equal(t0.Add(s.next)) {
			t.Fatalf("after +%s: Next = %s %v, want +%s", s.fireAt, next, ok, s.next)
		}
	}
}
