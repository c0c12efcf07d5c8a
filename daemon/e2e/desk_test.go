package e2e

import (
	"encoding/json"
	"reflect"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// streamRecorder collects every message of one websocket stream.
type streamRecorder struct {
	mu   sync.Mutex
	msgs []wire.Message
}

func watch(t *testing.T, c *client.Client) *streamRecorder {
	t.Helper()
	r := &streamRecorder{}
	ctx := ctxT(t, 5*time.Minute)
	go c.Watch(ctx, func(m wire.Message) error {
		r.mu.Lock()
		r.msgs = append(r.msgs, m)
		r.mu.Unlock()
		return nil
	})
	waitFor(t, 10*time.Second, "stream snapshot", func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return len(r.msgs) > 0
	})
	return r
}

// events returns every event of type typ for ticket id, in stream order.
func (r *streamRecorder) events(id, typ string) []ticket.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []ticket.Event
	for _, m := range r.msgs {
		if m.Type == wire.MsgEvent && m.Event != nil && m.Event.TicketID == id && m.Event.Type == typ {
			out = append(out, *m.Event)
		}
	}
	return out
}

func (r *streamRecorder) check(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.msgs) == 0 || r.msgs[0].Type != wire.MsgSnapshot {
		t.Fatalf("stream did not start with a snapshot")
	}
	last := r.msgs[0].Seq
	for _, m := range r.msgs[1:] {
		if m.Type != wire.MsgEvent {
			continue
		}
		if m.Seq <= last {
			t.Errorf("stream seq went from %d to %d", last, m.Seq)
		}
		last = m.Seq
	}
}

func departmentPID(t *testing.T, c *client.Client, name string) (int, string) {
	t.Helper()
	ds, err := c.Departments(ctxT(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Name == name {
			return d.PID, d.State
		}
	}
	t.Fatalf("no department %q in %+v", name, ds)
	return 0, ""
}

func waitStatus(t *testing.T, c *client.Client, id string, want ticket.Status) wire.TicketDetail {
	t.Helper()
	var got wire.TicketDetail
	waitFor(t, 15*time.Second, id+" to be "+string(want), func() bool {
		d, err := c.Ticket(ctxT(t, 5*time.Second), id)
		if err != nil {
			t.Fatal(err)
		}
		got = d
		return d.Status == want
	})
	return got
}

func TestDeskEndToEnd(t *testing.T) {
	a := newAgent(t, testConfig)
	c := a.client()
	stream := watch(t, c)

	// 1. A repair call is stored, routed to engineering, and acknowledged by
	// the engineering plugin running as its own process.
	repair, err := c.CreateTicket(ctxT(t, 5*time.Second), client.CreateRequest{
		Kind: ticket.KindRepair, Category: "valve", Severity: "minor",
		Title: "Broken valve on floor 3", Reporter: ticket.Reporter{Name: "Liu Yang", Contact: "138-0000-0000"},
		Location: "north/dorm-3",
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	if repair.Department != "engineering" || repair.Policy != "repair.minor" || len(repair.SLA) != 2 {
		t.Fatalf("created ticket = %+v", repair)
	}
	d := waitStatus(t, c, repair.ID, ticket.StatusAcknowledged)
	if d.Assignee != "Chen Jun" {
		t.Errorf("assignee = %q, want the north roster's Chen Jun", d.Assignee)
	}
	var ackBy string
	for _, ev := range d.History {
		if ev.Type == ticket.EventStatus && jsonField(ev.Data, "to") == "acknowledged" {
			ackBy = ev.Actor
		}
	}
	if ackBy != "plugin:engineering" {
		t.Errorf("acknowledged by %q, want plugin:engineering; history %+v", ackBy, d.History)
	}
	if d.Target("response").State != ticket.TargetMet {
		t.Errorf("response target = %+v, want met", d.Target("response"))
	}
	pid, state := departmentPID(t, c, "engineering")
	if state != "running" || pid <= 0 || pid == a.cmd.Process.Pid {
		t.Fatalf("engineering plugin state %s pid %d (agent pid %d)", state, pid, a.cmd.Process.Pid)
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("plugin pid %d is not a live process: %v", pid, err)
	}

	// 2. A ticket under a 1.5s policy warns, breaches and escalates, live on
	// the websocket.
	drill, err := c.CreateTicket(ctxT(t, 5*time.Second), client.CreateRequest{
		Kind: ticket.KindRepair, Category: "drill", Severity: "serious", Title: "Machine down (drill)",
		Reporter: ticket.Reporter{Name: "Desk drill"},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{ticket.EventSLAWarning, ticket.EventSLABreached, ticket.EventEscalated} {
		waitFor(t, 15*time.Second, typ+" on the stream", func() bool {
			return len(stream.events(drill.ID, typ)) > 0
		})
	}
	// Warning tells the project manager (level 1); breach tells the
	// engineering department (level 2).
	waitFor(t, 15*time.Second, "two escalations on the stream", func() bool {
		return len(stream.events(drill.ID, ticket.EventEscalated)) >= 2
	})
	want := [][]string{{"Wang Lei"}, {"Engineering duty desk"}}
	for i, esc := range stream.events(drill.ID, ticket.EventEscalated)[:2] {
		var ed ticket.EscalationData
		if err := json.Unmarshal(esc.Data, &ed); err != nil {
			t.Fatal(err)
		}
		if ed.Level != i+1 || !reflect.DeepEqual(ed.People, want[i]) {
			t.Errorf("escalation %d = %+v, want level %d telling %v", i+1, ed, i+1, want[i])
		}
	}

	// 3. The engineering plugin is killed; it comes back as a new process
	// and the desk keeps accepting and dispatching tickets.
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	created := []string{repair.ID, drill.ID}
	for i := 0; i < 5; i++ {
		tk, err := c.CreateTicket(ctxT(t, 5*time.Second), client.CreateRequest{
			Kind: ticket.KindRepair, Category: "pipe", Title: "Leaking pipe", Reporter: ticket.Reporter{Name: "R"},
		}, "")
		if err != nil {
			t.Fatalf("create while plugin restarts: %v", err)
		}
		created = append(created, tk.ID)
	}
	waitFor(t, 15*time.Second, "engineering plugin back", func() bool {
		p, s := departmentPID(t, c, "engineering")
		return s == "running" && p != pid && p > 0
	})
	for _, id := range created[2:] {
		waitStatus(t, c, id, ticket.StatusAcknowledged)
	}

	// A complaint goes to the fallback department and through its life cycle.
	comp, err := c.CreateTicket(ctxT(t, 5*time.Second), client.CreateRequest{
		Kind: ticket.KindComplaint, Category: "no_hot_water", Title: "No hot water again", Reporter: ticket.Reporter{Name: "Student"},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	created = append(created, comp.ID)
	if comp.Department != "service" {
		t.Errorf("complaint routed to %q, want the fallback service", comp.Department)
	}
	waitStatus(t, c, comp.ID, ticket.StatusAcknowledged)
	for _, to := range []ticket.Status{ticket.StatusInProgress, ticket.StatusResolved, ticket.StatusClosed} {
		if _, err := c.Transition(ctxT(t, 5*time.Second), comp.ID, to, "step to "+string(to)); err != nil {
			t.Fatalf("transition to %s: %v", to, err)
		}
	}
	_, err = c.Transition(ctxT(t, 5*time.Second), comp.ID, ticket.StatusInProgress, "")
	if apiErr, ok := err.(*client.APIError); !ok || apiErr.Status != 409 {
		t.Errorf("closed → in_progress: err = %v, want a 409", err)
	}
	stream.check(t)

	// 4. The agent stops and starts again: every ticket is there with its
	// whole history.
	before := map[string]wire.TicketDetail{}
	for _, id := range created {
		d, err := c.Ticket(ctxT(t, 5*time.Second), id)
		if err != nil {
			t.Fatal(err)
		}
		before[id] = d
	}
	a.stop()
	a.start()
	c = a.client()
	for _, id := range created {
		after, err := c.Ticket(ctxT(t, 5*time.Second), id)
		if err != nil {
			t.Fatalf("after restart: %v", err)
		}
		b := before[id]
		if len(after.History) < len(b.History) || !reflect.DeepEqual(after.History[:len(b.History)], b.History) {
			t.Errorf("%s history changed across restart:\nbefore %+v\nafter  %+v", id, b.History, after.History)
		}
		if after.Status != b.Status {
			t.Errorf("%s status %s before restart, %s after", id, b.Status, after.Status)
		}
	}
}

func jsonField(raw json.RawMessage, key string) string {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	s, _ := m[key].(string)
	return s
}

// TestBreachDuringDowntime: a ticket whose promise breaks while the agent is
// stopped is warned, breached and escalated at once when it starts again,
// each exactly once, and never again on the next restart.
func TestBreachDuringDowntime(t *testing.T) {
	a := newAgent(t, testConfig)
	c := a.client()
	drill, err := c.CreateTicket(ctxT(t, 5*time.Second), client.CreateRequest{
		Kind: ticket.KindRepair, Category: "drill", Title: "Machine down while we restart", Reporter: ticket.Reporter{Name: "D"},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	a.stop()
	if time.Since(drill.CreatedAt) > time.Second {
		t.Skip("the machine is too slow: the warning fell before the agent stopped")
	}
	time.Sleep(time.Until(drill.CreatedAt.Add(2 * time.Second)))
	counts := func() map[string]int {
		d, err := a.client().Ticket(ctxT(t, 5*time.Second), drill.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := map[string]int{}
		for _, ev := range d.History {
			n[ev.Type]++
		}
		return n
	}
	a.start()
	waitFor(t, 15*time.Second, "escalations after restart", func() bool {
		return counts()[ticket.EventEscalated] >= 2
	})
	a.stop()
	a.start()
	time.Sleep(500 * time.Millisecond)
	n := counts()
	if n[ticket.EventSLAWarning] != 1 || n[ticket.EventSLABreached] != 1 || n[ticket.EventEscalated] != 2 {
		t.Errorf("after two restarts: %d warnings, %d breaches, %d escalations; want 1, 1, 2", n[ticket.EventSLAWarning], n[ticket.EventSLABreached], n[ticket.EventEscalated])
	}
}
