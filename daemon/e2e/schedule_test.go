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

// TestScheduleReload: a schedule added by a reload is armed for its next
// run, with no catch-up (the runs due before the reload are not invented),
// and the running desk keeps working.
func TestScheduleReload(t *testing.T) {
	a := newAgent(t, testConfig)
	c := a.client()
	a.reload(scheduleConfig)
	waitFor(t, 10*time.Second, "the new schedules armed", func() bool {
		out := a.out.String()
		return strings.Contains(out, "schedule armed") && strings.Contains(out, "schedule=round") && strings.Contains(out, "schedule=weekly")
	})
	ts, err := c.AllTickets(ctxT(t, 10*time.Second), client.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 0 {
		t.Errorf("%d tickets after the reload, want none: a reload does no catch-up", len(ts))
	}
}
