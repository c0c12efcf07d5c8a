package engineering_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-desk/switchboard/plugins/engineering"
	"github.com/switchboard-desk/switchboard/sdk"
	"github.com/switchboard-desk/switchboard/sdk/sdktest"
)

const roster = `{
	"roster": {"north-campus": ["Zhang San", "Li Si"], "south-campus": ["Zhao Liu"]},
	"default_technician": "Wang Wu"
}`

func configured(t *testing.T, settings string) sdk.Client {
	t.Helper()
	c := sdktest.Serve(t, engineering.New())
	if err := c.Configure(context.Background(), json.RawMessage(settings)); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	return c
}

func TestHandleTicket(t *testing.T) {
	c := configured(t, roster)
	tests := []struct {
		name         string
		ticket       sdk.Ticket
		wantAssignee string
		wantNote     []string
	}{
		{"minor repair, first on duty", sdk.Ticket{ID: "T-1", Kind: "repair", Severity: "minor", Location: "north-campus/dorm-3"},
			"Zhang San", []string{"fix at once", "on duty for north-campus"}},
		{"serious repair", sdk.Ticket{ID: "T-2", Kind: "repair", Severity: "serious", Location: "south-campus/dorm-1/floor-2"},
			"Zhao Liu", []string{"fix today, water on by evening"}},
		{"major repair is re-planned", sdk.Ticket{ID: "T-3", Kind: "repair", Severity: "major", Location: "north-campus"},
			"Zhang San", []string{"cannot be fixed today: re-planned to the next day", "service desk, school and students to be told"}},
		{"critical calls the whole roster", sdk.Ticket{ID: "T-4", Kind: "repair", Severity: "critical", Location: "north-campus/boiler-house"},
			"Zhang San", []string{"all on duty called (Zhang San, Li Si)"}},
		{"unknown project goes to default", sdk.Ticket{ID: "T-5", Kind: "repair", Severity: "minor", Location: "east-campus/dorm-9"},
			"Wang Wu", []string{"fix at once", "default technician"}},
		{"no location goes to default", sdk.Ticket{ID: "T-6", Kind: "repair", Severity: "serious"},
			"Wang Wu", []string{"default technician"}},
		{"unknown severity treated as serious", sdk.Ticket{ID: "T-7", Kind: "repair", Severity: "odd", Location: "north-campus/x"},
			"Zhang San", []string{"unknown severity odd", "treated as serious"}},
		{"complaint goes to default", sdk.Ticket{ID: "T-8", Kind: "complaint", Location: "north-campus/dorm-3"},
			"Wang Wu", []string{"not a repair call (complaint)"}},
		{"request goes to default", sdk.Ticket{ID: "T-9", Kind: "request"},
			"Wang Wu", []string{"not a repair call (request)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reply, err := c.HandleTicket(context.Background(), tc.ticket)
			if err != nil {
				t.Fatal(err)
			}
			if !reply.Accept || reply.Assignee != tc.wantAssignee {
				t.Errorf("reply = %+v, want accepted by %q", reply, tc.wantAssignee)
			}
			for _, w := range tc.wantNote {
				if !strings.Contains(reply.Note, w) {
					t.Errorf("note %q does not contain %q", reply.Note, w)
				}
			}
			again, err := c.HandleTicket(context.Background(), tc.ticket)
			if err != nil || again != reply {
				t.Errorf("redelivery gave %+v, %v; first delivery %+v", again, err, reply)
			}
		})
	}
}

func TestUnconfiguredAcceptsUnassigned(t *testing.T) {
	c := sdktest.Serve(t, engineering.New())
	reply, err := c.HandleTicket(context.Background(), sdk.Ticket{ID: "T-1", Kind: "repair", Severity: "minor", Location: "north-campus/dorm-3"})
	if err != nil {
		t.Fatal(err)
	}
	if !reply.Accept || reply.Assignee != "" || !strings.Contains(reply.Note, "assign by hand") {
		t.Errorf("reply = %+v, want accepted, unassigned, asking to assign by hand", reply)
	}
}

func TestConfigure(t *testing.T) {
	tests := []struct {
		name     string
		settings string
		wantErr  string
	}{
		{"full", roster, ""},
		{"empty", ``, ""},
		{"only default", `{"default_technician": "Wang Wu"}`, ""},
		{"unknown key", `{"rooster": {}}`, `unknown field "rooster"`},
		{"roster not a map", `{"roster": ["a"]}`, "roster"},
		{"empty technician", `{"roster": {"north-campus": ["Zhang San", " "]}}`, "roster.north-campus[1]: empty technician name"},
		{"slash in project", `{"roster": {"north/campus": ["a"]}}`, `project "north/campus"`},
		{"not JSON", `roster = 1`, "settings"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := sdktest.Serve(t, engineering.New())
			err := c.Configure(context.Background(), json.RawMessage(tc.settings))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Configure = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !sdk.IsPluginError(err) {
				t.Fatalf("Configure = %v, want a plugin error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestBadReloadKeepsSettings(t *testing.T) {
	c := configured(t, roster)
	ctx := context.Background()
	if err := c.Configure(ctx, json.RawMessage(`{"roster": {"north-campus": [""]}}`)); err == nil {
		t.Fatal("bad settings accepted")
	}
	reply, err := c.HandleTicket(ctx, sdk.Ticket{ID: "T-1", Kind: "repair", Severity: "minor", Location: "north-campus/dorm-3"})
	if err != nil || reply.Assignee != "Zhang San" {
		t.Errorf("after a bad reload reply = %+v, %v; want the old roster in force", reply, err)
	}
}

func TestProject(t *testing.T) {
	for in, want := range map[string]string{
		"north-campus/dorm-3": "north-campus",
		"north-campus":        "north-campus",
		" a /b/c":             "a",
		"":                    "",
		"/dorm":               "",
	} {
		if got := engineering.Project(in); got != want {
			t.Errorf("Project(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReloadWhileHandling configures the plugin while tickets are in
// flight; run with -race it proves the settings swap is safe.
func TestReloadWhileHandling(t *testing.T) {
	c := configured(t, roster)
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		for i := 0; i < 50; i++ {
			if err := c.Configure(ctx, json.RawMessage(roster)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for i := 0; i < 50; i++ {
		reply, err := c.HandleTicket(ctx, sdk.Ticket{ID: "T-1", Kind: "repair", Severity: "minor", Location: "north-campus/dorm-3"})
		if err != nil || reply.Assignee != "Zhang San" {
			t.Fatalf("HandleTicket during reload = %+v, %v", reply, err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
