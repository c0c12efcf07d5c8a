package sla_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// The checkpoints of the "boundary" policy's response target, in order:
// warning at +8m with the technician and the project engineering manager,
// breach at +10m with the company engineering department, and the general
// manager 4h after breach.
var (
	atWarning = []string{"warning response", "escalated response L1 [Li Wei Chen Jie]", "escalated response L2 [Wang Fang]"}
	atBreach  = []string{"breached response", "escalated response L3 [Liu Yang]"}
	atGM      = []string{"escalated response L4 [Zhao Min]"}

	// Their keys in ticket.Target.Fired.
	keysWarning = []string{"warning", "level:technician@warning+0s", "level:project engineering manager@warning+0s"}
	keysBreach  = []string{"breach", "level:company engineering department@breach+0s"}
	keysGM      = []string{"level:general manager@breach+4h0m0s"}
)

func cat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestFireBoundaries(t *testing.T) {
	e := newEngine(t)
	const ns = time.Nanosecond
	warn, due, gm := 8*time.Minute, 10*time.Minute, 10*time.Minute+4*time.Hour
	tests := []struct {
		name  string
		at    time.Duration // after t0
		want  []string
		fired []string
		state ticket.TargetState
		next  time.Duration // -1: none
	}{
		{"at creation", 0, nil, nil, ticket.TargetPending, warn},
		{"just before warning", warn - ns, nil, nil, ticket.TargetPending, warn},
		{"at warning", warn, atWarning, keysWarning, ticket.TargetWarning, due},
		{"after warning", warn + ns, atWarning, keysWarning, ticket.TargetWarning, due},
		{"just before due", due - ns, atWarning, keysWarning, ticket.TargetWarning, due},
		{"at due", due, cat(atWarning, atBreach), cat(keysWarning, keysBreach), ticket.TargetBreached, gm},
		{"after due", due + time.Minute, cat(atWarning, atBreach), cat(keysWarning, keysBreach), ticket.TargetBreached, gm},
		{"just before due+4h", gm - ns, cat(atWarning, atBreach), cat(keysWarning, keysBreach), ticket.TargetBreached, gm},
		{"at due+4h", gm, cat(atWarning, atBreach, atGM), cat(keysWarning, keysBreach, keysGM), ticket.TargetBreached, -1},
		{"days later", 72 * time.Hour, cat(atWarning, atBreach, atGM), cat(keysWarning, keysBreach, keysGM), ticket.TargetBreached, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := planned(e, ticket.KindRepair, "boundary", "minor", "general")
			now := t0.Add(tt.at)
			evs := e.Fire(tk, now)
			if got := summary(t, evs); !equal(got, tt.want) {
				t.Fatalf("Fire(+%s) =\n %q\nwant\n %q", tt.at, got, tt.want)
			}
			for _, ev := range evs {
				if !ev.At.Equal(now) {
					t.Errorf("event %s at %s, want %s", ev.Type, ev.At, now)
				}
			}
			tg := tk.SLA[0]
			if !equal(tg.Fired, tt.fired) || tg.State != tt.state {
				t.Errorf("target fired %q state %s, want %q %s", tg.Fired, tg.State, tt.fired, tt.state)
			}
			next, ok := e.Next(tk)
			if tt.next < 0 {
				if ok {
					t.Errorf("Next = %s, want none", next)
				}
			} else if !ok || !next.Equal(t0.Add(tt.next)) {
				t.Errorf("Next = %s %v, want +%s", next, ok, tt.next)
			}
			if again := e.Fire(tk, now); len(again) != 0 {
				t.Errorf("second Fire at the same time = %q, want nothing", summary(t, again))
			}
		})
	}
}

// Firing minute by minute yields the same events as firing once after a
// downtime, each once.
func TestFireStepwiseEqualsDowntime(t *testing.T) {
	e := newEngine(t)
	step := planned(e, ticket.KindRepair, "boundary", "minor", "general")
	var got []string
	for now := t0; !now.After(t0.Add(6 * time.Hour)); now = now.Add(time.Minute) {
		got = append(got, summary(t, e.Fire(step, now))...)
	}
	want := cat(atWarning, atBreach, atGM)
	if !equal(got, want) {
		t.Fatalf("stepwise =\n %q\nwant\n %q", got, want)
	}
	once := planned(e, ticket.KindRepair, "boundary", "minor", "general")
	if got := summary(t, e.Fire(once, t0.Add(6*time.Hour))); !equal(got, want) {
		t.Fatalf("after downtime =\n %q\nwant\n %q", got, want)
	}
}

// After a downtime, the checkpoints of several targets interleave in
// deadline order.
func TestFireDowntimeOrderAcrossTargets(t *testing.T) {
	e := newEngine(t)
	tk := planned(e, ticket.KindRepair, "boiler", "serious", "general")
	// response: warn +8m, due +10m, GM +4h10m.
	// resolution: warn +2h, due +4h, GM +8h.
	evs := e.Fire(tk, t0.Add(10*time.Hour))
	want := []string{
		"warning response", "escalated response L1 [Li Wei Chen Jie]", "escalated response L2 [Wang Fang]", // +8m
		"breached response", "escalated response L3 [Liu Yang]", // +10m
		"warning resolution", "escalated resolution L1 [Li Wei Chen Jie]", "escalated resolution L2 [Wang Fang]", // +2h
		"breached resolution", "escalated resolution L3 [Liu Yang]", // +4h
		"escalated response L4 [Zhao Min]",   // +4h10m
		"escalated resolution L4 [Zhao Min]", // +8h
	}
	if got := summary(t, evs); !equal(got, want) {
		t.Fatalf("Fire =\n %q\nwant\n %q", got, want)
	}
	for _, tg := range tk.SLA {
		if want := cat(keysWarning, keysBreach, keysGM); tg.State != ticket.TargetBreached || !equal(tg.Fired, want) {
			t.Errorf("%s: state %s fired %q, want breached %q", tg.Name, tg.State, tg.Fired, want)
		}
	}
	if _, ok := e.Next(tk); ok {
		t.Error("Next after full escalation: want none")
	}

	// The event data: breach carries the deadline, escalation names the
	// chain, level, roles and people, and says why.
	var sd ticket.SLAData
	if err := json.Unmarshal(evs[3].Data, &sd); err != nil || sd.Target != "response" || !sd.DueAt.Equal(t0.Add(10*time.Minute)) {
		t.Errorf("breach data = %+v (%v)", sd, err)
	}
	var gm ticket.EscalationData
	if err := json.Unmarshal(evs[11].Data, &gm); err != nil {
		t.Fatal(err)
	}
	if gm.Chain != "engineering" || gm.Level != 4 || gm.Name != "general manager" || !equal(gm.Roles, []string{"general_manager"}) ||
		gm.Reason != "resolution target breached at 2026-03-02T12:00:00Z, still not met 4h later" {
		t.Errorf("GM escalation = %+v", gm)
	}
	var l1 ticket.EscalationData
	if err := json.Unmarshal(evs[1].Data, &l1); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(l1.Reason, "response target nearing its deadline 2026-03-02T08:10:00Z") {
		t.Errorf("warning escalation reason = %q", l1.Reason)
	}
}

func TestFireStopsWhenMetOrTerminal(t *testing.T) {
	e := newEngine(t)
	tests := []struct {
		name    string
		prepare func(tk *ticket.Ticket)
		want    []string
	}{
		{"closed", func(tk *ticket.Ticket) { tk.Status = ticket.StatusClosed }, nil},
		{"cancelled", func(tk *ticket.Ticket) { tk.Status = ticket.StatusCancelled }, nil},
		{"response met", func(tk *ticket.Ticket) { tk.SLA[0].State = ticket.TargetMet }, []string{
			"warning resolution", "escalated resolution L1 [Li Wei Chen Jie]", "escalated resolution L2 [Wang Fang]"}},
		{"no policy", func(tk *ticket.Ticket) { tk.SLA = nil }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := planned(e, ticket.KindRepair, "boiler", "serious", "general")
			tt.prepare(tk)
			if got := summary(t, e.Fire(tk, t0.Add(3*time.Hour))); !equal(got, tt.want) {
				t.Fatalf("Fire = %q, want %q", got, tt.want)
			}
		})
	}
}

// A ticket planned under a chain that a reload removed still warns and
// breaches, without levels.
func TestFireUnknownChainAfterReload(t *testing.T) {
	old := newEngine(t)
	tk := planned(old, ticket.KindRepair, "boundary", "minor", "general")
	reloaded, err := sla.New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := summary(t, reloaded.Fire(tk, t0.Add(time.Hour)))
	if want := []string{"warning response", "breached response"}; !equal(got, want) {
		t.Fatalf("Fire = %q, want %q", got, want)
	}
}

func TestCheckpointsOrderAtEqualTimes(t *testing.T) {
	e := newEngine(t)
	tk := planned(e, ticket.KindRepair, "boundary", "minor", "general")
	tg := tk.SLA[0]
	tg.WarnAt = tg.DueAt // warn = 1: warning and breach at the same instant
	var kinds, keys []string
	for _, cp := range e.Checkpoints(tg) {
		s := string(cp.Kind)
		if cp.Kind == sla.CheckpointEscalation {
			s += " L" + string(rune('0'+cp.Level.Number))
		}
		kinds = append(kinds, s)
		keys = append(keys, cp.Key)
	}
	want := []string{"warning", "escalation L1", "escalation L2", "breach", "escalation L3", "escalation L4"}
	if !equal(kinds, want) {
		t.Fatalf("Checkpoints = %v, want %v", kinds, want)
	}
	if want := cat(keysWarning, keysBreach, keysGM); !equal(keys, want) {
		t.Fatalf("Checkpoint keys = %q, want %q", keys, want)
	}
}
