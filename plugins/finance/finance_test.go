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

const clerks = `{
	"clerks": {"invoice-correction": "Chen Jing", "monthly-bill": "Sun Mei", "voyage-bill": "Qian Hao"},
	"default_clerk": "Zhou Qiang"
}`

func TestHandleTicket(t *testing.T) {
	c := sdktest.Serve(t, finance.New())
	if err := c.Configure(context.Background(), json.RawMessage(clerks)); err != nil {
		t.Fatal(err)
	}
	sailed := time.Date(2026, 5, 1, 22, 0, 0, 0, time.FixedZone("CST", 8*3600))
	tests := []struct {
		name         string
		ticket       sdk.Ticket
		wantAssignee string
		wantNote     string
	}{
		{"invoice correction", sdk.Ticket{ID: "F-1", Kind: "request", Category: "invoice-correction"}, "Chen Jing", "within 36 hours"},
		{"monthly bill", sdk.Ticket{ID: "F-2", Kind: "request", Category: "monthly-bill"}, "Sun Mei", "before the 10th of the month"},
		{"voyage bill with departure", sdk.Ticket{ID: "F-3", Kind: "request", Category: "voyage-bill", EventAt: sailed}, "Qian Hao", "by 2026-05-08T14:00:00Z"},
		{"voyage bill without departure", sdk.Ticket{ID: "F-4", Kind: "request", Category: "voyage-bill"}, "Qian Hao", "departure time not given"},
		{"unknown category to default", sdk.Ticket{ID: "F-5", Kind: "complaint", Category: "refund"}, "Zhou Qiang", "finance request (refund)"},
		{"invoice word in other category", sdk.Ticket{ID: "F-6", Kind: "request", Category: "invoice-copy"}, "Zhou Qiang", "within 36 hours"},
		{"no category", sdk.Ticket{ID: "F-7", Kind: "request"}, "Zhou Qiang", "no category"},
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
}

func TestConfigure(t *testing.T) {
	tests := []struct {
		name, settings, wantErr string
	}{
		{"full", clerks, ""},
		{"empty", "", ""},
		{"unknown key", `{"clerk": {}}`, `unknown field "clerk"`},
		{"clerk not a string", `{"clerks": {"invoice": ["a"]}}`, "clerks"},
		{"empty clerk", `{"clerks": {"invoice": ""}}`, "clerks.invoice: empty clerk name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := sdktest.Serve(t, finance.New())
			err := c.Configure(context.Background(), json.RawMessage(tc.settings))
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
	reply, err := c.HandleTicket(context.Background(), sdk.Ticket{ID: "F-1", Category: "invoice-correction"})
	if err != nil || !reply.Accept || reply.Assignee != "" || !strings.Contains(reply.Note, "assign by hand") {
		t.Errorf("reply = %+v, %v; want accepted, unassigned", reply, err)
	}
}
