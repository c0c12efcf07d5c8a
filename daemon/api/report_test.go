package api

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/report"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/store/sqlite"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// reportServer serves reports from a real SQLite store holding two tickets
// created on 2026-11-16 (engineering, acknowledged after 5 minutes) and
// 2026-11-17 (service, response breached).
func reportServer(t *testing.T) *testServer {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	day := time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)
	for i, dept := range []string{"engineering", "service"} {
		c := day.AddDate(0, 0, i)
		tk, _, _, err := st.Create(context.Background(), ticket.Ticket{Kind: ticket.KindRepair, Category: "valve",
			Title: "t", Department: dept, Status: ticket.StatusNew, CreatedAt: c}, []ticket.Event{
			ticket.NewEvent(ticket.EventCreated, "agent", c, nil),
			ticket.NewEvent(ticket.EventRouted, "router", c, map[string]string{"department": dept}),
		}, store.Idempotency{})
		if err != nil {
			t.Fatal(err)
		}
		ev := ticket.NewEvent(ticket.EventStatus, "x", c.Add(5*time.Minute), ticket.StatusData{From: ticket.StatusNew, To: ticket.StatusAcknowledged})
		if dept == "service" {
			ev = ticket.NewEvent(ticket.EventSLABreached, "sla", c.Add(15*time.Minute), ticket.SLAData{Target: "response", DueAt: c.Add(15 * time.Minute)})
		}
		if _, _, err := st.Update(context.Background(), tk.ID, func(*ticket.Ticket) ([]ticket.Event, error) {
			return []ticket.Event{ev}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return startServer(t, &fakeDesk{}, func(o *Options) {
		o.Reports = func(ctx context.Context, from, to time.Time, by string) (any, error) {
			return report.SLA(ctx, st, from, to, by)
		}
	})
}

func reportPath(from, to, by string) string {
	q := url.Values{}
	for k, v := range map[string]string{"from": from, "to": to, "by": by} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return "/api/v1/reports/sla?" + q.Encode()
}

func TestSLAReport(t *testing.T) {
	s := reportServer(t)
	tests := []struct {
		by     string
		groups []string
	}{
		{"", []string{"engineering", "service"}},
		{"department", []string{"engineering", "service"}},
		{"assignee", []string{"(unassigned)"}},
	}
	for _, tc := range tests {
		t.Run("by="+tc.by, func(t *testing.T) {
			r := s.do(t, "GET", reportPath("2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z", tc.by), "")
			if r.status != http.StatusOK {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var rep report.Report
			r.decode(t, &rep)
			var names []string
			for _, g := range rep.Groups {
				names = append(names, g.Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.groups, ",") {
				t.Errorf("groups %v, want %v", names, tc.groups)
			}
			if rep.Total.Received != 2 || rep.Total.Response.Breached != 1 || rep.Total.TimeToRespond.Count != 1 ||
				*rep.Total.TimeToRespond.MedianSeconds != 300 || len(rep.Total.Breaches) != 1 {
				t.Errorf("total %+v", rep.Total)
			}
		})
	}
	// A period holding only the second ticket.
	r := s.do(t, "GET", reportPath("2026-11-17T00:00:00+08:00", "2026-11-18T00:00:00+08:00", ""), "")
	var rep report.Report
	r.decode(t, &rep)
	if rep.Total.Received != 1 || rep.Groups[0].Name != "service" {
		t.Errorf("one day: %s", r.body)
	}
}

func TestSLAReportBadParameters(t *testing.T) {
	s := reportServer(t)
	const from, to = "2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z"
	tests := []struct {
		name, path, want string
	}{
		{"no from", reportPath("", to, ""), "from: is required"},
		{"no to", reportPath(from, "", ""), "to: is required"},
		{"a date, not RFC 3339", reportPath("2026-11-16", to, ""), `from: invalid time "2026-11-16"`},
		{"bad to", reportPath(from, "next week", ""), `to: invalid time "next week"`},
		{"from after to", reportPath(to, from, ""), "from: must be before to"},
		{"from equals to", reportPath(from, from, ""), "from: must be before to"},
		{"bad by", reportPath(from, to, "tier"), `by: unknown grouping "tier"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := s.do(t, "GET", tc.path, "")
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			if e := r.err(t); e.Code != "invalid_request" || !strings.HasPrefix(e.Message, tc.want) {
				t.Errorf("error %+v, want message starting %q", e, tc.want)
			}
		})
	}
	if r := s.do(t, "POST", reportPath(from, to, ""), ""); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d", r.status)
	}
	if r := s.do(t, "GET", reportPath(from, to, ""), "", "Authorization", ""); r.status != http.StatusUnauthorized {
		t.Errorf("no token: status %d", r.status)
	}
}

func TestSLAReportUnavailable(t *testing.T) {
	s := startServer(t, &fakeDesk{})
	r := s.do(t, "GET", reportPath("2026-11-16T00:00:00Z", "2026-11-23T00:00:00Z", ""), "")
	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("status %d", r.status)
	}
}
