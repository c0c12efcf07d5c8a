package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-desk/switchboard/plugins/service"
	"github.com/switchboard-desk/switchboard/sdk"
	"github.com/switchboard-desk/switchboard/sdk/sdktest"
)

var agents = []string{"Huang Min", "Xu Lan", "Guo Tao"}

func TestHandleTicket(t *testing.T) {
	c := sdktest.Serve(t, service.New())
	ctx := context.Background()
	if err := c.Configure(ctx, json.RawMessage(`{"agents": ["Huang Min", "Xu Lan", "Guo Tao"]}`)); err != nil {
		t.Fatal(err)
	}
	load := map[string]int{}
	for i := range 300 {
		tk := sdk.Ticket{ID: fmt.Sprintf("T-%04d", i), Kind: "complaint"}
		reply, err := c.HandleTicket(ctx, tk)
		if err != nil {
			t.Fatal(err)
		}
		if !reply.Accept || reply.Note != service.ConfirmNote {
			t.Fatalf("reply = %+v", reply)
		}
		if want := service.Pick(agents, tk.ID); reply.Assignee != want {
			t.Fatalf("%s assigned to %q, want %q", tk.ID, reply.Assignee, want)
		}
		again, err := c.HandleTicket(ctx, tk)
		if err != nil || again != reply {
			t.Fatalf("redelivery of %s gave %+v, %v; first %+v", tk.ID, again, err, reply)
		}
		load[reply.Assignee]++
	}
	for _, a := range agents {
		if load[a] < 50 {
			t.Errorf("agent %s got %d of 300 tickets; the hash does not spread: %v", a, load[a], load)
		}
	}
}

func TestPickIsStable(t *testing.T) {
	// Fixed expectations: changing the hash would move open tickets
	// between agents on upgrade.
	tests := []struct {
		agents []string
		id     string
		want   string
	}{
		{nil, "T-1", ""},
		{[]string{"solo"}, "anything", "solo"},
		{agents, "T-0001", service.Pick(agents, "T-0001")},
	}
	for _, tc := range tests {
		if got := service.Pick(tc.agents, tc.id); got != tc.want {
			t.Errorf("Pick(%v, %q) = %q, want %q", tc.agents, tc.id, got, tc.want)
		}
	}
	got := []string{service.Pick(agents, "a"), service.Pick(agents, "b"), service.Pick(agents, "c")}
	// fnv-1a 32: "a"=0xe40c292c, "b"=0xe70c2de5, "c"=0xe60c2c52.
	want := []string{agents[0xe40c292c%3], agents[0xe70c2de5%3], agents[0xe60c2c52%3]}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("Pick(%d) = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestConfigure(t *testing.T) {
	tests := []struct{ name, settings, wantErr string }{
		{"ok", `{"agents": ["a", "b"]}`, ""},
		{"empty", ``, ""},
		{"unknown key", `{"agent": ["a"]}`, `unknown field "agent"`},
		{"not a list", `{"agents": "a"}`, "agents"},
		{"empty name", `{"agents": ["a", ""]}`, "agents[1]: empty agent name"},
		{"duplicate", `{"agents": ["a", "a"]}`, `agents[1]: "a" listed twice`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := sdktest.Serve(t, service.New())
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

func TestNoAgents(t *testing.T) {
	c := sdktest.Serve(t, service.New())
	reply, err := c.HandleTicket(context.Background(), sdk.Ticket{ID: "T-1"})
	if err != nil || !reply.Accept || reply.Assignee != "" || !strings.Contains(reply.Note, "assign by hand") {
		t.Errorf("reply = %+v, %v", reply, err)
	}
}
