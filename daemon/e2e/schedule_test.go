package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/report"
)

const scheduleConfig = testConfig + `
[[schedule]]
name = "round"
calendar = "always"
every = "business_day"
at = "00:00"
[schedule.ticket]
kind = "request"
category = "inspection"
title = "Inspect {location}"
for_each = ["Dorm 3", "Dorm 5"]

[[schedule]]
name = "weekly"
calendar = "always"
every = "week"
weekday = "monday"
at = "00:00"
report = "sla"
`

// TestScheduleCatchUpAndReport: on start, the latest due run of each
// schedule is done (today's round, last Monday's report); a restart does
// not create the round's tickets again; the report is served by the API and
// printed by `switchboard report sla`.
func TestScheduleCatchUpAndReport(t *testing.T) {
	a := newAgent(t, scheduleConfig)
	c := a.client()
	var first []string
	waitFor(t, 30*time.Second, "the round's tickets", func() bool {
		ts, err := c.AllTickets(ctxT(t, 10*time.Second), client.ListOptions{})
		if err != nil || len(ts) < 2 {
			return false
		}
		first = nil
		for _, tk := range ts {
			first = append(first, tk.ID)
		}
		return true
	})
	a.stop()
	a.start()

	ts, err := c.AllTickets(ctxT(t, 10*time.Second), client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	perRun := map[string]int{}
	for _, tk := range ts {
		if tk.Fields["schedule"] != "round" || tk.Title != "Inspect "+tk.Location {
			t.Errorf("ticket %+v", tk)
		}
		perRun[tk.Fields["run"]+" "+tk.Location]++
	}
	for k, n := range perRun {
		if n != 1 {
			t.Errorf("%s: %d tickets after a restart, want 1", k, n)
		}
	}
	if len(ts) != len(first) && len(ts) != len(first)+2 { // +2 only if UTC midnight passed meanwhile
		t.Errorf("%d tickets after restart, %d before", len(ts), len(first))
	}

	// Last Monday's report, for the week before it.
	entries, err := os.ReadDir(filepath.Join(a.dir, "reports"))
	if err != nil || len(entries) != 2 {
		t.Fatalf("reports dir: %v %v", entries, err)
	}

	now := time.Now().UTC()
	from := now.Add(-24 * time.Hour).Format(time.RFC3339)
	to := now.Add(24 * time.Hour).Format(time.RFC3339)
	out, err := exec.Command(binary, "report", "sla", "--addr", a.URL, "--token", a.Token,
		"--from", from, "--to", to, "--json").CombinedOutput()
	if err != nil {
		t.Fatalf("report sla: %v\n%s", err, out)
	}
	var rep report.Report
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Total.Received != len(ts) || rep.By != "department" {
		t.Errorf("report total %d, want %d:\n%s", rep.Total.Received, len(ts), out)
	}
}

// TestScheduleReload: a schedule added by a reload runs (its catch-up opens
// today's round), and a second reload does not open the round again.
func TestScheduleReload(t *testing.T) {
	a := newAgent(t, testConfig)
	c := a.client()
	if ts, err := c.AllTickets(ctxT(t, 10*time.Second), client.ListOptions{}); err != nil || len(ts) != 0 {
		t.Fatalf("before the reload: %d tickets, %v", len(ts), err)
	}
	a.reload(scheduleConfig)
	var round int
	waitFor(t, 30*time.Second, "the round's tickets after the reload", func() bool {
		ts, err := c.AllTickets(ctxT(t, 10*time.Second), client.ListOptions{})
		round = len(ts)
		return err == nil && len(ts) >= 2
	})
	a.reload(scheduleConfig)
	waitFor(t, 10*time.Second, "the second reload in the log", func() bool {
		return strings.Count(a.out.String(), "configuration reloaded") >= 2
	})
	ts, err := c.AllTickets(ctxT(t, 10*time.Second), client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != round && len(ts) != round+2 { // +2 only if UTC midnight passed meanwhile
		t.Errorf("%d tickets after the second reload, %d after the first: the round ran again", len(ts), round)
	}
}
