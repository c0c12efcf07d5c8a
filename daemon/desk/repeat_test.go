package desk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/desk"
	"github.com/switchboard-desk/switchboard/daemon/sla/slatest"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// TestRepeatComplaints submits a sequence of tickets, an hour apart unless
// a step says otherwise, and checks which of them are repeats.
func TestRepeatComplaints(t *testing.T) {
	complaint := func(loc, asset string) ticket.Ticket {
		return ticket.Ticket{Kind: ticket.KindComplaint, Category: "hot_water", Location: loc, Asset: asset}
	}
	type step struct {
		in     ticket.Ticket
		after  time.Duration // clock advance before the step; default 1h
		cancel bool          // cancel it once created
		// want: the indexes of the earlier steps it repeats, or nil.
		want []int
		// loc/asset: the RepeatData fields expected when want is set.
		loc, asset string
	}
	for _, c := range []struct {
		name   string
		repeat config.Repeat
		off    bool // keep count 0: detection off
		steps  []step
	}{
		{name: "third about one location", steps: []step{
			{in: complaint("Dorm 3", "")},
			{in: complaint("Dorm 3", "")},
			{in: complaint("Dorm 3", ""), want: []int{0, 1}, loc: "Dorm 3"},
			{in: complaint("Dorm 3", ""), want: []int{0, 1, 2}, loc: "Dorm 3"},
		}},
		{name: "location compared without case or spacing", steps: []step{
			{in: complaint("Dorm 3", "")},
			{in: complaint("dorm 3 ", "")},
			{in: complaint("DORM 3", ""), want: []int{0, 1}, loc: "DORM 3"},
		}},
		{name: "other places do not count", steps: []step{
			{in: complaint("Dorm 3", "")},
			{in: complaint("Dorm 5", "")},
			{in: complaint("Dorm 3", "")},
		}},
		{name: "same asset in different places", steps: []step{
			{in: complaint("Dorm 3", "Boiler B-2")},
			{in: complaint("Dorm 4", "Boiler B-2")},
			{in: complaint("Dorm 5", "boiler b-2"), want: []int{0, 1}, asset: "boiler b-2"},
		}},
		{name: "location and asset together", steps: []step{
			{in: complaint("Dorm 3", "B-1")},
			{in: complaint("Dorm 3", "B-2")},
			{in: complaint("Dorm 4", "B-3")},
			{in: complaint("Dorm 9", "B-3")},
			{in: complaint("Dorm 3", "B-3"), want: []int{0, 1, 2, 3}, loc: "Dorm 3", asset: "B-3"},
		}},
		{name: "first one falls out of the 7-day window", steps: []step{
			{in: complaint("Dorm 3", "")},
			{in: complaint("Dorm 3", ""), after: 7*24*time.Hour - time.Minute},
			{in: complaint("Dorm 3", ""), after: 2 * time.Minute},
			{in: complaint("Dorm 3", ""), want: []int{1, 2}, loc: "Dorm 3"},
		}},
		{name: "cancelled complaints and repairs do not count", steps: []step{
			{in: complaint("Dorm 3", ""), cancel: true},
			{in: ticket.Ticket{Kind: ticket.KindRepair, Category: "valve", Location: "Dorm 3"}},
			{in: complaint("Dorm 3", "")},
			{in: complaint("Dorm 3", "")},
			{in: complaint("Dorm 3", ""), want: []int{2, 3}, loc: "Dorm 3"},
		}},
		{name: "a repair is never a repeat", steps: []step{
			{in: complaint("Dorm 3", "")},
			{in: complaint("Dorm 3", "")},
			{in: ticket.Ticket{Kind: ticket.KindRepair, Category: "valve", Location: "Dorm 3"}},
		}},
		{name: "count 0 turns detection off", off: true, steps: []step{
			{in: complaint("Dorm 3", "")}, {in: complaint("Dorm 3", "")}, {in: complaint("Dorm 3", "")},
		}},
		{name: "no location or asset", steps: []step{
			{in: complaint("", "")}, {in: complaint("", "")}, {in: complaint("", "")},
		}},
		{name: "configured count, window and roles",
			repeat: config.Repeat{Count: 2, Window: dur(2 * time.Hour), Notify: []string{"school", "general_manager"}},
			steps: []step{
				{in: complaint("Dorm 3", "")},
				{in: complaint("Dorm 3", ""), after: 3 * time.Hour},
				{in: complaint("Dorm 3", ""), want: []int{1}, loc: "Dorm 3"},
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := *planCfg
			cfg.Repeat = c.repeat
			if c.repeat.Count == 0 && !c.off {
				cfg.Repeat.Count = 3
			}
			clock := slatest.NewFakeClock(t0)
			e := newPlanEnv(t, &cfg, clock, &fakePlugins{handleTicket: accept("Chen")})
			var ids []string
			for i, s := range c.steps {
				if s.after == 0 {
					s.after = time.Hour
				}
				clock.Advance(s.after)
				tk := e.submit(s.in)
				ids = append(ids, tk.ID)
				if s.cancel {
					if _, err := e.desk.Transition(context.Background(), tk.ID, ticket.StatusCancelled, "entered twice", "agent"); err != nil {
						t.Fatal(err)
					}
				}
				evs := e.events(tk.ID, ticket.EventRepeat)
				if s.want == nil {
					if len(evs) != 0 || len(tk.Links) != 0 {
						t.Errorf("step %d: %d repeat events, links %v; want none", i, len(evs), tk.Links)
					}
					continue
				}
				var want []string
				for _, j := range s.want {
					want = append(want, ids[j])
				}
				if len(evs) != 1 {
					t.Fatalf("step %d: %d repeat events, want 1 (history %v)", i, len(evs), e.types(tk.ID))
				}
				d := decodeData[ticket.RepeatData](t, evs[0])
				if strings.Join(d.Earlier, ",") != strings.Join(want, ",") || d.Count != len(want)+1 ||
					d.Location != s.loc || d.Asset != s.asset {
					t.Errorf("step %d: repeat %+v, want earlier %v, location %q, asset %q", i, d, want, s.loc, s.asset)
				}
				if strings.Join(tk.Links, ",") != strings.Join(want, ",") {
					t.Errorf("step %d: links %v, want %v", i, tk.Links, want)
				}
				stored, _ := e.st.Get(context.Background(), tk.ID)
				if strings.Join(stored.Links, ",") != strings.Join(want, ",") {
					t.Errorf("step %d: stored links %v", i, stored.Links)
				}
				rule := desk.NewRepeatRule(c.repeat)
				wantPeople := map[string]string{"general_manager": "Zhao Min", "school,general_manager": "Principal Sun,Zhao Min"}
				if strings.Join(d.Roles, ",") != strings.Join(rule.Notify, ",") ||
					strings.Join(d.People, ",") != wantPeople[strings.Join(rule.Notify, ",")] || d.Window != rule.Window.String() {
					t.Errorf("step %d: told %v (%v) over %s", i, d.Roles, d.People, d.Window)
				}
			}
		})
	}
}

// TestRepeatDeliveredToPluginAndStream: the repeat event reaches the
// department plugin and the wallboard like any other event.
func TestRepeatDeliveredToPluginAndStream(t *testing.T) {
	clock := slatest.NewFakeClock(t0)
	fp := &fakePlugins{handleTicket: accept("Chen")}
	cfg := *planCfg
	cfg.Repeat = config.Repeat{Count: 3}
	e := newPlanEnv(t, &cfg, clock, fp)
	var last ticket.Ticket
	for range 3 {
		clock.Advance(time.Minute)
		last = e.submit(ticket.Ticket{Kind: ticket.KindComplaint, Category: "noise", Location: "Dorm 3"})
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		fp.mu.Lock()
		n := 0
		for _, ev := range fp.events {
			if ev.Type == ticket.EventRepeat && ev.TicketID == last.ID {
				n++
			}
		}
		fp.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("plugin got %d repeat events", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.pub.mu.Lock()
	defer e.pub.mu.Unlock()
	n := 0
	for _, m := range e.pub.msgs {
		if m.Event != nil && m.Event.Type == ticket.EventRepeat {
			n++
		}
	}
	if n != 1 {
		t.Errorf("published %d repeat events, want 1", n)
	}
}
