package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/sdk"
	"github.com/switchboard-desk/switchboard/sdk/sdktest"
)

const settingsJSON = `{"cleaners": ["Ma Li", "Zhou Fang"], "key_desk": "Front desk"}`

// TestBinary builds the plugin as its own binary and runs it as a real
// process against sdktest's fake host, as the daemon would run it.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := sdktest.Build(t, "github.com/switchboard-desk/switchboard/examples/facilities")
	h := sdktest.NewHost().ForDepartment("facilities")
	c := sdktest.StartWith(t, bin, sdktest.Options{Department: "facilities", Settings: json.RawMessage(settingsJSON), Host: h})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	info, err := c.Info(ctx)
	if err != nil || info.Name != "facilities" || info.Version != Version {
		t.Fatalf("Info = %+v, %v", info, err)
	}

	// A spill: a cleaner from the settings is booked; no host call needed.
	spill := sdk.Ticket{ID: "FA-1", Kind: "request", Category: "spill", Location: "hotel/lobby", Department: "facilities"}
	reply, err := c.HandleTicket(ctx, spill)
	if err != nil {
		t.Fatal(err)
	}
	booked, other := "Ma Li", "Zhou Fang"
	if reply.Assignee == other {
		booked, other = other, booked
	}
	if !reply.Accept || reply.Assignee != booked || !strings.Contains(reply.Note, "hotel/lobby") {
		t.Errorf("spill: reply = %+v", reply)
	}

	// A lost key: resolved with the acceptance itself.
	key := sdk.Ticket{ID: "FA-2", Kind: "request", Category: "lost_key", Department: "facilities", Status: "new"}
	reply, err = c.HandleTicket(ctx, key)
	if err != nil || reply.Assignee != "Front desk" || reply.Status != "resolved" || reply.StatusNote != "spare key handed out by the Front desk" {
		t.Fatalf("lost key: reply = %+v, %v", reply, err)
	}

	// A spill waiting too long: the other cleaner takes over through the
	// host, once however often the warning is delivered.
	spill.Status, spill.Assignee = "in_progress", booked
	h.Put(spill)
	warning := sdk.Event{ID: "FA-1/7", TicketID: "FA-1", Type: "sla.warning", Actor: "sla", Ticket: spill}
	for range 2 {
		if err := c.HandleEvent(ctx, warning); err != nil {
			t.Fatal(err)
		}
		now, _ := h.Lookup("FA-1")
		warning.Ticket = now
	}
	// A redelivery to a fresh process (the handled IDs forgotten) finds
	// the other cleaner holding the spill and does nothing.
	fresh := sdktest.Run(t, New(), sdktest.Options{Department: "facilities", Settings: json.RawMessage(settingsJSON), Host: h})
	if err := fresh.HandleEvent(ctx, warning); err != nil {
		t.Fatal(err)
	}
	var assigns []sdktest.Call
	for _, call := range h.Calls() {
		if call.Op == "Assign" && call.Err == nil {
			assigns = append(assigns, call)
		}
	}
	if len(assigns) != 1 || assigns[0].Assignee != other {
		t.Errorf("assignments = %+v, want one to %s", assigns, other)
	}

	// Bad settings are refused, naming the key.
	err = c.Configure(ctx, sdk.Config{Department: "facilities", Settings: json.RawMessage(`{"cleaner": ["x"]}`), Host: h})
	if !sdk.IsPluginError(err) || !strings.Contains(err.Error(), `unknown field "cleaner"`) {
		t.Errorf("bad settings: %v", err)
	}
}

// TestInProcess runs the department in the test process over the real
// gRPC protocol: quicker, for the department's logic.
func TestInProcess(t *testing.T) {
	h := sdktest.NewHost().ForDepartment("facilities")
	c := sdktest.Run(t, New(), sdktest.Options{Department: "facilities", Settings: json.RawMessage(settingsJSON), Host: h})
	ctx := context.Background()
	for _, tc := range []struct {
		ticket       sdk.Ticket
		wantAssignee string
		wantNote     string
	}{
		{sdk.Ticket{ID: "FA-3", Category: "spill"}, pick([]string{"Ma Li", "Zhou Fang"}, "FA-3"), "spill at an unknown place"},
		{sdk.Ticket{ID: "FA-4", Category: "broken_chair"}, "", "assign by hand"},
	} {
		reply, err := c.HandleTicket(ctx, tc.ticket)
		if err != nil || !reply.Accept || reply.Assignee != tc.wantAssignee || !strings.Contains(reply.Note, tc.wantNote) {
			t.Errorf("%s: reply = %+v, %v; want %q with %q", tc.ticket.ID, reply, err, tc.wantAssignee, tc.wantNote)
		}
	}
	if calls := h.Calls(); len(calls) != 0 {
		t.Errorf("host calls: %+v", calls)
	}
}
