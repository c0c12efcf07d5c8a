package engineering_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/plugins/engineering"
	"github.com/switchboard-desk/switchboard/sdk"
	"github.com/switchboard-desk/switchboard/sdk/sdktest"
)

const dept = "engineering"

const roster = `{
	"roster": {"north-campus": ["Zhang San", "Li Si", "Zhou Ba"], "south-campus": ["Zhao Liu"]},
	"on_duty": {"north-campus": "Li Si"},
	"default_technician": "Wang Wu"
}`

// run serves a new engineering department in process over real gRPC with
// a fake host acting for the engineering department, configured with
// settings. When the test ends it checks that the plugin never acted on
// another department's ticket.
func run(t *testing.T, settings string) (sdk.Client, *sdktest.Host) {
	t.Helper()
	h := sdktest.NewHost().ForDepartment(dept)
	c := sdktest.Run(t, engineering.New(), sdktest.Options{Department: dept, Settings: json.RawMessage(settings), Host: h})
	t.Cleanup(func() { noneRefused(t, h) })
	return c, h
}

// noneRefused fails the test if the plugin made a call the host refused
// as another department's.
func noneRefused(t *testing.T, h *sdktest.Host) {
	for _, c := range h.Calls() {
		if sdk.HostErrorCodeOf(c.Err) == sdk.HostPermissionDenied {
			t.Errorf("the plugin acted on another department's ticket: %+v", c)
		}
	}
}

// callsOf returns h's calls of one operation.
func callsOf(h *sdktest.Host, op string) []sdktest.Call {
	var out []sdktest.Call
	for _, c := range h.Calls() {
		if c.Op == op {
			out = append(out, c)
		}
	}
	return out
}

// waitFor polls cond until it holds or 10 s pass.
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

func TestTriage(t *testing.T) {
	c, h := run(t, roster)
	north := []string{"Zhang San", "Li Si", "Zhou Ba"}
	tests := []struct {
		name         string
		ticket       sdk.Ticket
		wantAssignee string
		wantNote     []string
	}{
		{"critical: on duty at once, roster called", sdk.Ticket{ID: "T-1", Kind: "repair", Severity: "critical", Location: "north-campus/boiler-house"},
			"Li Si", []string{"critical fault: fix at once", "all on the roster called (Zhang San, Li Si, Zhou Ba)", "Li Si (on duty for north-campus, called at once)"}},
		{"major: on duty at once", sdk.Ticket{ID: "T-2", Kind: "repair", Severity: "major", Location: "north-campus/dorm-3"},
			"Li Si", []string{"re-planned to the next day", "service desk, school and students are told", "called at once"}},
		{"serious: on duty", sdk.Ticket{ID: "T-3", Kind: "repair", Severity: "serious", Location: "north-campus/dorm-1/floor-2"},
			"Li Si", []string{"fix today, water on by evening", "on duty for north-campus"}},
		{"minor: round robin", sdk.Ticket{ID: "T-4", Kind: "repair", Severity: "minor", Location: "north-campus/dorm-3"},
			engineering.RoundRobin(north, "T-4"), []string{"general fault: fix at once", "next on the north-campus roster"}},
		{"no on_duty: first of the roster", sdk.Ticket{ID: "T-5", Kind: "repair", Severity: "major", Location: "south-campus/dorm-1"},
			"Zhao Liu", []string{"on duty for south-campus"}},
		{"unknown project: default", sdk.Ticket{ID: "T-6", Kind: "repair", Severity: "major", Location: "east-campus/dorm-9"},
			"Wang Wu", []string{"default technician"}},
		{"minor, unknown project: default", sdk.Ticket{ID: "T-7", Kind: "repair", Severity: "minor", Location: "east-campus/dorm-9"},
			"Wang Wu", []string{"fix at once", "default technician"}},
		{"no location: default", sdk.Ticket{ID: "T-8", Kind: "repair", Severity: "serious"},
			"Wang Wu", []string{"default technician"}},
		{"unknown severity: treated as serious", sdk.Ticket{ID: "T-9", Kind: "repair", Severity: "odd", Location: "north-campus/x"},
			"Li Si", []string{"unknown severity odd", "treated as serious"}},
		{"complaint: default", sdk.Ticket{ID: "T-10", Kind: "complaint", Location: "north-campus/dorm-3"},
			"Wang Wu", []string{"not a repair call (complaint)"}},
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
	if calls := h.Calls(); len(calls) != 0 {
		t.Errorf("triage made host calls: %+v", calls)
	}
}

func TestRoundRobin(t *testing.T) {
	techs := []string{"A", "B", "C"}
	count := map[string]int{}
	for i := 0; i < 300; i++ {
		id := "T-" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		got := engineering.RoundRobin(techs, id)
		if engineering.RoundRobin(techs, id) != got {
			t.Fatalf("RoundRobin(%q) is not stable", id)
		}
		count[got]++
	}
	for _, tech := range techs {
		if count[tech] < 60 {
			t.Errorf("%s got %d of 300 tickets: %v", tech, count[tech], count)
		}
	}
	if engineering.RoundRobin(nil, "T-1") != "" {
		t.Error("RoundRobin of an empty roster is not empty")
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
		{"full", `{"roster": {"north-campus": ["a"]}, "on_duty": {"north-campus": "a"}, "default_technician": "b",
			"inspection": {"min_temperature_c": 40, "max_temperature_c": 80, "min_water_volume_l": 50}, "zone": "Europe/Berlin"}`, ""},
		{"empty", ``, ""},
		{"old form: roster and default only", `{"roster": {"north-campus": ["a"]}, "default_technician": "b"}`, ""},
		{"unknown key", `{"rooster": {}}`, `unknown field "rooster"`},
		{"unknown inspection key", `{"inspection": {"min_temp": 40}}`, `unknown field "min_temp"`},
		{"roster not a map", `{"roster": ["a"]}`, "roster"},
		{"empty technician", `{"roster": {"north-campus": ["Zhang San", " "]}}`, "roster.north-campus[1]: empty technician name"},
		{"empty on duty", `{"on_duty": {"north-campus": ""}}`, "on_duty.north-campus: empty technician name"},
		{"slash in project", `{"roster": {"north/campus": ["a"]}}`, `project "north/campus"`},
		{"temperatures crossed", `{"inspection": {"min_temperature_c": 80}}`, "min_temperature_c 80 must be below max_temperature_c 75"},
		{"negative volume", `{"inspection": {"min_water_volume_l": -1}}`, "min_water_volume_l"},
		{"bad zone", `{"zone": "Mars/Olympus"}`, `zone: "Mars/Olympus"`},
		{"escalate_on_breach not a bool", `{"escalate_on_breach": "yes"}`, "escalate_on_breach"},
		{"not JSON", `roster = 1`, "settings"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := sdktest.Serve(t, engineering.New())
			err := c.Configure(context.Background(), sdk.Config{Department: dept, Settings: json.RawMessage(tc.settings)})
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
	c, _ := run(t, roster)
	ctx := context.Background()
	if err := c.Configure(ctx, sdk.Config{Department: dept, Settings: json.RawMessage(`{"on_duty": {"north-campus": ""}}`)}); err == nil {
		t.Fatal("bad settings accepted")
	}
	reply, err := c.HandleTicket(ctx, sdk.Ticket{ID: "T-1", Kind: "repair", Severity: "major", Location: "north-campus/dorm-3"})
	if err != nil || reply.Assignee != "Li Si" {
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
	c, h := run(t, roster)
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		for i := 0; i < 50; i++ {
			if err := c.Configure(ctx, sdk.Config{Department: dept, Settings: json.RawMessage(roster), Host: h}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for i := 0; i < 50; i++ {
		reply, err := c.HandleTicket(ctx, sdk.Ticket{ID: "T-1", Kind: "repair", Severity: "major", Location: "north-campus/dorm-3"})
		if err != nil || reply.Assignee != "Li Si" {
			t.Fatalf("HandleTicket during reload = %+v, %v", reply, err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
