package sdktest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/sdk"
	"github.com/switchboard-desk/switchboard/sdk/sdktest"
)

func TestHostTransition(t *testing.T) {
	tests := []struct {
		from, to string
		wantCode sdk.HostErrorCode
	}{
		{"acknowledged", "resolved", ""},
		{"acknowledged", "waiting", ""},
		{"acknowledged", "in_progress", ""},
		{"in_progress", "waiting", ""},
		{"waiting", "in_progress", ""},
		{"resolved", "closed", ""},
		{"resolved", "reopened", ""},
		{"closed", "reopened", ""},
		{"reopened", "in_progress", ""},
		{"in_progress", "cancelled", ""},
		{"resolved", "in_progress", sdk.HostConflict},
		{"new", "resolved", sdk.HostConflict},
		{"dispatched", "waiting", sdk.HostConflict},
		{"closed", "resolved", sdk.HostConflict},
		{"cancelled", "in_progress", sdk.HostConflict},
		{"in_progress", "done", sdk.HostInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.from+"→"+tc.to, func(t *testing.T) {
			h := sdktest.NewHost()
			h.Put(sdk.Ticket{ID: "T-1", Status: tc.from, Version: 3})
			got, err := h.Transition(context.Background(), "T-1", tc.to, "why")
			if code := sdk.HostErrorCodeOf(err); code != tc.wantCode {
				t.Fatalf("Transition = %v (code %q), want code %q", err, code, tc.wantCode)
			}
			now, _ := h.Lookup("T-1")
			if tc.wantCode != "" {
				if now.Status != tc.from || now.Version != 3 {
					t.Errorf("refused transition changed the ticket: %+v", now)
				}
				if !strings.Contains(err.Error(), tc.to) {
					t.Errorf("error %q does not name %q", err, tc.to)
				}
				if tc.wantCode == sdk.HostConflict && !strings.Contains(err.Error(), `"`+tc.from+`"`) {
					t.Errorf("error %q does not name the current status %q", err, tc.from)
				}
				return
			}
			if got.Status != tc.to || now.Status != tc.to || now.Version != 4 {
				t.Errorf("after Transition: returned %+v, held %+v; want status %s, version 4", got, now, tc.to)
			}
		})
	}
}

func TestHostErrors(t *testing.T) {
	ctx := context.Background()
	planned := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		call     func(h sdk.Host) error
		wantCode sdk.HostErrorCode
		wantText string
	}{
		{"unknown ticket", func(h sdk.Host) error { _, err := h.Ticket(ctx, "T-9"); return err }, sdk.HostNotFound, `"T-9"`},
		{"note on unknown ticket", func(h sdk.Host) error { _, err := h.AddNote(ctx, "T-9", "x"); return err }, sdk.HostNotFound, "T-9"},
		{"other department's ticket", func(h sdk.Host) error { _, err := h.Ticket(ctx, "F-1"); return err }, sdk.HostPermissionDenied, `"finance"`},
		{"note on other department's", func(h sdk.Host) error { _, err := h.AddNote(ctx, "F-1", "x"); return err }, sdk.HostPermissionDenied, "F-1"},
		{"escalate other department's", func(h sdk.Host) error { _, err := h.Escalate(ctx, "F-1", "x"); return err }, sdk.HostPermissionDenied, "F-1"},
		{"empty note", func(h sdk.Host) error { _, err := h.AddNote(ctx, "E-1", ""); return err }, sdk.HostInvalid, "note"},
		{"empty assignee", func(h sdk.Host) error { _, err := h.Assign(ctx, "E-1", "", "n"); return err }, sdk.HostInvalid, "assignee"},
		{"replan without time", func(h sdk.Host) error {
			_, err := h.Replan(ctx, "E-1", "resolution", time.Time{}, "r")
			return err
		}, sdk.HostInvalid, "planned_at"},
		{"replan without reason", func(h sdk.Host) error { _, err := h.Replan(ctx, "E-1", "", planned, ""); return err }, sdk.HostInvalid, "reason"},
		{"note on a closed ticket", func(h sdk.Host) error { _, err := h.AddNote(ctx, "E-2", "x"); return err }, sdk.HostConflict, "E-2 is closed"},
		{"replan closed", func(h sdk.Host) error { _, err := h.Replan(ctx, "E-2", "", planned, "r"); return err }, sdk.HostConflict, "closed"},
		{"escalate without reason", func(h sdk.Host) error { _, err := h.Escalate(ctx, "E-1", ""); return err }, sdk.HostInvalid, "reason"},
		{"create without kind", func(h sdk.Host) error {
			_, err := h.CreateTicket(ctx, sdk.NewTicket{Title: "t"}, "")
			return err
		}, sdk.HostInvalid, "kind"},
		{"create without title", func(h sdk.Host) error {
			_, err := h.CreateTicket(ctx, sdk.NewTicket{Kind: "repair"}, "")
			return err
		}, sdk.HostInvalid, "title"},
		{"ended context", func(h sdk.Host) error {
			ended, cancel := context.WithCancel(ctx)
			cancel()
			_, err := h.Ticket(ended, "E-1")
			return err
		}, sdk.HostUnavailable, "canceled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := sdktest.NewHost().ForDepartment("engineering")
			h.Put(sdk.Ticket{ID: "E-1", Department: "engineering", Status: "acknowledged"})
			h.Put(sdk.Ticket{ID: "E-2", Department: "engineering", Status: "closed"})
			h.Put(sdk.Ticket{ID: "F-1", Department: "finance", Status: "acknowledged"})
			err := tc.call(h)
			if code := sdk.HostErrorCodeOf(err); code != tc.wantCode || !strings.Contains(err.Error(), tc.wantText) {
				t.Fatalf("got %v (code %q), want code %q and %q in the message", err, code, tc.wantCode, tc.wantText)
			}
			calls := h.Calls()
			if len(calls) != 1 || calls[0].Err != err {
				t.Errorf("Calls = %+v, want the one failed call with its error", calls)
			}
			if len(h.Created()) != 0 {
				t.Errorf("a failed call created %+v", h.Created())
			}
		})
	}
}

func TestHostRecordsCalls(t *testing.T) {
	ctx := context.Background()
	h := sdktest.NewHost()
	h.Put(sdk.Ticket{ID: "T-1", Status: "acknowledged", Fields: map[string]string{"a": "1"}})
	planned := time.Date(2026, 3, 11, 4, 0, 0, 0, time.UTC)

	if _, err := h.AddNote(ctx, "T-1", "first"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Assign(ctx, "T-1", "Li Wei", "on duty"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Replan(ctx, "T-1", "resolution", planned, "parts ordered"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Escalate(ctx, "T-1", "cannot fix"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.AddNote(ctx, "T-1", "second"); err != nil {
		t.Fatal(err)
	}
	got, err := h.Ticket(ctx, "T-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Assignee != "Li Wei" || got.Version != 6 {
		t.Errorf("ticket = %+v, want assignee Li Wei and version 6", got)
	}
	got.Fields["a"] = "changed"
	if held, _ := h.Lookup("T-1"); held.Fields["a"] != "1" {
		t.Errorf("changing a returned ticket changed the held one: %+v", held)
	}

	want := []sdktest.Call{
		{Op: "AddNote", TicketID: "T-1", Note: "first"},
		{Op: "Assign", TicketID: "T-1", Assignee: "Li Wei", Note: "on duty"},
		{Op: "Replan", TicketID: "T-1", Target: "resolution", PlannedAt: planned, Reason: "parts ordered"},
		{Op: "Escalate", TicketID: "T-1", Reason: "cannot fix"},
		{Op: "AddNote", TicketID: "T-1", Note: "second"},
		{Op: "Ticket", TicketID: "T-1"},
	}
	calls := h.Calls()
	if len(calls) != len(want) {
		t.Fatalf("Calls = %+v, want %+v", calls, want)
	}
	for i := range want {
		if fmt.Sprintf("%+v", calls[i]) != fmt.Sprintf("%+v", want[i]) {
			t.Errorf("call %d = %+v, want %+v", i, calls[i], want[i])
		}
	}
	if notes := h.Notes("T-1"); strings.Join(notes, "|") != "first|second" {
		t.Errorf("Notes = %q", notes)
	}
	if _, ok := h.Lookup("T-2"); ok {
		t.Error("Lookup found a ticket never put")
	}
}

func TestHostCreateTicket(t *testing.T) {
	ctx := context.Background()
	h := sdktest.NewHost().ForDepartment("engineering")
	nt := sdk.NewTicket{Kind: "repair", Category: "water_temperature", Severity: "serious", Title: "too cold",
		Location: "north-campus/dorm-3", Fields: map[string]string{"reading": "38"}}

	first, err := h.CreateTicket(ctx, nt, "INS-1/temperature")
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.CreateTicket(ctx, nt, "INS-1/temperature")
	if err != nil {
		t.Fatal(err)
	}
	other, err := h.CreateTicket(ctx, nt, "INS-1/volume")
	if err != nil {
		t.Fatal(err)
	}
	unkeyed, err := h.CreateTicket(ctx, nt, "")
	if err != nil {
		t.Fatal(err)
	}
	if first.ID != "FAKE-1" || again.ID != "FAKE-1" || other.ID != "FAKE-2" || unkeyed.ID != "FAKE-3" {
		t.Errorf("ids = %s, %s, %s, %s; want FAKE-1, FAKE-1, FAKE-2, FAKE-3", first.ID, again.ID, other.ID, unkeyed.ID)
	}
	if first.Status != "new" || first.Department != "engineering" || first.Tier != "general" ||
		first.Location != nt.Location || first.Fields["reading"] != "38" || first.CreatedAt.IsZero() {
		t.Errorf("created ticket = %+v", first)
	}
	// The same key for a different ticket is refused, as the daemon does.
	changed := nt
	changed.Fields = map[string]string{"reading": "39"}
	_, err = h.CreateTicket(ctx, changed, "INS-1/temperature")
	if sdk.HostErrorCodeOf(err) != sdk.HostInvalid || !strings.Contains(err.Error(), `"INS-1/temperature" was already used for FAKE-1`) {
		t.Errorf("key reused for another ticket: %v, want invalid naming the key and FAKE-1", err)
	}
	if n := len(h.Created()); n != 3 {
		t.Errorf("Created has %d tickets, want 3", n)
	}
	calls := h.Calls()
	if len(calls) != 5 || calls[1].TicketID != "FAKE-1" || calls[1].IdempotencyKey != "INS-1/temperature" ||
		calls[1].New == nil || calls[1].New.Title != "too cold" {
		t.Errorf("Calls = %+v", calls)
	}
	// The created ticket is the department's: the plugin may act on it.
	if _, err := h.AddNote(ctx, "FAKE-1", "parts ordered"); err != nil {
		t.Errorf("AddNote on a created ticket: %v", err)
	}
}

// TestHostConcurrent has many goroutines use one Host; run with -race.
func TestHostConcurrent(t *testing.T) {
	ctx := context.Background()
	h := sdktest.NewHost()
	h.Put(sdk.Ticket{ID: "T-1", Status: "acknowledged"})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				if _, err := h.AddNote(ctx, "T-1", "n"); err != nil {
					t.Error(err)
					return
				}
				if _, err := h.CreateTicket(ctx, sdk.NewTicket{Kind: "repair", Title: "x"}, fmt.Sprintf("k-%d", i)); err != nil {
					t.Error(err)
					return
				}
				_ = h.Calls()
				_ = h.Created()
			}
		}()
	}
	wg.Wait()
	if n := len(h.Notes("T-1")); n != 400 {
		t.Errorf("%d notes, want 400", n)
	}
	if n := len(h.Created()); n != 50 {
		t.Errorf("%d tickets created with 50 distinct keys", n)
	}
	if n := len(h.Calls()); n != 800 {
		t.Errorf("%d calls recorded, want 800", n)
	}
}
