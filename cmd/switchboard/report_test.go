package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/api"
	"github.com/switchboard-desk/switchboard/daemon/report"
)

// reportDaemon is a real API server whose reports are a fixed report; it
// records the period and grouping asked for.
type reportDaemon struct {
	url      string
	from, to time.Time
	by       string
}

func newReportDaemon(t *testing.T) *reportDaemon {
	d := &reportDaemon{}
	f := func(v float64) *float64 { return &v }
	srv := httptest.NewServer(api.New(api.Options{Token: testToken,
		Reports: func(_ context.Context, from, to time.Time, by string) (any, error) {
			d.from, d.to, d.by = from, to, by
			breach := report.Breach{TicketID: "SB-3", Target: "resolution", BreachedAt: time.Date(2026, 11, 18, 3, 0, 0, 0, time.UTC),
				Department: "engineering", Assignee: "Wang"}
			eng := report.Group{Name: "engineering", Received: 4, Resolved: 3,
				Response:      report.Compliance{Met: 3, Breached: 1, Percent: f(75)},
				Resolution:    report.Compliance{Met: 2, Breached: 2, Percent: f(50)},
				Breaches:      []report.Breach{breach},
				TimeToRespond: report.Durations{Count: 4, MedianSeconds: f(300), P90Seconds: f(1200)},
				TimeToResolve: report.Durations{Count: 3, MedianSeconds: f(10800), P90Seconds: f(86400)}, RepeatComplaints: 1}
			svc := report.Group{Name: "service", Received: 1, Breaches: []report.Breach{}}
			total := eng
			total.Name, total.Received = "total", 5
			return report.Report{From: from, To: to, By: by, Groups: []report.Group{eng, svc}, Total: total}, nil
		}}).Handler())
	t.Cleanup(srv.Close)
	d.url = srv.URL
	return d
}

func (d *reportDaemon) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errw syncBuf
	c := &reportCLI{ticketCLI: &ticketCLI{out: &out, errw: &errw,
		getenv: func(k string) string {
			return map[string]string{"SWITCHBOARD_ADDR": d.url, "SWITCHBOARD_TOKEN": testToken}[k]
		},
		defaultConfig: filepath.Join(t.TempDir(), "config.toml"), now: time.Now, loc: cstZone}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := c.run(ctx, args)
	return code, out.String(), errw.String()
}

var cstZone = time.FixedZone("CST", 8*3600)

func TestReportSLATable(t *testing.T) {
	d := newReportDaemon(t)
	code, out, errs := d.run(t, "sla", "--from", "2026-11-16", "--to", "2026-11-23")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// Dates are local midnights.
	if !d.from.Equal(time.Date(2026, 11, 16, 0, 0, 0, 0, cstZone)) || !d.to.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, cstZone)) || d.by != "department" {
		t.Errorf("asked for %v %v %q", d.from, d.to, d.by)
	}
	for _, want := range []string{
		"SLA report by department, 2026-11-16 00:00 CST to 2026-11-23 00:00 CST",
		"DEPARTMENT   RECEIVED  RESOLVED  RESPONSE     RESOLUTION   RESPOND p50/p90  RESOLVE p50/p90  REPEATS  BREACHES",
		"engineering  4         3         75.0% (3/4)  50.0% (2/4)  5m / 20m         3h00m / 1d0h     1        1",
		"service      1         0         -            -            -                -                0        0",
		"total        5",
		"SB-3    resolution  2026-11-18 11:00  engineering  Wang",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestReportSLAFormats(t *testing.T) {
	d := newReportDaemon(t)
	code, out, _ := d.run(t, "sla", "--from", "2026-11-16T00:00:00Z", "--to", "2026-11-23T00:00:00Z", "--by", "assignee", "--json")
	var rep report.Report
	if code != exitOK || json.Unmarshal([]byte(out), &rep) != nil || rep.By != "assignee" || rep.Total.Received != 5 {
		t.Fatalf("--json: exit %d\n%s", code, out)
	}
	if !d.from.Equal(time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("RFC 3339 from read as %v", d.from)
	}
	code, out, _ = d.run(t, "sla", "--from", "2026-11-16", "--to", "2026-11-23", "--csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != exitOK || err != nil || len(rows) != 4 || rows[1][3] != "engineering" || rows[3][3] != "total" {
		t.Fatalf("--csv: exit %d, %v\n%s", code, err, out)
	}
}

func TestReportSLAUsageErrors(t *testing.T) {
	d := newReportDaemon(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{}, "Usage: switchboard report sla"},
		{[]string{"kpi"}, `unknown report "kpi"`},
		{[]string{"sla", "--to", "2026-11-23"}, "--from is required"},
		{[]string{"sla", "--from", "2026-11-16"}, "--to is required"},
		{[]string{"sla", "--from", "16/11/2026", "--to", "2026-11-23"}, `--from: invalid value "16/11/2026"`},
		{[]string{"sla", "--from", "2026-11-23", "--to", "2026-11-16"}, "--from must be before --to"},
		{[]string{"sla", "--from", "2026-11-16", "--to", "2026-11-23", "--by", "tier"}, `--by: unknown grouping "tier"`},
		{[]string{"sla", "--from", "2026-11-16", "--to", "2026-11-23", "--json", "--csv"}, "exclude each other"},
		{[]string{"sla", "--from", "2026-11-16", "--to", "2026-11-23", "extra"}, `unexpected argument "extra"`},
		{[]string{"sla", "--bogus"}, "flag provided but not defined: -bogus"},
	}
	for _, tc := range tests {
		code, _, errs := d.run(t, tc.args...)
		if code != exitUsage || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errs, tc.want)
		}
	}
	if code, out, _ := d.run(t, "sla", "-h"); code != exitOK || !strings.Contains(out, "--by GROUPING") {
		t.Errorf("-h: exit %d\n%s", code, out)
	}
}

func TestReportSLAUnreachable(t *testing.T) {
	d := newReportDaemon(t)
	d.url = "http://127.0.0.1:1"
	code, _, errs := d.run(t, "sla", "--from", "2026-11-16", "--to", "2026-11-23")
	if code != exitAPI || !strings.Contains(errs, "is the daemon running") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}
