package main

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

func TestNoteAssignEscalate(t *testing.T) {
	h := newHarness(t)
	h.createValve()
	h.createValve()
	h.mustRun("transition", "SB-2", "--to", "cancelled")

	for _, c := range []struct {
		args []string
		out  string
		body map[string]any
	}{
		{[]string{"note", "SB-1", "--note", "called the reporter back", "--as", "Wang Fang"},
			"Note added to SB-1 (status: new, department: engineering, assigned: -)\n",
			map[string]any{"note": "called the reporter back"}},
		{[]string{"assign", "SB-1", "--to", "Zhang Wei"},
			"SB-1 is now assigned to Zhang Wei (status: new, department: engineering)\n",
			map[string]any{"assignee": "Zhang Wei"}},
		{[]string{"assign", "SB-1", "--to", "Chen Jun", "--note", "Zhang is off"},
			"SB-1 is now assigned to Chen Jun (status: new, department: engineering)\n",
			map[string]any{"assignee": "Chen Jun", "note": "Zhang is off"}},
		{[]string{"escalate", "SB-1", "--reason", "guest moving out at noon"},
			"SB-1 escalated (status: new, department: engineering, assigned: Chen Jun); 'switchboard sla explain SB-1' shows who was told\n",
			map[string]any{"reason": "guest moving out at noon"}},
	} {
		t.Run(c.args[0], func(t *testing.T) {
			if out := h.mustRun(c.args...); out != c.out {
				t.Errorf("output:\n%q\nwant\n%q", out, c.out)
			}
			var body map[string]any
			json.Unmarshal(h.desk.LastRequest().Body, &body)
			if !reflect.DeepEqual(body, c.body) {
				t.Errorf("body %v, want %v", body, c.body)
			}
		})
	}

	var d struct {
		Ticket  ticket.Ticket  `json:"ticket"`
		History []ticket.Event `json:"history"`
	}
	if err := json.Unmarshal([]byte(h.mustRun("show", "SB-1", "--json")), &d); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range d.History[2:] {
		got = append(got, ev.Type+" by "+ev.Actor)
	}
	want := []string{"ticket.note_added by Wang Fang", "ticket.assigned by api", "ticket.assigned by api", "escalated by api"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("history %q, want %q", got, want)
	}

	js := h.mustRun("escalate", "SB-1", "--reason", "still leaking", "--json")
	var tk ticket.Ticket
	if err := json.Unmarshal([]byte(js), &tk); err != nil || tk.ID != "SB-1" || tk.Assignee != "Chen Jun" {
		t.Errorf("--json: %v\n%s", err, js)
	}

	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"note", "SB-2", "--note", "x"}, 1, "HTTP 409 ticket_closed"},
		{[]string{"assign", "SB-2", "--to", "Zhang Wei"}, 1, "is cancelled; only an open ticket can be assigned"},
		{[]string{"escalate", "SB-2", "--reason", "x"}, 1, "HTTP 409 ticket_closed"},
		{[]string{"note", "SB-9", "--note", "x"}, 1, `ticket "SB-9" not found`},
		{[]string{"assign", "SB-9", "--to", "Zhang Wei"}, 1, `ticket "SB-9" not found`},
		{[]string{"escalate", "SB-9", "--reason", "x"}, 1, `ticket "SB-9" not found`},
		{[]string{"note", "SB-1"}, 2, "--note is required"},
		{[]string{"note", "SB-1", "--note", "  "}, 2, "--note is required"},
		{[]string{"assign", "SB-1", "--note", "x"}, 2, "--to is required"},
		{[]string{"escalate", "SB-1"}, 2, "--reason is required"},
		{[]string{"escalate", "--reason", "x"}, 2, "want 1 argument(s), got 0"},
		{[]string{"note", "SB-1", "SB-2", "--note", "x"}, 2, "want 1 argument(s), got 2"},
	} {
		code, _, errs := h.run(tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.stderr) {
			t.Errorf("%v: exit %d, %q; want %d, %q", tt.args, code, errs, tt.code, tt.stderr)
		}
	}

	for _, cmd := range []string{"note", "assign", "escalate"} {
		code, out, _ := h.run(cmd, "-h")
		if code != 0 || !strings.Contains(out, "Usage: switchboard ticket "+cmd+" ID") {
			t.Errorf("%s -h: exit %d\n%s", cmd, code, out)
		}
	}
	if _, out, _ := h.run("-h"); !strings.Contains(out, "escalate ID --reason TEXT") {
		t.Errorf("ticket -h lacks escalate:\n%s", out)
	}
}

// TestWorkOnRealDesk runs note, assign and escalate against the real desk
// behind the real API: the events land in the stored history with the
// actor, and the desk's own refusals reach the command line.
func TestWorkOnRealDesk(t *testing.T) {
	h := newSLAHarness(t, time.Date(2026, 11, 24, 9, 0, 0, 0, shanghai))
	ctx := context.Background()
	tk, _, err := h.desk.Create(ctx, ticket.Ticket{Kind: ticket.KindRepair, Category: "boiler", Severity: "major",
		Title: "No hot water in Dorm 3", Reporter: ticket.Reporter{Name: "Liu"}, Location: "Dorm 3"}, "", "agent")
	if err != nil {
		t.Fatal(err)
	}
	h.mustRun("note", tk.ID, "--note", "  called the reporter back ", "--as", "Wang Fang")
	out := h.mustRun("assign", tk.ID, "--to", "Zhang Wei", "--note", "on duty", "--as", "Wang Fang")
	if !strings.HasPrefix(out, tk.ID+" is now assigned to Zhang Wei (status: ") {
		t.Errorf("assign printed %q", out)
	}
	h.mustRun("escalate", tk.ID, "--reason", "guest moving out at noon", "--as", "Wang Fang")

	hist, err := h.desk.History(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, ev := range hist {
		if ev.Actor == "Wang Fang" {
			found[ev.Type] = string(ev.Data)
		}
	}
	for typ, want := range map[string]string{
		ticket.EventNote:      `"note":"called the reporter back"`,
		ticket.EventAssigned:  `"to":"Zhang Wei"`,
		ticket.EventEscalated: `"reason":"guest moving out at noon"`,
	} {
		if !strings.Contains(found[typ], want) {
			t.Errorf("%s by Wang Fang: %q, want it to contain %s", typ, found[typ], want)
		}
	}

	h.mustRun("transition", tk.ID, "--to", "cancelled")
	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"note", tk.ID, "--note", strings.Repeat("x", ticket.MaxDescription+1)}, 1, "note: is 10001 characters long, at most 10000 allowed (HTTP 400 invalid_request)"},
		{[]string{"note", tk.ID, "--note", "x"}, 1, "is cancelled; notes go on open tickets"},
		{[]string{"assign", tk.ID, "--to", "Chen Jun"}, 1, "HTTP 409"},
		{[]string{"escalate", tk.ID, "--reason", "x"}, 1, "HTTP 409"},
		{[]string{"escalate", "SB-999", "--reason", "x"}, 1, "not found"},
	} {
		code, _, errs := h.run(tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.stderr) {
			t.Errorf("%v: exit %d, %q; want %d, %q", tt.args[:2], code, errs, tt.code, tt.stderr)
		}
	}
}
