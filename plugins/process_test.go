package plugins_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/sdk"
	"github.com/switchboard-desk/switchboard/sdk/sdktest"
)

// The command that serves a bundled plugin as a real process, as
// `switchboard plugin NAME` does, built once for all the tests.
var bundled struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bundled.dir != "" {
		os.RemoveAll(bundled.dir)
	}
	os.Exit(code)
}

// bundledBin returns the command, building it on first use.
func bundledBin(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bundled.once.Do(func() {
		if bundled.dir, bundled.err = os.MkdirTemp("", "bundled-"); bundled.err != nil {
			return
		}
		bundled.bin = filepath.Join(bundled.dir, "bundled")
		out, err := exec.Command("go", "build", "-o", bundled.bin, "./internal/bundled").CombinedOutput()
		if err != nil {
			bundled.err = fmt.Errorf("go build ./internal/bundled: %v\n%s", err, out)
		}
	})
	if bundled.err != nil {
		t.Fatal(bundled.err)
	}
	return bundled.bin
}

// TestBundledAsProcesses runs each bundled plugin in its own process, as
// the daemon does, configures it with a fake host and offers it a ticket;
// bad settings are refused with the key named.
func TestBundledAsProcesses(t *testing.T) {
	bin := bundledBin(t)
	tests := []struct {
		name         string
		settings     string
		ticket       sdk.Ticket
		wantAssignee string
		wantNote     string
		badSettings  string
		wantBad      string
	}{
		{"engineering", `{"roster": {"north-campus": ["Zhang San"]}, "default_technician": "Wang Wu"}`,
			sdk.Ticket{ID: "T-1", Kind: "repair", Severity: "major", Location: "north-campus/dorm-3"},
			"Zhang San", "re-planned to the next day", `{"inspection": {"max_temp": 80}}`, `unknown field "max_temp"`},
		{"finance", `{"clerks": {"invoice_correction": "He Jing"}}`,
			sdk.Ticket{ID: "T-2", Kind: "request", Category: "invoice_correction", Fields: map[string]string{"invoice": "INV-7"}},
			"He Jing", "within 36 hours", `{"zone": "Nowhere/City"}`, `zone: "Nowhere/City"`},
		{"service", `{"agents": ["Huang Min"]}`,
			sdk.Ticket{ID: "T-3", Kind: "complaint"},
			"Huang Min", "confirm before closing", `{"agents": ["Huang Min", "Huang Min"]}`, `agents[1]: "Huang Min" listed twice`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := sdktest.NewHost().ForDepartment(tc.name)
			c := sdktest.StartWith(t, bin, sdktest.Options{Department: tc.name, Settings: json.RawMessage(tc.settings), Host: h}, tc.name)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			info, err := c.Info(ctx)
			if err != nil || info.Name != tc.name {
				t.Fatalf("Info = %+v, %v", info, err)
			}
			caps, err := c.Capabilities(ctx)
			// finance settles what it can in its answers and needs no host.
			if err != nil || caps.Host != (tc.name != "finance") || !caps.Events {
				t.Errorf("Capabilities = %+v, %v; want events, and host but for finance", caps, err)
			}
			reply, err := c.HandleTicket(ctx, tc.ticket)
			if err != nil {
				t.Fatal(err)
			}
			if !reply.Accept || reply.Assignee != tc.wantAssignee || !strings.Contains(reply.Note, tc.wantNote) {
				t.Errorf("reply = %+v, want accepted by %q with %q in the note", reply, tc.wantAssignee, tc.wantNote)
			}
			err = c.Configure(ctx, sdk.Config{Department: tc.name, Settings: json.RawMessage(tc.badSettings), Host: h})
			if !sdk.IsPluginError(err) || !strings.Contains(err.Error(), `plugin "`+tc.name+`"`) || !strings.Contains(err.Error(), tc.wantBad) {
				t.Errorf("bad settings gave %v, want a plugin error naming %s and %s", err, tc.name, tc.wantBad)
			}
		})
	}
}

// TestEngineeringProcess drives the engineering plugin as a real process
// through the host API: a failed inspection delivered twice opens exactly
// one repair ticket, a passed one is resolved by its answer, and a
// major fault its technician cannot fix is escalated and re-planned to the
// next day at noon.
func TestEngineeringProcess(t *testing.T) {
	bin := bundledBin(t)
	h := sdktest.NewHost().ForDepartment("engineering")
	c := sdktest.StartWith(t, bin, sdktest.Options{Department: "engineering", Host: h,
		Settings: json.RawMessage(`{"roster": {"north-campus": ["Li Wei", "Chen Jun"]}, "on_duty": {"north-campus": "Chen Jun"}}`)}, "engineering")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	failing := sdk.Ticket{ID: "INS-1", Kind: "request", Category: "inspection", Location: "north-campus", Department: "engineering",
		Status: "new", Fields: map[string]string{"water_temperature_c": "41", "water_volume_l": "500"}}
	h.Put(failing)
	for i := 0; i < 2; i++ {
		reply, err := c.HandleTicket(ctx, failing)
		if err != nil || reply.Assignee != "Chen Jun" {
			t.Fatalf("inspection delivery %d: %+v, %v", i+1, reply, err)
		}
	}
	if created := h.Created(); len(created) != 1 || created[0].Category != "water_temperature" || created[0].Severity != "serious" {
		t.Errorf("created %+v, want exactly one serious water_temperature repair", created)
	}

	passing := sdk.Ticket{ID: "INS-2", Kind: "request", Category: "inspection", Location: "north-campus", Department: "engineering",
		Status: "new", Fields: map[string]string{"water_temperature_c": "60", "water_volume_l": "500"}}
	h.Put(passing)
	if reply, err := c.HandleTicket(ctx, passing); err != nil || reply.Status != "resolved" {
		t.Fatalf("passed inspection: %+v, %v; want it resolved by the answer", reply, err)
	}

	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	major := sdk.Ticket{ID: "R-1", Kind: "repair", Severity: "major", Location: "north-campus/dorm-3", Department: "engineering", Status: "in_progress"}
	h.Put(major)
	ev := sdk.Event{ID: "R-1/6", TicketID: "R-1", Type: "ticket.note_added", Actor: "agent:chen-jun",
		At:   time.Date(2026, 3, 10, 20, 0, 0, 0, shanghai),
		Data: json.RawMessage(`{"note": "cannot fix: heat pump compressor failed"}`), Ticket: major}
	for i := 0; i < 2; i++ {
		if err := c.HandleEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	var escalations, replans []sdktest.Call
	for _, call := range h.Calls() {
		switch call.Op {
		case "Escalate":
			escalations = append(escalations, call)
		case "Replan":
			replans = append(replans, call)
		}
		if sdk.HostErrorCodeOf(call.Err) == sdk.HostPermissionDenied {
			t.Errorf("the plugin acted on another department's ticket: %+v", call)
		}
	}
	if len(escalations) != 1 || !strings.Contains(escalations[0].Reason, "heat pump compressor failed") {
		t.Errorf("escalations = %+v", escalations)
	}
	want := time.Date(2026, 3, 11, 12, 0, 0, 0, shanghai)
	if len(replans) != 1 || !replans[0].PlannedAt.Equal(want) || replans[0].Reason != "major fault: parts ordered, repair re-planned to next day" {
		t.Errorf("re-plans = %+v, want one to %v", replans, want)
	}
}

// TestServiceProcess: the service plugin, as a real process, asks the
// reporter of a resolved complaint to confirm it.
func TestServiceProcess(t *testing.T) {
	bin := bundledBin(t)
	h := sdktest.NewHost().ForDepartment("service")
	c := sdktest.StartWith(t, bin, sdktest.Options{Department: "service", Host: h, Settings: json.RawMessage(`{"agents": ["Sun Li"]}`)}, "service")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tk := sdk.Ticket{ID: "C-1", Kind: "complaint", ReporterName: "Wang Xiaohong", ReporterContact: "dorm 3-214",
		Department: "service", Status: "resolved", Assignee: "Sun Li"}
	h.Put(tk)
	err := c.HandleEvent(ctx, sdk.Event{ID: "C-1/8", TicketID: "C-1", Type: "ticket.status_changed", Actor: "agent:sun-li",
		Data: json.RawMessage(`{"from": "in_progress", "to": "resolved"}`), Ticket: tk})
	if err != nil {
		t.Fatal(err)
	}
	want := "asked Wang Xiaohong (dorm 3-214) to confirm the complaint is solved before it is closed"
	if notes := h.Notes("C-1"); len(notes) != 1 || notes[0] != want {
		t.Errorf("notes = %q, want [%q]", notes, want)
	}
	if now, _ := h.Lookup("C-1"); now.Status != "resolved" {
		t.Errorf("the complaint is %s; it stays resolved until the reporter confirms", now.Status)
	}
}

// TestFinanceProcess: the finance plugin, as a real process, puts an
// invoice correction without its number on waiting once acknowledged.
func TestFinanceProcess(t *testing.T) {
	bin := bundledBin(t)
	h := sdktest.NewHost().ForDepartment("finance")
	c := sdktest.StartWith(t, bin, sdktest.Options{Department: "finance", Host: h}, "finance")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tk := sdk.Ticket{ID: "F-1", Kind: "request", Category: "invoice_correction", Department: "finance", Status: "new"}
	reply, err := c.HandleTicket(ctx, tk)
	if err != nil {
		t.Fatal(err)
	}
	// Through the real protocol: the answer moves the ticket to waiting
	// for the invoice number, with the acceptance.
	if reply.Status != "waiting" || !strings.Contains(reply.StatusNote, "waiting for the invoice number") {
		t.Errorf("reply = %+v", reply)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
