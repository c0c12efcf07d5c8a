package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/plugins/service"
	"github.com/switchboard-desk/switchboard/sdk"
	"github.com/switchboard-desk/switchboard/sdk/sdktest"
)

var agents = []string{"Huang Min", "Xu Lan", "Guo Tao"}

const settings = `{"agents": ["Huang Min", "Xu Lan", "Guo Tao"]}`

// run serves a new service plugin in process over real gRPC for the
// department dept, with a fake host acting for it.
func run(t *testing.T, dept string) (sdk.Client, *sdktest.Host) {
	t.Helper()
	h := sdktest.NewHost().ForDepartment(dept)
	c := sdktest.Run(t, service.New(), sdktest.Options{Department: dept, Settings: json.RawMessage(settings), Host: h})
	return c, h
}

func TestHandleTicket(t *testing.T) {
	c, h := run(t, "service")
	ctx := context.Background()
	load := map[string]int{}
	for i := range 300 {
		tk := sdk.Ticket{ID: fmt.Sprintf("T-%04d", i), Kind: "complaint"}
		reply, err := c.HandleTicket(ctx, tk)
		if err != nil {
			t.Fatal(err)
		}
		if !reply.Accept || !strings.Contains(reply.Note, "complaint acknowledged; "+service.ConfirmNote) ||
			!strings.HasSuffix(reply.Note, reply.Assignee+" answers the reporter") {
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
	reply, err := c.HandleTicket(ctx, sdk.Ticket{ID: "R-1", Kind: "request", Category: "cargo_query"})
	if err != nil || !reply.Accept || strings.Contains(reply.Note, "confirm") || !strings.HasPrefix(reply.Note, "request acknowledged") {
		t.Errorf("request: reply = %+v, %v; want acknowledged, no confirmation promised", reply, err)
	}
	if calls := h.Calls(); len(calls) != 0 {
		t.Errorf("answering tickets made host calls: %+v", calls)
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
			err := c.Configure(context.Background(), sdk.Config{Department: "tally", Settings: json.RawMessage(tc.settings)})
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

func TestResolvedComplaintAsksReporter(t *testing.T) {
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	complaint := sdk.Ticket{ID: "C-1", Kind: "complaint", Category: "hot_water", ReporterName: "Liu Xiaoming",
		ReporterContact: "+86 138 0000 0000", Department: "service", Assignee: "Xu Lan", Status: "resolved", Version: 9}
	resolved := json.RawMessage(`{"from": "in_progress", "to": "resolved", "note": "valve replaced"}`)
	tests := []struct {
		name     string
		ticket   sdk.Ticket
		typ      string
		actor    string
		data     json.RawMessage
		wantNote string // "" means no note
	}{
		{"complaint resolved by an agent", complaint, "ticket.status_changed", "agent:xu-lan", resolved,
			"asked Liu Xiaoming (+86 138 0000 0000) to confirm the complaint is solved before it is closed"},
		{"complaint without reporter details", func() sdk.Ticket { c := complaint; c.ReporterName, c.ReporterContact = "", ""; return c }(),
			"ticket.status_changed", "agent:xu-lan", resolved,
			"asked the reporter (no contact given) to confirm the complaint is solved before it is closed"},
		{"resolved by the plugin itself", complaint, "ticket.status_changed", "plugin:service", resolved, ""},
		{"moved elsewhere", complaint, "ticket.status_changed", "agent:xu-lan", json.RawMessage(`{"from": "acknowledged", "to": "in_progress"}`), ""},
		{"closed", complaint, "ticket.status_changed", "agent:xu-lan", json.RawMessage(`{"from": "resolved", "to": "closed"}`), ""},
		{"a request resolved", func() sdk.Ticket { c := complaint; c.Kind = "request"; return c }(), "ticket.status_changed", "agent:xu-lan", resolved, ""},
		{"warning chases the assignee", func() sdk.Ticket { c := complaint; c.Status = "in_progress"; return c }(), "sla.warning", "system",
			json.RawMessage(`{"target": "resolution", "due_at": "2026-03-12T10:00:00Z"}`),
			"chasing Xu Lan: the resolution promise is at risk, due 2026-03-12T10:00:00Z"},
		{"warning, nobody holds it", func() sdk.Ticket { c := complaint; c.Status, c.Assignee = "acknowledged", ""; return c }(), "sla.warning", "system",
			json.RawMessage(`{"target": "response"}`), "chasing the department: the response promise is at risk and nobody holds the ticket"},
		{"warning on a resolved ticket", complaint, "sla.warning", "system", json.RawMessage(`{"target": "resolution"}`), ""},
		{"other events", complaint, "ticket.assigned", "agent:xu-lan", json.RawMessage(`{"to": "Xu Lan"}`), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, h := run(t, "service")
			h.Put(tc.ticket)
			ev := sdk.Event{ID: "C-1/9", TicketID: "C-1", Type: tc.typ, Actor: tc.actor, At: at, Data: tc.data, Ticket: tc.ticket}
			for i := 0; i < 2; i++ { // delivered twice: handled once
				if err := c.HandleEvent(context.Background(), ev); err != nil {
					t.Fatal(err)
				}
			}
			notes := h.Notes("C-1")
			if tc.wantNote == "" {
				if len(h.Calls()) != 0 {
					t.Errorf("calls = %+v, want none", h.Calls())
				}
				return
			}
			if len(notes) != 1 || notes[0] != tc.wantNote {
				t.Errorf("notes = %q, want [%q]", notes, tc.wantNote)
			}
			if now, _ := h.Lookup("C-1"); now.Status != tc.ticket.Status {
				t.Errorf("the plugin moved the ticket to %s", now.Status)
			}
		})
	}
}

// TestSharedPlugin runs the plugin for a department that reuses it (the
// tally desk) with its own agents: it acts on that department's tickets.
func TestSharedPlugin(t *testing.T) {
	h := sdktest.NewHost().ForDepartment("tally")
	c := sdktest.Run(t, service.New(), sdktest.Options{Department: "tally", Settings: json.RawMessage(`{"agents": ["Hu Gang", "Lin Na"]}`), Host: h})
	tk := sdk.Ticket{ID: "TL-1", Kind: "complaint", ReporterName: "Hapag agent", ReporterContact: "ops@example.com",
		Department: "tally", Status: "resolved"}
	h.Put(tk)
	reply, err := c.HandleTicket(context.Background(), tk)
	if err != nil || (reply.Assignee != "Hu Gang" && reply.Assignee != "Lin Na") {
		t.Fatalf("reply = %+v, %v; want one of tally's agents", reply, err)
	}
	err = c.HandleEvent(context.Background(), sdk.Event{ID: "TL-1/5", TicketID: "TL-1", Type: "ticket.status_changed", Actor: "agent:hu-gang",
		Data: json.RawMessage(`{"from": "in_progress", "to": "resolved"}`), Ticket: tk})
	if err != nil {
		t.Fatal(err)
	}
	if notes := h.Notes("TL-1"); len(notes) != 1 || !strings.HasPrefix(notes[0], "asked Hapag agent (ops@example.com) to confirm") {
		t.Errorf("notes = %q", notes)
	}
	for _, call := range h.Calls() {
		if call.Err != nil {
			t.Errorf("refused call %+v", call)
		}
	}
}
