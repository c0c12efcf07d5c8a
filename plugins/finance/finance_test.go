package finance_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/plugins/finance"
	"github.com/switchboard-desk/switchboard/sdk"
	"github.com/switchboard-desk/switchboard/sdk/sdktest"
)

const dept = "finance"

const clerks = `{
	"clerks": {"invoice_correction": "He Jing", "monthly_bill": "Ma Lin", "voyage_bill": "Song Tao"},
	"default_clerk": "Zhou Qiang"
}`

func run(t *testing.T, settings string) (sdk.Client, *sdktest.Host) {
	t.Helper()
	h := sdktest.NewHost().ForDepartment(dept)
	c := sdktest.Run(t, finance.New(), sdktest.Options{Department: dept, Settings: json.RawMessage(settings), Host: h})
	return c, h
}

func TestHandleTicket(t *testing.T) {
	c, h := run(t, clerks)
	cst := time.FixedZone("CST", 8*3600)
	sailed := time.Date(2026, 5, 1, 22, 0, 0, 0, cst)
	tests := []struct {
		name         string
		ticket       sdk.Ticket
		wantAssignee string
		wantNote     string
	}{
		{"invoice correction with the number", sdk.Ticket{ID: "F-1", Kind: "request", Category: "invoice_correction", Fields: map[string]string{"invoice": "INV-2026-0042"}},
			"He Jing", "invoice correction of invoice INV-2026-0042: done within 36 hours; He Jing (clerk for invoice_correction)"},
		{"monthly bill early in the month", sdk.Ticket{ID: "F-2", Kind: "request", Category: "monthly_bill", CreatedAt: time.Date(2026, 5, 3, 10, 0, 0, 0, cst)},
			"Ma Lin", "before the 10th of the month, by 2026-05-10 00:00 CST"},
		{"monthly bill on the 10th: next month", sdk.Ticket{ID: "F-3", Kind: "request", Category: "monthly_bill", CreatedAt: time.Date(2026, 5, 10, 0, 0, 0, 0, cst)},
			"Ma Lin", "by 2026-06-10 00:00 CST"},
		{"monthly bill in December", sdk.Ticket{ID: "F-4", Kind: "request", Category: "monthly_bill", CreatedAt: time.Date(2026, 12, 20, 9, 0, 0, 0, time.UTC)},
			"Ma Lin", "by 2027-01-10 00:00 CST"},
		{"voyage bill with departure", sdk.Ticket{ID: "F-5", Kind: "request", Category: "voyage_bill", EventAt: sailed}, "Song Tao", "by 2026-05-08T14:00:00Z"},
		{"voyage bill without departure", sdk.Ticket{ID: "F-6", Kind: "request", Category: "voyage_bill"}, "Song Tao", "departure time not given"},
		{"unknown category to default", sdk.Ticket{ID: "F-7", Kind: "complaint", Category: "refund"}, "Zhou Qiang", "finance request (refund)"},
		{"no category", sdk.Ticket{ID: "F-8", Kind: "request"}, "Zhou Qiang", "no category"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reply, err := c.HandleTicket(context.Background(), tc.ticket)
			if err != nil {
				t.Fatal(err)
			}
			if !reply.Accept || reply.Assignee != tc.wantAssignee || !strings.Contains(reply.Note, tc.wantNote) {
				t.Errorf("reply = %+v, want accepted by %q with a note containing %q", reply, tc.wantAssignee, tc.wantNote)
			}
			again, err := c.HandleTicket(context.Background(), tc.ticket)
			if err != nil || again != reply {
				t.Errorf("redelivery gave %+v, %v; first delivery %+v", again, err, reply)
			}
		})
	}
	if calls := h.Calls(); len(calls) != 0 {
		t.Errorf("host calls for tickets that need none: %+v", calls)
	}
}

func TestInvoiceNumberMissing(t *testing.T) {
	c, h := run(t, clerks)
	ctx := context.Background()
	tk := sdk.Ticket{ID: "F-10", Kind: "request", Category: "invoice_correction", ReporterName: "COSCO agent",
		Status: "new", Department: dept}
	h.Put(tk)

	reply, err := c.HandleTicket(ctx, tk)
	if err != nil {
		t.Fatal(err)
	}
	if reply.Assignee != "He Jing" || !strings.Contains(reply.Note, "the invoice number is missing: waiting for the invoice number") {
		t.Errorf("reply = %+v", reply)
	}
	// It waits for the reporter from the start, in the same commit as the
	// acceptance; no host call is needed.
	if reply.Status != "waiting" || !strings.Contains(reply.StatusNote, finance.WaitingNote) {
		t.Errorf("reply = %+v, want it moved to waiting for the invoice number", reply)
	}
	// Delivered again: the same answer.
	again, err := c.HandleTicket(ctx, tk)
	if err != nil || again != reply {
		t.Errorf("redelivery: %+v, %v; want %+v", again, err, reply)
	}
	if calls := h.Calls(); len(calls) != 0 {
		t.Errorf("host calls %+v, want none", calls)
	}
}

func TestMonthlyDue(t *testing.T) {
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	tests := []struct {
		created time.Time
		want    time.Time
	}{
		{time.Date(2026, 5, 9, 23, 59, 0, 0, shanghai), time.Date(2026, 5, 10, 0, 0, 0, 0, shanghai)},
		{time.Date(2026, 5, 10, 0, 0, 0, 0, shanghai), time.Date(2026, 6, 10, 0, 0, 0, 0, shanghai)},
		// 16:30 UTC on the 9th is already the 10th in Shanghai.
		{time.Date(2026, 5, 9, 16, 30, 0, 0, time.UTC), time.Date(2026, 6, 10, 0, 0, 0, 0, shanghai)},
		{time.Date(2026, 12, 31, 0, 0, 0, 0, shanghai), time.Date(2027, 1, 10, 0, 0, 0, 0, shanghai)},
	}
	for _, tc := range tests {
		if got := finance.MonthlyDue(tc.created, shanghai); !got.Equal(tc.want) {
			t.Errorf("MonthlyDue(%v) = %v, want %v", tc.created, got, tc.want)
		}
	}
}

func TestConfigure(t *testing.T) {
	tests := []struct {
		name, settings, wantErr string
	}{
		{"full", clerks, ""},
		{"with zone", `{"zone": "Europe/Berlin"}`, ""},
		{"empty", "", ""},
		{"unknown key", `{"clerk": {}}`, `unknown field "clerk"`},
		{"clerk not a string", `{"clerks": {"invoice": ["a"]}}`, "clerks"},
		{"empty clerk", `{"clerks": {"invoice": ""}}`, "clerks.invoice: empty clerk name"},
		{"bad zone", `{"zone": "Shanghai"}`, `zone: "Shanghai"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := sdktest.Serve(t, finance.New())
			err := c.Configure(context.Background(), sdk.Config{Department: dept, Settings: json.RawMessage(tc.settings)})
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !sdk.IsPluginError(err) {
				t.Fatalf("Configure = %v, want a plugin error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestUnconfigured(t *testing.T) {
	c := sdktest.Serve(t, finance.New())
	reply, err := c.HandleTicket(context.Background(), sdk.Ticket{ID: "F-1", Category: "invoice_correction"})
	if err != nil || !reply.Accept || reply.Assignee != "" || !strings.Contains(reply.Note, "assign by hand") {
		t.Errorf("reply = %+v, %v; want accepted, unassigned", reply, err)
	}
}
