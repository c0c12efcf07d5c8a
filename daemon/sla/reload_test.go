package sla_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/escalate"
	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// engineWithChain builds the engine of testdata/desk.toml with its
// "engineering" chain edited by edit, as a reload or a restart with an edited
// config would. The role duty_manager (Hu Jun) is available to new levels.
func engineWithChain(t *testing.T, edit func([]config.Level) []config.Level) *sla.Engine {
	t.Helper()
	c := desk(t)
	c.Roles["duty_manager"] = []string{"Hu Jun"}
	found := false
	for i := range c.Escalations {
		if c.Escalations[i].Name == "engineering" {
			c.Escalations[i].Levels = edit(slices.Clone(c.Escalations[i].Levels))
			found = true
		}
	}
	if !found {
		t.Fatal(`desk.toml has no "engineering" chain`)
	}
	esc, err := escalate.New(c.Escalations, c.Roles)
	if err != nil {
		t.Fatal(err)
	}
	e, err := sla.New(c.Policies, esc)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func level(name, at string, after time.Duration, roles ...string) config.Level {
	return config.Level{Name: name, At: at, After: config.Duration{Duration: after}, Notify: roles}
}

// roundTrip stores and loads tk as the store does (JSON), as across a restart.
func roundTrip(t *testing.T, tk *ticket.Ticket) *ticket.Ticket {
	t.Helper()
	b, err := json.Marshal(tk)
	if err != nil {
		t.Fatal(err)
	}
	var out ticket.Ticket
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// A ticket of the "boundary" policy (warning +8m, breach +10m, general
// manager +4h10m) has fired its warning and breach with their levels when
// the engineering chain is edited and the daemon restarts: nothing already
// fired fires again, a new level fires once when its time has come (at once
// if it has passed), a removed level never fires, and the escalated events
// carry each level's new position.
func TestFireAfterChainEdit(t *testing.T) {
	const (
		fired    = 10*time.Minute + time.Minute // when the old engine fired
		reloaded = 12 * time.Minute             // first Fire after the restart
		later    = 5 * time.Hour
	)
	gm := 10*time.Minute + 4*time.Hour
	firedBefore := cat(keysWarning, keysBreach)
	tests := []struct {
		name  string
		edit  func([]config.Level) []config.Level
		now   []string      // events at reloaded
		next  time.Duration // Next after that; -1: none
		later []string      // events between reloaded and later
		fired []string      // Fired at the end
		back  []string      // events when the original chain returns
	}{
		{
			// The reviewer's case: before the fix, "company engineering
			// department" fired again as level 3 and the new level never did.
			name: "warning level added at the top",
			edit: func(ls []config.Level) []config.Level {
				return slices.Insert(ls, 0, level("duty manager", "warning", 0, "duty_manager"))
			},
			now:   []string{"escalated response L1 [Hu Jun]"},
			next:  gm,
			later: []string{"escalated response L5 [Zhao Min]"},
			fired: cat(firedBefore, []string{"level:duty manager@warning+0s"}, keysGM),
		},
		{
			name: "breach level added whose delay has passed",
			edit: func(ls []config.Level) []config.Level {
				return slices.Insert(ls, 0, level("duty manager", "breach", time.Minute, "duty_manager"))
			},
			now:   []string{"escalated response L1 [Hu Jun]"},
			next:  gm,
			later: []string{"escalated response L5 [Zhao Min]"},
			fired: cat(firedBefore, []string{"level:duty manager@breach+1m0s"}, keysGM),
		},
		{
			name: "breach level added whose delay has not passed",
			edit: func(ls []config.Level) []config.Level {
				return slices.Insert(ls, 0, level("duty manager", "breach", time.Hour, "duty_manager"))
			},
			now:   nil,
			next:  10*time.Minute + time.Hour,
			later: []string{"escalated response L1 [Hu Jun]", "escalated response L5 [Zhao Min]"},
			fired: cat(firedBefore, []string{"level:duty manager@breach+1h0m0s"}, keysGM),
		},
		{
			name:  "fired level removed",
			edit:  func(ls []config.Level) []config.Level { return slices.Delete(ls, 1, 2) },
			now:   nil,
			next:  gm,
			later: []string{"escalated response L3 [Zhao Min]"},
			fired: cat(firedBefore, keysGM),
		},
		{
			name:  "unfired level removed",
			edit:  func(ls []config.Level) []config.Level { return ls[:3] },
			now:   nil,
			next:  -1,
			later: nil,
			fired: firedBefore,
			back:  []string{"escalated response L4 [Zhao Min]"},
		},
		{
			name:  "levels reversed",
			edit:  func(ls []config.Level) []config.Level { slices.Reverse(ls); return ls },
			now:   nil,
			next:  gm,
			later: []string{"escalated response L1 [Zhao Min]"},
			fired: cat(firedBefore, keysGM),
		},
		{
			name: "notify changed keeps the level",
			edit: func(ls []config.Level) []config.Level {
				ls[2].Notify = []string{"duty_manager"}
				return ls
			},
			now:   nil,
			next:  gm,
			later: []string{"escalated response L4 [Zhao Min]"},
			fired: cat(firedBefore, keysGM),
		},
		{
			name: "renamed level is a new level",
			edit: func(ls []config.Level) []config.Level {
				ls[2].Name = "engineering department"
				return ls
			},
			now:   []string{"escalated response L3 [Liu Yang]"},
			next:  gm,
			later: []string{"escalated response L4 [Zhao Min]"},
			fired: cat(firedBefore, []string{"level:engineering department@breach+0s"}, keysGM),
			// Renamed back, the old name is still in Fired: nothing fires.
		},
		{
			name: "identical level added is told apart",
			edit: func(ls []config.Level) []config.Level {
				return append(ls, level("technician", "warning", 0, "duty_manager"))
			},
			now:   []string{"escalated response L5 [Hu Jun]"},
			next:  gm,
			later: []string{"escalated response L4 [Zhao Min]"},
			fired: cat(firedBefore, []string{"level:technician@warning+0s#2"}, keysGM),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := newEngine(t)
			tk := planned(old, ticket.KindRepair, "boundary", "minor", "general")
			if got, want := summary(t, old.Fire(tk, t0.Add(fired))), cat(atWarning, atBreach); !equal(got, want) {
				t.Fatalf("Fire before the edit = %q, want %q", got, want)
			}
			tk = roundTrip(t, tk)

			e := engineWithChain(t, tt.edit)
			if got := summary(t, e.Fire(tk, t0.Add(reloaded))); !equal(got, tt.now) {
				t.Fatalf("Fire after the edit =\n %q\nwant\n %q", got, tt.now)
			}
			if again := e.Fire(tk, t0.Add(reloaded)); len(again) != 0 {
				t.Fatalf("second Fire at the same time = %q, want nothing", summary(t, again))
			}
			next, ok := e.Next(tk)
			if tt.next < 0 {
				if ok {
					t.Errorf("Next = %s, want none", next)
				}
			} else if !ok || !next.Equal(t0.Add(tt.next)) {
				t.Errorf("Next = %s %v, want +%s", next, ok, tt.next)
			}

			// Minute by minute, or once after a downtime: the same events,
			// each once.
			step := roundTrip(t, tk)
			var stepwise []string
			for now := t0.Add(reloaded); !now.After(t0.Add(later)); now = now.Add(time.Minute) {
				stepwise = append(stepwise, summary(t, e.Fire(step, now))...)
			}
			if !equal(stepwise, tt.later) {
				t.Errorf("stepwise Fire =\n %q\nwant\n %q", stepwise, tt.later)
			}
			if got := summary(t, e.Fire(tk, t0.Add(later))); !equal(got, tt.later) {
				t.Fatalf("Fire at +%s =\n %q\nwant\n %q", later, got, tt.later)
			}
			for _, got := range [][]string{tk.SLA[0].Fired, step.SLA[0].Fired} {
				if !equal(got, tt.fired) {
					t.Errorf("Fired =\n %q\nwant\n %q", got, tt.fired)
				}
			}
			if _, ok := e.Next(tk); ok {
				t.Error("Next at the end: want none")
			}
			// Back to the original chain: only a level the edit removed
			// before it fired fires, once.
			if got := summary(t, old.Fire(tk, t0.Add(later+time.Minute))); !equal(got, tt.back) {
				t.Errorf("Fire with the original chain = %q, want %q", got, tt.back)
			}
			if again := old.Fire(tk, t0.Add(later+time.Minute)); len(again) != 0 {
				t.Errorf("second Fire with the original chain = %q, want nothing", summary(t, again))
			}
		})
	}
}

func TestLevelKey(t *testing.T) {
	tests := []struct {
		level escalate.Level
		want  string
	}{
		{escalate.Level{Name: "technician", At: escalate.AtWarning}, "level:technician@warning+0s"},
		{escalate.Level{Name: "general manager", At: escalate.AtBreach, After: 4 * time.Hour}, "level:general manager@breach+4h0m0s"},
		{escalate.Level{Name: "", At: escalate.AtBreach, After: 90 * time.Second}, "level:@breach+1m30s"},
		// The position is not part of the identity.
		{escalate.Level{Number: 7, Name: "technician", At: escalate.AtWarning}, "level:technician@warning+0s"},
	}
	for _, tt := range tests {
		if got := sla.LevelKey(tt.level); got != tt.want {
			t.Errorf("LevelKey(%+v) = %q, want %q", tt.level, got, tt.want)
		}
	}
}

// Fired survives the store's JSON, and a ticket loaded from it fires
// nothing twice.
func TestFiredJSONRoundTrip(t *testing.T) {
	e := newEngine(t)
	tk := planned(e, ticket.KindRepair, "boundary", "minor", "general")
	b, err := json.Marshal(tk.SLA[0])
	if err != nil {
		t.Fatal(err)
	}
	if s := string(b); strings.Contains(s, `"fired"`) || strings.Contains(s, `"stage"`) {
		t.Errorf("planned target JSON = %s, want neither fired nor stage", s)
	}

	now := t0.Add(10 * time.Minute)
	e.Fire(tk, now)
	b, err = json.Marshal(tk.SLA[0])
	if err != nil {
		t.Fatal(err)
	}
	want := `"fired":["warning","level:technician@warning+0s","level:project engineering manager@warning+0s",` +
		`"breach","level:company engineering department@breach+0s"]`
	if !strings.Contains(string(b), want) {
		t.Errorf("target JSON = %s, want it to contain %s", b, want)
	}

	loaded := roundTrip(t, tk)
	if !equal(loaded.SLA[0].Fired, tk.SLA[0].Fired) {
		t.Fatalf("Fired after round trip = %q, want %q", loaded.SLA[0].Fired, tk.SLA[0].Fired)
	}
	if again := e.Fire(loaded, now); len(again) != 0 {
		t.Errorf("Fire after round trip = %q, want nothing", summary(t, again))
	}
	if next, ok := e.Next(loaded); !ok || !next.Equal(t0.Add(10*time.Minute+4*time.Hour)) {
		t.Errorf("Next after round trip = %s %v, want +4h10m", next, ok)
	}
}
