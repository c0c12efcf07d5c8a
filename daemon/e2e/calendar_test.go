package e2e

import (
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// calendarConfig is testConfig plus a business calendar that works every
// hour of every day in UTC (so the test does not depend on the time it
// runs) and two policies on it.
func calendarConfig(holidays string) string {
	return strings.Replace(testConfig, `[[policy]]
name = "test.drill"`, `[[calendar]]
name = "desk"
zone = "UTC"
holidays = [`+holidays+`]
[calendar.week]
monday = ["00:00-24:00"]
tuesday = ["00:00-24:00"]
wednesday = ["00:00-24:00"]
thursday = ["00:00-24:00"]
friday = ["00:00-24:00"]
saturday = ["00:00-24:00"]
sunday = ["00:00-24:00"]

[[policy]]
name = "test.days"
calendar = "desk"
category = ["days"]
[[policy.target]]
name = "resolution"
business_days = 2

[[policy]]
name = "test.pause"
calendar = "desk"
category = ["pause"]
[[policy.target]]
name = "resolution"
after = "1h"

[[policy]]
name = "test.drill"`, 1)
}

func replans(t *testing.T, c *client.Client, id string) []ticket.ReplanData {
	t.Helper()
	d, err := c.Ticket(ctxT(t, 5*time.Second), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []ticket.ReplanData
	for _, ev := range d.History {
		if ev.Type == ticket.EventReplanned {
			var r ticket.ReplanData
			json.Unmarshal(ev.Data, &r)
			out = append(out, r)
		}
	}
	return out
}

// TestHolidayByReloadMovesDeadlines: a holiday announced in config.toml and
// reloaded with SIGHUP moves the open deadlines it touches, with the move in
// the ticket's history.
func TestHolidayByReloadMovesDeadlines(t *testing.T) {
	a := newAgent(t, calendarConfig(""))
	c := a.client()
	tk, err := c.CreateTicket(ctxT(t, 5*time.Second), client.CreateRequest{
		Kind: ticket.KindRequest, Category: "days", Title: "Answer within 2 business days", Reporter: ticket.Reporter{Name: "R"},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	day := tk.CreatedAt.UTC().Truncate(24 * time.Hour)
	wantDue := day.Add(3 * 24 * time.Hour) // close of business on the 2nd business day after today
	if got := tk.Target("resolution").DueAt; !got.Equal(wantDue) {
		t.Fatalf("due %v, want %v", got, wantDue)
	}
	// Tomorrow becomes a holiday.
	holiday := day.Add(24 * time.Hour).Format("2006-01-02")
	a.reload(calendarConfig(`"` + holiday + `"`))
	waitFor(t, 10*time.Second, "the deadline to move", func() bool { return len(replans(t, c, tk.ID)) > 0 })
	r := replans(t, c, tk.ID)
	if len(r) != 1 || !r[0].FromDueAt.Equal(wantDue) || !r[0].ToDueAt.Equal(wantDue.Add(24*time.Hour)) {
		t.Errorf("replans = %+v, want one move from %v to %v", r, wantDue, wantDue.Add(24*time.Hour))
	}
	d, _ := c.Ticket(ctxT(t, 5*time.Second), tk.ID)
	if got := d.Target("resolution").DueAt; !got.Equal(wantDue.Add(24 * time.Hour)) {
		t.Errorf("due after reload %v", got)
	}
	// The same config again, and a restart: nothing moves twice.
	a.cmd.Process.Signal(syscall.SIGHUP)
	a.stop()
	a.start()
	if n := len(replans(t, a.client(), tk.ID)); n != 1 {
		t.Errorf("%d replans after a second reload and a restart, want 1", n)
	}
}

// TestPauseMovesDeadline: a ticket waiting on the reporter has its clock
// stopped; when work resumes its deadline moves later by the pause.
func TestPauseMovesDeadline(t *testing.T) {
	a := newAgent(t, calendarConfig(""))
	c := a.client()
	tk, err := c.CreateTicket(ctxT(t, 5*time.Second), client.CreateRequest{
		Kind: ticket.KindRepair, Category: "pause", Title: "Needs the reporter's key", Reporter: ticket.Reporter{Name: "R"},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	before := tk.Target("resolution").DueAt
	waitStatus(t, c, tk.ID, ticket.StatusAcknowledged)
	if _, err := c.Transition(ctxT(t, 5*time.Second), tk.ID, ticket.StatusWaiting, "waiting for the key"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	after, err := c.Transition(ctxT(t, 5*time.Second), tk.ID, ticket.StatusInProgress, "got the key")
	if err != nil {
		t.Fatal(err)
	}
	moved := after.Target("resolution").DueAt.Sub(before)
	if moved < time.Second || moved > 10*time.Second {
		t.Errorf("deadline moved by %v, want the ~1.5s pause", moved)
	}
	if r := replans(t, c, tk.ID); len(r) != 1 || !strings.Contains(r[0].Reason, "paus") {
		t.Errorf("replans = %+v, want one for the pause", r)
	}
	if len(after.Pauses) != 1 || after.Pauses[0].To == nil {
		t.Errorf("pauses = %+v, want one closed pause", after.Pauses)
	}
}
