package plugins_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/sdk"
	"github.com/switchboard-desk/switchboard/sdk/sdktest"
)

// TestBundledAsProcesses runs each bundled plugin in its own process, as
// the daemon does, configures it and offers it a ticket.
func TestBundledAsProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := sdktest.Build(t, "./internal/bundled")
	tests := []struct {
		name         string
		settings     string
		ticket       sdk.Ticket
		wantAssignee string
		wantNote     string
	}{
		{"engineering", `{"roster": {"north-campus": ["Zhang San"]}, "default_technician": "Wang Wu"}`,
			sdk.Ticket{ID: "T-1", Kind: "repair", Severity: "major", Location: "north-campus/dorm-3"},
			"Zhang San", "re-planned to the next day"},
		{"finance", `{"clerks": {"invoice-correction": "Chen Jing"}}`,
			sdk.Ticket{ID: "T-2", Kind: "request", Category: "invoice-correction"},
			"Chen Jing", "within 36 hours"},
		{"service", `{"agents": ["Huang Min"]}`,
			sdk.Ticket{ID: "T-3", Kind: "complaint"},
			"Huang Min", "confirm before closing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := sdktest.Start(t, bin, tc.name)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			info, err := c.Info(ctx)
			if err != nil || info.Name != tc.name {
				t.Fatalf("Info = %+v, %v", info, err)
			}
			if err := c.Configure(ctx, json.RawMessage(tc.settings)); err != nil {
				t.Fatalf("Configure: %v", err)
			}
			reply, err := c.HandleTicket(ctx, tc.ticket)
			if err != nil {
				t.Fatal(err)
			}
			if !reply.Accept || reply.Assignee != tc.wantAssignee || !strings.Contains(reply.Note, tc.wantNote) {
				t.Errorf("reply = %+v, want accepted by %q with %q in the note", reply, tc.wantAssignee, tc.wantNote)
			}
			err = c.Configure(ctx, json.RawMessage(`{"nonsense": 1}`))
			if !sdk.IsPluginError(err) || !strings.Contains(err.Error(), `plugin "`+tc.name+`"`) {
				t.Errorf("bad settings gave %v, want a plugin error naming %s", err, tc.name)
			}
		})
	}
}
