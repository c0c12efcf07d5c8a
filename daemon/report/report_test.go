package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/report"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/store/sqlite"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

var cst = time.FixedZone("CST", 8*3600)

// at reads "11-16 09:05" as a time in November 2026, China Standard Time.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", "2026-"+s, cst)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// step is one event of a fixture ticket: "ack", "assign:NAME",
// "status:STATUS", "met:TARGET", "breach:TARGET", "repeat".
type step struct {
	at string
	do string
}

type fixture struct {
	t  *testing.T
	st store.Store
}

// add stores a ticket created at created in dept with the given steps as
// its history, and returns its ID.
func (f *fixture) add(kind ticket.Kind, dept, created string, steps ...step) string {
	t := f.t
	t.Helper()
	ctx := context.Background()
	c := at(t, created)
	tk := ticket.Ticket{Kind: kind, Category: "valve", Title: "fixture", Status: ticket.StatusNew,
		Department: dept, CreatedAt: c, UpdatedAt: c}
	stored, _, _, err := f.st.Create(ctx, tk, []ticket.Event{
		ticket.NewEvent(ticket.EventCreated, "agent", c, nil),
		ticket.NewEvent(ticket.EventRouted, "router", c, map[string]string{"department": dept}),
	}, store.Idempotency{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		when := at(t, s.at)
		verb, arg, _ := strings.Cut(s.do, ":")
		_, _, err := f.st.Update(ctx, stored.ID, func(tk *ticket.Ticket) ([]ticket.Event, error) {
			switch verb {
			case "status":
				from := tk.Status
				tk.Status = ticket.Status(arg)
				return []ticket.Event{ticket.NewEvent(ticket.EventStatus, "x", when, ticket.StatusData{From: from, To: tk.Status})}, nil
			case "assign":
				d := map[string]string{"to": arg}
				if tk.Assignee != "" {
					d["from"] = tk.Assignee
				}
				tk.Assignee = arg
				return []ticket.Event{ticket.NewEvent(ticket.EventAssigned, "x", when, d)}, nil
			case "met":
				return []ticket.Event{ticket.NewEvent(ticket.EventSLAMet, "sla", when, ticket.SLAData{Target: arg, DueAt: when})}, nil
			case "breach":
				return []ticket.Event{ticket.NewEvent(ticket.EventSLABreached, "sla", when, ticket.SLAData{Target: arg, DueAt: when})}, nil
			case "repeat":
				return []ticket.Event{ticket.NewEvent(ticket.EventRepeat, "repeat", when, ticket.RepeatData{Count: 3})}, nil
			}
			return nil, errors.New("bad step " + s.do)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return stored.ID
}

// newFixture builds the hand-counted week of 2026-11-16 (Monday) to
// 2026-11-23, China Standard Time. Received counts tickets created in the
// week; every other figure counts events that happened in the week,
// whatever the ticket's creation date:
//
//	SB-1 engineering 11-15 20:00  before the week, no event in it: not counted
//	SB-2 engineering Mon 09:00    ack 09:05 (5m), Chen; resolved 10:00 (1h); both met
//	SB-3 engineering Mon 10:00    response breached 10:15 (nobody held it);
//	                              ack 10:20 (20m), Chen; resolved Tue 10:00 (24h), met
//	SB-4 engineering Wed 09:00    repeat; ack 09:10 (10m), Wang, met;
//	                              resolution breached 11:00 (Wang); open
//	SB-5 service     Thu 09:00    repeat; ack 09:02 (2m), Li, met; resolved 12:00 (3h), met
//	SB-6 engineering Fri 09:00    ack 09:05 (5m), Chen, met; reassigned to Wang 10:00;
//	                              resolution breached 11:00 (Wang); resolved 12:00 (3h)
//	SB-7 service     Sun 23:00    response breached 23:30 (nobody); after the week
//	                              (counted in the next): ack Mon 00:30 (1h30m), Li,
//	                              resolved 09:00 (10h), met
//	SB-8 engineering Mon 11-23 01:00: after the week (next week: ack 01:05, 5m)
//	SB-9 engineering Thu 11-12 16:00, the week before: not received; before
//	                              the week ack 16:10, Zhao, met (not counted);
//	                              in it resolution breached Tue 11-17 16:00
//	                              (Zhao), reassigned to Wang Wed 09:00,
//	                              resolved Wed 11-18 12:00 (140h), all counted
//	SB-10 service    Sun 20:00    received; ack 20:05 (5m), Li, met; after the
//	                              week (counted in the next): resolution
//	                              breached Mon 11-23 08:00 (Li), resolved 10:00 (14h)
func newFixture(t *testing.T) store.Store {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "report.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{t: t, st: st}
	f.add(ticket.KindRepair, "engineering", "11-15 20:00", step{"11-15 20:05", "status:dispatched"}, step{"11-15 20:06", "status:acknowledged"})
	f.add(ticket.KindRepair, "engineering", "11-16 09:00",
		step{"11-16 09:01", "status:dispatched"}, step{"11-16 09:05", "status:acknowledged"}, step{"11-16 09:05", "assign:Chen"},
		step{"11-16 09:05", "met:response"}, step{"11-16 09:10", "status:in_progress"},
		step{"11-16 10:00", "status:resolved"}, step{"11-16 10:00", "met:resolution"})
	f.add(ticket.KindRepair, "engineering", "11-16 10:00",
		step{"11-16 10:01", "status:dispatched"}, step{"11-16 10:15", "breach:response"},
		step{"11-16 10:20", "status:acknowledged"}, step{"11-16 10:20", "assign:Chen"},
		step{"11-17 10:00", "status:resolved"}, step{"11-17 10:00", "met:resolution"})
	f.add(ticket.KindComplaint, "engineering", "11-18 09:00",
		step{"11-18 09:00", "repeat"}, step{"11-18 09:10", "status:acknowledged"}, step{"11-18 09:10", "assign:Wang"},
		step{"11-18 09:10", "met:response"}, step{"11-18 11:00", "breach:resolution"})
	f.add(ticket.KindComplaint, "service", "11-19 09:00",
		step{"11-19 09:00", "repeat"}, step{"11-19 09:02", "status:acknowledged"}, step{"11-19 09:02", "assign:Li"},
		step{"11-19 09:02", "met:response"}, step{"11-19 12:00", "status:resolved"}, step{"11-19 12:00", "met:resolution"})
	f.add(ticket.KindRepair, "engineering", "11-20 09:00",
		step{"11-20 09:05", "status:acknowledged"}, step{"11-20 09:05", "assign:Chen"}, step{"11-20 09:05", "met:response"},
		step{"11-20 10:00", "assign:Wang"}, step{"11-20 11:00", "breach:resolution"}, step{"11-20 12:00", "status:resolved"})
	f.add(ticket.KindRequest, "service", "11-22 23:00",
		step{"11-22 23:30", "breach:response"}, step{"11-23 00:30", "status:acknowledged"}, step{"11-23 00:30", "assign:Li"},
		step{"11-23 09:00", "status:resolved"}, step{"11-23 09:00", "met:resolution"})
	f.add(ticket.KindRepair, "engineering", "11-23 01:00", step{"11-23 01:05", "status:acknowledged"})
	f.add(ticket.KindRepair, "engineering", "11-12 16:00",
		step{"11-12 16:10", "status:acknowledged"}, step{"11-12 16:10", "assign:Zhao"}, step{"11-12 16:10", "met:response"},
		step{"11-17 16:00", "breach:resolution"}, step{"11-18 09:00", "assign:Wang"},
		step{"11-18 12:00", "status:resolved"})
	f.add(ticket.KindRequest, "service", "11-22 20:00",
		step{"11-22 20:05", "status:acknowledged"}, step{"11-22 20:05", "assign:Li"}, step{"11-22 20:05", "met:response"},
		step{"11-23 08:00", "breach:resolution"}, step{"11-23 10:00", "status:resolved"})
	return st
}

func pct(v float64) *float64 { return &v }

func dur(n int, median, p90 float64) report.Durations {
	if n == 0 {
		return report.Durations{}
	}
	return report.Durations{Count: n, MedianSeconds: &median, P90Seconds: &p90}
}

func breach(t *testing.T, id, target, when, dept, who string) report.Breach {
	w := at(t, when).UTC()
	return report.Breach{TicketID: id, Target: target, DueAt: w, BreachedAt: w, Department: dept, Assignee: who}
}

func TestSLAHandCounted(t *testing.T) {
	st := newFixture(t)
	from, to := at(t, "11-16 00:00"), at(t, "11-23 00:00")
	b3 := breach(t, "SB-3", "response", "11-16 10:15", "engineering", "")
	b4 := breach(t, "SB-4", "resolution", "11-18 11:00", "engineering", "Wang")
	b6 := breach(t, "SB-6", "resolution", "11-20 11:00", "engineering", "Wang")
	b7 := breach(t, "SB-7", "response", "11-22 23:30", "service", "")
	// SB-9 was created the week before and breached this week in Zhao's hands.
	b9 := breach(t, "SB-9", "resolution", "11-17 16:00", "engineering", "Zhao")
	// Against the figures before SB-9 and SB-10 were added: SB-10 is
	// received (7, was 6) and met its response (5/2, was 4/2; respond 6
	// values, was 5); SB-9 adds a resolution (5, was 4; resolve 140h is the
	// new p90, was 24h), a breached resolution (3/3, was 3/2) and b9. SB-10's
	// breach (11-23 08:00) falls after the week: not here.
	total := report.Group{Name: "total", Received: 7, Resolved: 5,
		Response:         report.Compliance{Met: 5, Breached: 2, Percent: pct(71.4)},
		Resolution:       report.Compliance{Met: 3, Breached: 3, Percent: pct(50)},
		Breaches:         []report.Breach{b3, b9, b4, b6, b7},
		TimeToRespond:    dur(6, 300, 1200),
		TimeToResolve:    dur(5, 10800, 504000),
		RepeatComplaints: 2,
	}
	tests := []struct {
		by     string
		groups []report.Group
	}{
		{"department", []report.Group{
			// SB-9 is not received (still 4) but its resolution (4, was
			// 3; resolve p90 140h, was 24h) and breach (2/3, was 2/2)
			// are counted; its response was met the week before.
			{Name: "engineering", Received: 4, Resolved: 4,
				Response:         report.Compliance{Met: 3, Breached: 1, Percent: pct(75)},
				Resolution:       report.Compliance{Met: 2, Breached: 3, Percent: pct(40)},
				Breaches:         []report.Breach{b3, b9, b4, b6},
				TimeToRespond:    dur(4, 300, 1200),
				TimeToResolve:    dur(4, 10800, 504000),
				RepeatComplaints: 1},
			// SB-10 is received (3, was 2) and met its response (2/1,
			// was 1/1; respond p90 5m, was 2m); its breach is next week's.
			{Name: "service", Received: 3, Resolved: 1,
				Response:         report.Compliance{Met: 2, Breached: 1, Percent: pct(66.7)},
				Resolution:       report.Compliance{Met: 1, Percent: pct(100)},
				Breaches:         []report.Breach{b7},
				TimeToRespond:    dur(2, 120, 300),
				TimeToResolve:    dur(1, 10800, 10800),
				RepeatComplaints: 1},
		}},
		{"assignee", []report.Group{
			// Nobody held SB-3 and SB-7 when they breached.
			{Name: "(unassigned)", Received: 1,
				Response: report.Compliance{Breached: 1, Percent: pct(0)},
				Breaches: []report.Breach{b3, b7}},
			{Name: "Chen", Received: 2, Resolved: 2,
				Response:      report.Compliance{Met: 1, Breached: 1, Percent: pct(50)},
				Resolution:    report.Compliance{Met: 2, Percent: pct(100)},
				Breaches:      []report.Breach{},
				TimeToRespond: dur(2, 300, 1200),
				TimeToResolve: dur(2, 3600, 86400)},
			// SB-10 is Li's: received (2, was 1), response met (2, was
			// 1; respond p90 5m, was 2m); its breach is next week's.
			{Name: "Li", Received: 2, Resolved: 1,
				Response:         report.Compliance{Met: 2, Percent: pct(100)},
				Resolution:       report.Compliance{Met: 1, Percent: pct(100)},
				Breaches:         []report.Breach{},
				TimeToRespond:    dur(2, 120, 300),
				TimeToResolve:    dur(1, 10800, 10800),
				RepeatComplaints: 1},
			// SB-6 was Chen's until 10:00 and breached in Wang's hands.
			// SB-9 is Wang's at the week's end: its resolution (2, was 1;
			// resolve p90 140h, was 3h) and breached resolution (3, was
			// 2) count here, its breach under Zhao.
			{Name: "Wang", Received: 2, Resolved: 2,
				Response:         report.Compliance{Met: 2, Percent: pct(100)},
				Resolution:       report.Compliance{Breached: 3, Percent: pct(0)},
				Breaches:         []report.Breach{b4, b6},
				TimeToRespond:    dur(2, 300, 600),
				TimeToResolve:    dur(2, 10800, 504000),
				RepeatComplaints: 1},
			// New: Zhao held SB-9 when it breached, and holds nothing now.
			{Name: "Zhao", Breaches: []report.Breach{b9}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.by, func(t *testing.T) {
			rep, err := report.SLA(context.Background(), st, from, to, tc.by)
			if err != nil {
				t.Fatal(err)
			}
			if rep.By != tc.by || !rep.From.Equal(from) || !rep.To.Equal(to) {
				t.Errorf("header %s %v %v", rep.By, rep.From, rep.To)
			}
			if len(rep.Groups) != len(tc.groups) {
				t.Fatalf("groups %d, want %d: %+v", len(rep.Groups), len(tc.groups), rep.Groups)
			}
			for i, want := range tc.groups {
				diff(t, want.Name, rep.Groups[i], want)
			}
			diff(t, "total", rep.Total, total)
		})
	}
}

// TestSLANextWeek reads the week after the fixture's: the events of tickets
// created the week before (SB-7, SB-10) are counted now, but not received.
func TestSLANextWeek(t *testing.T) {
	st := newFixture(t)
	from, to := at(t, "11-23 00:00"), at(t, "11-30 00:00")
	// SB-10 breached Monday 08:00 in Li's hands.
	b10 := breach(t, "SB-10", "resolution", "11-23 08:00", "service", "Li")
	tests := []struct {
		by     string
		groups []report.Group
		total  report.Group
	}{
		{"department", []report.Group{
			{Name: "engineering", Received: 1, TimeToRespond: dur(1, 300, 300)},
			// SB-7 and SB-10: received last week; SB-7's response
			// breach and SB-10's response met were last week's.
			{Name: "service", Resolved: 2,
				Resolution:    report.Compliance{Met: 1, Breached: 1, Percent: pct(50)},
				Breaches:      []report.Breach{b10},
				TimeToRespond: dur(1, 5400, 5400),
				TimeToResolve: dur(2, 36000, 50400)},
		}, report.Group{Name: "total", Received: 1, Resolved: 2,
			Resolution:    report.Compliance{Met: 1, Breached: 1, Percent: pct(50)},
			Breaches:      []report.Breach{b10},
			TimeToRespond: dur(2, 300, 5400),
			TimeToResolve: dur(2, 36000, 50400)}},
		{"assignee", []report.Group{
			{Name: "(unassigned)", Received: 1, TimeToRespond: dur(1, 300, 300)},
			{Name: "Li", Resolved: 2,
				Resolution:    report.Compliance{Met: 1, Breached: 1, Percent: pct(50)},
				Breaches:      []report.Breach{b10},
				TimeToRespond: dur(1, 5400, 5400),
				TimeToResolve: dur(2, 36000, 50400)},
		}, report.Group{Name: "total", Received: 1, Resolved: 2,
			Resolution:    report.Compliance{Met: 1, Breached: 1, Percent: pct(50)},
			Breaches:      []report.Breach{b10},
			TimeToRespond: dur(2, 300, 5400),
			TimeToResolve: dur(2, 36000, 50400)}},
	}
	for _, tc := range tests {
		t.Run(tc.by, func(t *testing.T) {
			rep, err := report.SLA(context.Background(), st, from, to, tc.by)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Groups) != len(tc.groups) {
				t.Fatalf("groups %d, want %d: %+v", len(rep.Groups), len(tc.groups), rep.Groups)
			}
			for i, want := range tc.groups {
				diff(t, want.Name, rep.Groups[i], want)
			}
			diff(t, "total", rep.Total, tc.total)
		})
	}
}

// TestSLALookback: a ticket created more than Lookback before the period
// is not read, even if it breaches in the period; one created just within
// is.
func TestSLALookback(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "report.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{t: t, st: st}
	from, to := at(t, "11-16 00:00"), at(t, "11-23 00:00")
	edge := from.Add(-report.Lookback)
	fmtAt := func(v time.Time) string { return v.In(cst).Format("01-02 15:04") }
	f.add(ticket.KindRepair, "old", fmtAt(edge.Add(-2*time.Hour)), step{"11-17 09:00", "breach:resolution"})
	f.add(ticket.KindRepair, "within", fmtAt(edge), step{"11-17 10:00", "breach:resolution"})
	rep, err := report.SLA(context.Background(), st, from, to, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Groups) != 1 || rep.Groups[0].Name != "within" || len(rep.Total.Breaches) != 1 ||
		rep.Total.Received != 0 || rep.Total.Resolution.Breached != 1 {
		t.Fatalf("lookback: %+v", rep)
	}
}

func diff(t *testing.T, name string, got, want report.Group) {
	t.Helper()
	if want.Breaches == nil {
		want.Breaches = []report.Breach{}
	}
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := 0; i < gv.NumField(); i++ {
		if !gv.Type().Field(i).IsExported() {
			continue
		}
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		same := reflect.DeepEqual(g, w)
		if _, ok := g.([]report.Breach); ok {
			same = show(g) == show(w) // times compared as instants
		}
		if !same {
			t.Errorf("%s: %s = %s, want %s", name, gv.Type().Field(i).Name, show(g), show(w))
		}
	}
}

func show(v any) string {
	var b strings.Builder
	switch x := v.(type) {
	case report.Durations:
		return strings.Join([]string{itoa(x.Count), num(x.MedianSeconds), num(x.P90Seconds)}, "/")
	case report.Compliance:
		return strings.Join([]string{itoa(x.Met), itoa(x.Breached), num(x.Percent)}, "/")
	case []report.Breach:
		for _, br := range x {
			b.WriteString(br.TicketID + " " + br.Target + " " + br.BreachedAt.Format(time.RFC3339) + " " + br.Department + "/" + br.Assignee + "; ")
		}
		return "[" + b.String() + "]"
	}
	return fmt.Sprintf("%+v", v)
}

func itoa(n int) string { return strconv.Itoa(n) }

func num(v *float64) string {
	if v == nil {
		return "null"
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func TestSLARejectsBadInput(t *testing.T) {
	st := newFixture(t)
	from, to := at(t, "11-16 00:00"), at(t, "11-23 00:00")
	tests := []struct {
		name     string
		from, to time.Time
		by       string
		field    string
	}{
		{"unknown grouping", from, to, "tier", "by"},
		{"empty period", from, from, "department", "from"},
		{"reversed period", to, from, "", "from"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := report.SLA(context.Background(), st, tc.from, tc.to, tc.by)
			var fe *ticket.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("err = %v, want a FieldError on %q", err, tc.field)
			}
		})
	}
}

func TestSLAEmptyPeriodAndPaging(t *testing.T) {
	st := newFixture(t)
	rep, err := report.SLA(context.Background(), st, at(t, "10-01 00:00"), at(t, "10-08 00:00"), "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.By != "department" || len(rep.Groups) != 0 || rep.Total.Received != 0 || rep.Total.Response.Percent != nil ||
		rep.Total.TimeToRespond.MedianSeconds != nil {
		t.Fatalf("empty period: %+v", rep)
	}
}

func TestWriteCSV(t *testing.T) {
	st := newFixture(t)
	from, to := at(t, "11-16 00:00"), at(t, "11-23 00:00")
	dep, err := report.SLA(context.Background(), st, from, to, "department")
	if err != nil {
		t.Fatal(err)
	}
	asg, err := report.SLA(context.Background(), st, from, to, "assignee")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.WriteCSV(&buf, dep, asg); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// header + (2 groups + total) + (5 groups + total)
	if len(rows) != 1+3+6 {
		t.Fatalf("%d rows:\n%v", len(rows), rows)
	}
	if !reflect.DeepEqual(rows[0], report.CSVHeader) {
		t.Errorf("header %v", rows[0])
	}
	want := []string{"2026-11-16T00:00:00+08:00", "2026-11-23T00:00:00+08:00", "department", "engineering",
		"4", "4", "3", "1", "75", "2", "3", "40", "300", "1200", "10800", "504000", "1", "4",
		"SB-3 response (unassigned); SB-9 resolution (Zhao); SB-4 resolution (Wang); SB-6 resolution (Wang)"}
	if !reflect.DeepEqual(rows[1], want) {
		t.Errorf("engineering row\n got %q\nwant %q", rows[1], want)
	}
	if r := rows[4]; r[2] != "assignee" || r[3] != "(unassigned)" || r[11] != "" || r[12] != "" {
		t.Errorf("unassigned row %q: want empty resolution percentage and respond median", r)
	}
}

// TestSLAsMatchesSLA: both groupings from one read equal SLA's, one by one.
func TestSLAsMatchesSLA(t *testing.T) {
	st := newFixture(t)
	from, to := at(t, "11-16 00:00"), at(t, "11-23 00:00")
	reps, err := report.SLAs(context.Background(), st, from, to, report.ByDepartment, report.ByAssignee)
	if err != nil {
		t.Fatal(err)
	}
	for i, by := range []string{report.ByDepartment, report.ByAssignee} {
		want, err := report.SLA(context.Background(), st, from, to, by)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(reps[i], want) {
			t.Errorf("%s: SLAs gave %s, SLA %s", by, show(reps[i]), show(want))
		}
	}
	if _, err := report.SLAs(context.Background(), st, from, to, report.ByDepartment, "floor"); err == nil {
		t.Error("unknown grouping: no error")
	}
}
