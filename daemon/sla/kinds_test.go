package sla_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// want is one planned target: its deadline and warning.
type want struct {
	name      string
	due, warn time.Time
}

// selector picks a policy of issue4.toml by ticket fields.
type selector struct {
	kind                     ticket.Kind
	category, severity, tier string
}

var (
	complaint    = selector{ticket.KindComplaint, "noise", "minor", "general"}
	vipComplaint = selector{ticket.KindComplaint, "noise", "minor", "vip"}
	customerQ    = selector{ticket.KindRequest, "customer_query", "minor", "general"}
	hamburg36    = selector{ticket.KindRequest, "hamburg_36h", "minor", "general"}
	invoice      = selector{ticket.KindRequest, "invoice_correction", "minor", "member"}
	minorRepair  = selector{ticket.KindRepair, "valve", "minor", "general"}
	seriousRep   = selector{ticket.KindRepair, "boiler", "serious", "general"}
	majorRepair  = selector{ticket.KindRepair, "boiler", "major", "general"}
	monthlyBill  = selector{ticket.KindRequest, "monthly_bill", "minor", "general"}
	voyageBill   = selector{ticket.KindRequest, "voyage_bill", "minor", "general"}
	handover     = selector{ticket.KindRequest, "handover", "minor", "general"}
	vipArrival   = selector{ticket.KindRequest, "vip_arrival", "minor", "vip"}
	consult      = selector{ticket.KindRequest, "consult", "critical", "general"}
	officeFix    = selector{ticket.KindRequest, "office_fix", "minor", "general"}
)

func (s selector) ticket() *ticket.Ticket { return newTicket(s.kind, s.category, s.severity, s.tier) }

func ptr(t time.Time) *time.Time { return &t }

// Every kind of target of issue #4, on the desk's calendars, across lunch
// breaks, nights, weekends, holidays, make-up days, month and year ends and
// both Europe/Berlin daylight-saving changes. Times are local to the
// calendar's zone. The day-based kinds (same_day, next_business_day,
// business_days) run on business time like after_business: they warn at 0.8
// of the working time between start and deadline, counted forward through
// the working intervals (office: 09:00-12:00 and 13:30-18:00, 7h30m a day;
// hamburg: 08:00-17:00, 9h; campus: 07:00-23:00, 16h). day_of_month and
// event_offset warn at 0.8 of their real span.
func TestPlanKinds(t *testing.T) {
	e := issueEngine(t, nil, nil)
	tests := []struct {
		name    string
		sel     selector
		start   time.Time
		eventAt *time.Time
		policy  string
		kinds   []string
		targets []want
	}{
		// complaint.standard, office: response 30m business, resolution 3 business days.
		{"office across lunch", complaint, sh("2026-03-02 11:50"), nil, "complaint.standard",
			[]string{sla.KindAfterBusiness, sla.KindBusinessDays}, []want{
				{"response", sh("2026-03-02 13:50"), sh("2026-03-02 13:44")},
				// Mon 4h40m + Tue, Wed, Thu 7h30m = 27h10m business × 0.8 = 21h44m:
				// Mon 4h40m + Tue 7h30m + Wed 7h30m + Thu 2h04m → Thu 11:04.
				{"resolution", sh("2026-03-05 18:00"), sh("2026-03-05 11:04")},
			}},
		{"office across a night and a weekend", complaint, sh("2026-03-06 17:50"), nil, "complaint.standard", nil, []want{
			{"response", sh("2026-03-09 09:20"), sh("2026-03-09 09:14")},
			// Fri 10m + Mon, Tue, Wed 7h30m = 22h40m business × 0.8 = 18h08m:
			// Fri 10m + Mon 7h30m + Tue 7h30m + Wed 2h58m → Wed 11:58.
			{"resolution", sh("2026-03-11 18:00"), sh("2026-03-11 11:58")},
		}},
		{"office from a Saturday", complaint, sh("2026-03-07 10:00"), nil, "complaint.standard", nil, []want{
			{"response", sh("2026-03-09 09:30"), sh("2026-03-09 09:24")},
			// Mon, Tue, Wed 7h30m = 22h30m business × 0.8 = 18h:
			// Mon 7h30m + Tue 7h30m + Wed 3h → Wed 12:00 (the morning's end).
			{"resolution", sh("2026-03-11 18:00"), sh("2026-03-11 12:00")},
		}},
		{"office before National Day, make-up Saturday counts", complaint, sh("2026-09-30 17:45"), nil, "complaint.standard", nil, []want{
			{"response", sh("2026-10-08 09:15"), sh("2026-10-08 09:09")},
			// Wed 15m + Thu 10-08, Fri 10-09, Sat 10-10 7h30m = 22h45m business
			// × 0.8 = 18h12m: Wed 15m + Thu 7h30m + Fri 7h30m + Sat 2h57m → Sat 11:57.
			{"resolution", sh("2026-10-10 18:00"), sh("2026-10-10 11:57")},
		}},
		{"office into the Spring Festival make-up Saturday", complaint, sh("2026-02-13 17:40"), nil, "complaint.standard", nil, []want{
			{"response", sh("2026-02-14 09:10"), sh("2026-02-14 09:04")},
			// Fri 20m + Sat 02-14, Tue 02-24, Wed 02-25 7h30m = 22h50m business
			// × 0.8 = 18h16m: Fri 20m + Sat 7h30m + Tue 7h30m + Wed 2h56m → Wed 11:56.
			{"resolution", sh("2026-02-25 18:00"), sh("2026-02-25 11:56")},
		}},
		{"office at the year's end", complaint, sh("2026-12-31 17:00"), nil, "complaint.standard", nil, []want{
			{"response", sh("2026-12-31 17:30"), sh("2026-12-31 17:24")},
			// Thu 1h + Mon 01-04, Tue, Wed 7h30m (Fri 01-01 a holiday) = 23h30m
			// business × 0.8 = 18h48m: Thu 1h + Mon 7h30m + Tue 7h30m + Wed 2h48m
			// → Wed 11:48.
			{"resolution", sh("2027-01-06 18:00"), sh("2027-01-06 11:48")},
		}},
		{"vip tier picks complaint.vip", vipComplaint, sh("2026-03-02 11:55"), nil, "complaint.vip", nil, []want{
			{"response", sh("2026-03-02 13:35"), sh("2026-03-02 13:33")},
			// Mon 4h35m + Tue 7h30m = 12h05m business × 0.8 = 9h40m:
			// Mon 4h35m + Tue 3h (09:00-12:00) + 2h05m from 13:30 → Tue 15:35.
			{"resolution", sh("2026-03-03 18:00"), sh("2026-03-03 15:35")},
		}},

		// tally.customer_query, hamburg: 2h business, 2 business days; across DST.
		{"hamburg over the spring-forward weekend", customerQ, be("2026-03-27 16:00"), nil, "tally.customer_query", nil, []want{
			{"response", be("2026-03-30 09:00"), be("2026-03-30 08:36")},
			// Fri 1h + Mon 9h + Tue 9h = 19h business × 0.8 = 15h12m:
			// Fri 1h + Mon 9h + Tue 5h12m → Tue 13:12.
			{"resolution", be("2026-03-31 17:00"), be("2026-03-31 13:12")},
		}},
		{"hamburg over the fall-back weekend", customerQ, be("2026-10-23 16:30"), nil, "tally.customer_query", nil, []want{
			{"response", be("2026-10-26 09:30"), be("2026-10-26 09:06")},
			// Fri 30m + Mon 9h + Tue 9h = 18h30m business × 0.8 = 14h48m:
			// Fri 30m + Mon 9h + Tue 5h18m → Tue 13:18.
			{"resolution", be("2026-10-27 17:00"), be("2026-10-27 13:18")},
		}},
		// 36 real hours: an hour more of wall clock in spring, one less in autumn.
		{"36h calendar across spring-forward", hamburg36, be("2026-03-28 12:00"), nil, "test.hamburg_36h",
			[]string{sla.KindAfterCalendar}, []want{
				{"resolution", be("2026-03-30 01:00"), utc("2026-03-29 15:48")},
			}},
		{"36h calendar across fall-back", hamburg36, be("2026-10-24 12:00"), nil, "test.hamburg_36h", nil, []want{
			{"resolution", be("2026-10-25 23:00"), utc("2026-10-25 14:48")},
		}},
		{"invoice correction, 36h on always", invoice, utc("2026-03-02 08:00"), nil, "finance.invoice_correction", nil, []want{
			{"resolution", utc("2026-03-03 20:00"), utc("2026-03-03 12:48")},
		}},
		{"emergency consult, 10 real minutes", consult, utc("2026-03-02 08:00"), nil, "emergency.consult", nil, []want{
			{"response", utc("2026-03-02 08:10"), utc("2026-03-02 08:08")},
		}},

		// campus, every day 07:00-23:00.
		{"campus across the night", minorRepair, sh("2026-03-02 22:50"), nil, "repair.minor", nil, []want{
			{"response", sh("2026-03-03 07:05"), sh("2026-03-03 07:02")},
			{"resolution", sh("2026-03-03 08:50"), sh("2026-03-03 08:26")},
		}},
		{"same_day just before the cut-off", seriousRep, sh("2026-03-02 13:59"), nil, "repair.serious",
			[]string{sla.KindAfterBusiness, sla.KindSameDay}, []want{
				{"response", sh("2026-03-02 14:14"), sh("2026-03-02 14:11")},
				// 4h01m business × 0.8 = 3h12m48s → 17:11:48.
				{"resolution", sh("2026-03-02 18:00"), sh("2026-03-02 17:11:48")},
			}},
		{"same_day at the cut-off", seriousRep, sh("2026-03-02 14:00"), nil, "repair.serious", nil, []want{
			{"response", sh("2026-03-02 14:15"), sh("2026-03-02 14:12")},
			// 4h business × 0.8 = 3h12m → 17:12.
			{"resolution", sh("2026-03-02 18:00"), sh("2026-03-02 17:12")},
		}},
		{"same_day after the cut-off", seriousRep, sh("2026-03-02 14:01"), nil, "repair.serious", nil, []want{
			{"response", sh("2026-03-02 14:16"), sh("2026-03-02 14:13")},
			// Mon 14:01-23:00 8h59m + Tue 07:00-18:00 11h = 19h59m business
			// × 0.8 = 15h59m12s: Mon 8h59m + Tue 7h00m12s → Tue 14:00:12.
			{"resolution", sh("2026-03-03 18:00"), sh("2026-03-03 14:00:12")},
		}},
		{"same_day before opening", seriousRep, sh("2026-03-03 06:00"), nil, "repair.serious", nil, []want{
			{"response", sh("2026-03-03 07:15"), sh("2026-03-03 07:12")},
			// 07:00-18:00 = 11h business (not from 06:00) × 0.8 = 8h48m → 15:48.
			{"resolution", sh("2026-03-03 18:00"), sh("2026-03-03 15:48")},
		}},
		{"next_business_day", majorRepair, sh("2026-03-02 10:00"), nil, "repair.major",
			[]string{sla.KindAfterBusiness, sla.KindNextBusinessDay}, []want{
				{"response", sh("2026-03-02 10:15"), sh("2026-03-02 10:12")},
				// Mon 10:00-23:00 13h + Tue 07:00-18:00 11h = 24h business × 0.8
				// = 19h12m: Mon 13h + Tue 6h12m → Tue 13:12.
				{"resolution", sh("2026-03-03 18:00"), sh("2026-03-03 13:12")},
			}},
		{"next_business_day across the year's end", majorRepair, sh("2026-12-31 23:59"), nil, "repair.major", nil, []want{
			{"response", sh("2027-01-01 07:15"), sh("2027-01-01 07:12")},
			// Campus is closed at 23:59: 07:00-18:00 = 11h business × 0.8 =
			// 8h48m → 15:48 on New Year's Day.
			{"resolution", sh("2027-01-01 18:00"), sh("2027-01-01 15:48")},
		}},

		// day_of_month 10, office zone.
		{"day_of_month the minute before", monthlyBill, sh("2026-03-09 23:59"), nil, "finance.monthly_bill",
			[]string{sla.KindDayOfMonth}, []want{
				{"resolution", sh("2026-03-10 00:00"), sh("2026-03-09 23:59:48")},
			}},
		{"day_of_month on the day: next month", monthlyBill, sh("2026-03-10 00:00"), nil, "finance.monthly_bill", nil, []want{
			{"resolution", sh("2026-04-10 00:00"), sh("2026-03-10 00:00").Add(time.Duration(0.8 * float64(31*24*time.Hour)))},
		}},
		{"day_of_month across the year's end", monthlyBill, sh("2026-12-15 09:00"), nil, "finance.monthly_bill", nil, []want{
			{"resolution", sh("2027-01-10 00:00"), sh("2026-12-15 09:00").Add(time.Duration(0.8 * float64(sh("2027-01-10 00:00").Sub(sh("2026-12-15 09:00")))))},
		}},
		{"day_of_month from a month's end", monthlyBill, sh("2026-01-31 12:00"), nil, "finance.monthly_bill", nil, []want{
			{"resolution", sh("2026-02-10 00:00"), sh("2026-01-31 12:00").Add(time.Duration(0.8 * float64(sh("2026-02-10 00:00").Sub(sh("2026-01-31 12:00")))))},
		}},

		// event_offset.
		{"voyage bill a week after departure", voyageBill, utc("2026-03-02 08:00"), ptr(utc("2026-03-05 12:00")), "finance.voyage_bill",
			[]string{sla.KindEventOffset}, []want{
				{"resolution", utc("2026-03-12 12:00"), utc("2026-03-10 11:12")},
			}},
		{"handover an hour after completion", handover, utc("2026-03-02 08:00"), ptr(utc("2026-03-02 07:30")), "tally.handover", nil, []want{
			{"resolution", utc("2026-03-02 08:30"), utc("2026-03-02 08:24")},
		}},
		{"late handover request warns at its deadline", handover, utc("2026-03-02 08:00"), ptr(utc("2026-03-02 06:00")), "tally.handover", nil, []want{
			{"resolution", utc("2026-03-02 07:00"), utc("2026-03-02 07:00")},
		}},
		{"VIP arrival: checks before the event", vipArrival, utc("2026-03-02 08:00"), ptr(utc("2026-03-03 15:00")), "reception.vip", nil, []want{
			{"route_check", utc("2026-03-03 12:30"), utc("2026-03-03 06:48")},
			{"room_check", utc("2026-03-03 13:00"), utc("2026-03-03 07:12")},
			{"room_open", utc("2026-03-03 14:30"), utc("2026-03-03 08:24")},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := tt.sel.ticket()
			tk.EventAt = tt.eventAt
			if err := e.Plan(tk, tt.start); err != nil {
				t.Fatalf("Plan: %v", err)
			}
			if tk.Policy != tt.policy {
				t.Fatalf("Policy = %q, want %q", tk.Policy, tt.policy)
			}
			if len(tk.SLA) != len(tt.targets) {
				t.Fatalf("SLA has %d targets, want %d: %+v", len(tk.SLA), len(tt.targets), tk.SLA)
			}
			p, _ := e.Policy(tt.policy)
			wantCal := p.Calendar
			if wantCal == "" {
				wantCal = "always"
			}
			for i, w := range tt.targets {
				got := tk.SLA[i]
				if got.Name != w.name {
					t.Fatalf("target %d is %q, want %q", i, got.Name, w.name)
				}
				if !got.DueAt.Equal(w.due) {
					t.Errorf("%s due %s, want %s", w.name, got.DueAt.In(w.due.Location()), w.due)
				}
				if !got.WarnAt.Equal(w.warn) {
					t.Errorf("%s warn %s, want %s", w.name, got.WarnAt.In(w.warn.Location()), w.warn)
				}
				if tt.kinds != nil && got.Kind != tt.kinds[i] {
					t.Errorf("%s kind %q, want %q", w.name, got.Kind, tt.kinds[i])
				}
				if got.Calendar != wantCal || !got.Start.Equal(tt.start) || got.State != ticket.TargetPending {
					t.Errorf("%s: calendar %q start %s state %s, want %q %s pending", w.name, got.Calendar, got.Start, got.State, wantCal, tt.start)
				}
				if got.DueAt.Location() != time.UTC || got.WarnAt.Location() != time.UTC || got.Start.Location() != time.UTC {
					t.Errorf("%s: times not in UTC: %+v", w.name, got)
				}
			}
		})
	}
}

// A policy relative to event_at refuses a ticket without one, naming the
// field and the policy, so that the API answers 400.
func TestPlanNeedsEventAt(t *testing.T) {
	e := issueEngine(t, nil, nil)
	for _, sel := range []selector{voyageBill, handover, vipArrival} {
		tk := sel.ticket()
		err := e.Plan(tk, utc("2026-03-02 08:00"))
		var fe *ticket.FieldError
		if !errors.As(err, &fe) || fe.Field != "event_at" {
			t.Fatalf("%s: Plan error %v, want a FieldError on event_at", sel.category, err)
		}
		p, _ := e.Select(tk)
		if !strings.Contains(fe.Message, "is required by policy "+p.Name) {
			t.Errorf("message %q does not name policy %s", fe.Message, p.Name)
		}
		if tk.Policy != "" || tk.SLA != nil {
			t.Errorf("ticket planned despite the error: %q %+v", tk.Policy, tk.SLA)
		}
	}
}

// PlanPolicy plans by name; an unknown name is a FieldError on policy.
func TestPlanPolicy(t *testing.T) {
	e := issueEngine(t, nil, nil)
	tk := complaint.ticket() // would select complaint.standard
	if err := e.PlanPolicy(tk, "repair.major", sh("2026-03-02 10:00")); err != nil {
		t.Fatal(err)
	}
	if tk.Policy != "repair.major" || !tk.SLA[1].DueAt.Equal(sh("2026-03-03 18:00")) {
		t.Fatalf("planned %q %+v", tk.Policy, tk.SLA)
	}
	var fe *ticket.FieldError
	if err := e.PlanPolicy(tk, "repair.nope", sh("2026-03-02 10:00")); !errors.As(err, &fe) || fe.Field != "policy" ||
		!strings.Contains(fe.Message, `"repair.nope"`) {
		t.Fatalf("unknown policy: %v", err)
	}
}

// The delays of escalation levels run on the target's clock: 4h after the
// breach of a business target is 4 working hours.
func TestLevelDelayOnTargetClock(t *testing.T) {
	e := issueEngine(t, nil, nil)
	tk := officeFix.ticket()
	if err := e.Plan(tk, sh("2026-03-02 10:00")); err != nil {
		t.Fatal(err)
	}
	gm := func(name string) time.Time {
		cps := e.Checkpoints(*tk.Target(name))
		last := cps[len(cps)-1]
		if last.Level.Name != "general manager" {
			t.Fatalf("last checkpoint of %s is %+v", name, last)
		}
		return last.At
	}
	// resolution: 8h business from Monday 10:00 is Tuesday 10:30; 4
	// working hours later is Tuesday 16:00 (lunch 12:00-13:30).
	if got, want := gm("resolution"), sh("2026-03-03 16:00"); !got.Equal(want) {
		t.Errorf("resolution: general manager at %s, want %s", got.In(shanghai), want)
	}
	// callback: 4 real hours, due 14:00; 4 real hours later is 18:00.
	if got, want := gm("callback"), sh("2026-03-02 18:00"); !got.Equal(want) {
		t.Errorf("callback: general manager at %s, want %s", got.In(shanghai), want)
	}
}
