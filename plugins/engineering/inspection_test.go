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

// inspection is a daily inspection ticket as the schedule opens it and the
// desk offers it: still "new" while the plugin answers.
func inspection(id string, fields map[string]string) sdk.Ticket {
	return sdk.Ticket{
		ID: id, Kind: "request", Category: "inspection", Severity: "minor",
		Title:    "Daily inspection north-campus: machines, water volume, temperature, valves, pipes",
		Location: "north-campus", Fields: fields, Status: "new", Department: dept, Version: 2,
	}
}

// acknowledge does what the desk does when it commits the plugin's answer.
func acknowledge(h *sdktest.Host, id, assignee string) {
	t, _ := h.Lookup(id)
	t.Status, t.Assignee = "acknowledged", assignee
	h.Put(t)
}

func TestInspectionFailureOpensOneRepair(t *testing.T) {
	c, h := run(t, roster)
	ctx := context.Background()
	ins := inspection("INS-1", map[string]string{"water_temperature_c": "38.5", "water_volume_l": "300"})
	h.Put(ins)

	first, err := c.HandleTicket(ctx, ins)
	if err != nil {
		t.Fatal(err)
	}
	// Delivered again (the daemon did not commit the first answer).
	again, err := c.HandleTicket(ctx, ins)
	if err != nil {
		t.Fatal(err)
	}
	if first != again || !first.Accept || first.Assignee != "Li Si" {
		t.Errorf("replies %+v and %+v, want the same, accepted by the technician on duty", first, again)
	}
	if !strings.Contains(first.Note, "failed: water temperature 38.5 °C is below the minimum 45 °C: repair ticket FAKE-1") {
		t.Errorf("reply note %q does not name the failure and the repair ticket", first.Note)
	}

	created := h.Created()
	if len(created) != 1 {
		t.Fatalf("created %d tickets, want exactly 1: %+v", len(created), created)
	}
	repair := created[0]
	if repair.Kind != "repair" || repair.Category != "water_temperature" || repair.Severity != "serious" ||
		repair.Location != "north-campus" || !strings.Contains(repair.Description, "38.5 °C") || !strings.Contains(repair.Description, "45 °C") ||
		repair.Fields["inspection"] != "INS-1" {
		t.Errorf("repair ticket = %+v", repair)
	}
	for _, call := range callsOf(h, "CreateTicket") {
		if call.IdempotencyKey != "INS-1/water_temperature" {
			t.Errorf("CreateTicket key = %q, want INS-1/water_temperature", call.IdempotencyKey)
		}
	}
	notes := h.Notes("INS-1")
	want := []string{
		"inspection readings recorded: water temperature 38.5 °C: too cold (limits 45–75 °C); water volume 300 L: ok (minimum 100 L)",
		"water temperature 38.5 °C is below the minimum 45 °C: repair ticket FAKE-1 opened",
	}
	if strings.Join(notes, "\n") != strings.Join(want, "\n") {
		t.Errorf("notes on the inspection =\n%s\nwant\n%s", strings.Join(notes, "\n"), strings.Join(want, "\n"))
	}
	if n := len(callsOf(h, "Transition")); n != 0 {
		t.Errorf("a failed inspection was transitioned %d times", n)
	}

	// A new plugin process (a restart) gets it once more: the idempotency
	// key still holds.
	c2 := sdktest.Run(t, engineering.New(), sdktest.Options{Department: dept, Settings: json.RawMessage(roster), Host: h})
	if _, err := c2.HandleTicket(ctx, ins); err != nil {
		t.Fatal(err)
	}
	if n := len(h.Created()); n != 1 {
		t.Errorf("after a restart and redelivery %d repair tickets exist, want 1", n)
	}
}

func TestInspectionBothChecksFail(t *testing.T) {
	c, h := run(t, roster)
	ins := inspection("INS-2", map[string]string{"water_temperature_c": "80", "water_volume_l": "40"})
	h.Put(ins)
	if _, err := c.HandleTicket(context.Background(), ins); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range h.Created() {
		got[r.Category] = r.Description
	}
	if len(got) != 2 || !strings.Contains(got["water_temperature"], "above the maximum 75 °C") ||
		!strings.Contains(got["water_volume"], "water volume 40 L is below the minimum 100 L") {
		t.Errorf("repairs = %v, want one too hot and one too little water", got)
	}
}

func TestInspectionLimitsFromSettings(t *testing.T) {
	c, h := run(t, `{"inspection": {"min_temperature_c": 30, "max_temperature_c": 90, "min_water_volume_l": 10}}`)
	ins := inspection("INS-3", map[string]string{"water_temperature_c": "38", "water_volume_l": "40"})
	h.Put(ins)
	reply, err := c.HandleTicket(context.Background(), ins)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Created()) != 0 || !strings.Contains(reply.Note, "passed") {
		t.Errorf("within the configured limits: reply %q, created %+v", reply.Note, h.Created())
	}
}

func TestInspectionPassedIsResolved(t *testing.T) {
	c, h := run(t, roster)
	ctx := context.Background()
	ins := inspection("INS-4", map[string]string{"water_temperature_c": "55", "water_volume_l": "250"})
	h.Put(ins)

	reply, err := c.HandleTicket(ctx, ins)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reply.Note, "passed") {
		t.Errorf("reply note %q does not say the inspection passed", reply.Note)
	}
	// The ticket is new while the plugin answers: it is resolved by the
	// answer itself, with the acceptance, and no host transition is made.
	if reply.Status != "resolved" || !strings.Contains(reply.StatusNote, "daily inspection passed: water temperature 55 °C: ok") {
		t.Errorf("reply %+v, want it resolved with the readings", reply)
	}
	if calls := callsOf(h, "Transition"); len(calls) != 0 {
		t.Errorf("transitions %+v, want none", calls)
	}
	if len(h.Created()) != 0 {
		t.Errorf("a passed inspection opened %+v", h.Created())
	}
	if notes := h.Notes("INS-4"); len(notes) != 1 || !strings.HasPrefix(notes[0], "inspection readings recorded: ") {
		t.Errorf("notes = %q, want the readings once", notes)
	}

	// A redelivery gives the same answer and records the readings no
	// second time.
	again, err := c.HandleTicket(ctx, ins)
	if err != nil || again.Status != "resolved" {
		t.Fatalf("redelivery: %+v, %v", again, err)
	}
	if notes := h.Notes("INS-4"); len(notes) != 1 {
		t.Errorf("notes after a redelivery = %q, want the readings once", notes)
	}
}

func TestInspectionReadingsInANote(t *testing.T) {
	c, h := run(t, roster)
	ctx := context.Background()
	ins := inspection("INS-5", nil)
	h.Put(ins)
	reply, err := c.HandleTicket(ctx, ins)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reply.Note, "note the readings") || len(h.Calls()) != 0 {
		t.Fatalf("without readings: reply %q, calls %+v; want a request for readings and no host call", reply.Note, h.Calls())
	}
	acknowledge(h, "INS-5", reply.Assignee)
	now, _ := h.Lookup("INS-5")

	ev := sdk.Event{
		ID: "INS-5/5", TicketID: "INS-5", Type: "ticket.note_added", Actor: "agent:li-si", At: time.Now(),
		Data: json.RawMessage(`{"note": "Readings: water_temperature_c=52, water_volume_l=60"}`), Ticket: now,
	}
	for i := 0; i < 2; i++ {
		if err := c.HandleEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	created := h.Created()
	if len(created) != 1 || created[0].Category != "water_volume" {
		t.Fatalf("created %+v, want one water_volume repair", created)
	}
	if now, _ := h.Lookup("INS-5"); now.Status != "acknowledged" {
		t.Errorf("a failed inspection is %s", now.Status)
	}

	// Other failing readings of the same check: the key is taken, the
	// repair opened earlier stands and no second one is opened.
	ev.ID, ev.Data = "INS-5/7", json.RawMessage(`{"note": "readings: water_temperature_c=52 water_volume_l=50"}`)
	if err := c.HandleEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if n := len(h.Created()); n != 1 {
		t.Errorf("%d repairs after new failing readings, want still 1", n)
	}
	notes := h.Notes("INS-5")
	if last := notes[len(notes)-1]; !strings.Contains(last, "the water_volume repair opened earlier for this inspection stands") {
		t.Errorf("last note = %q", last)
	}

	// Readings that pass resolve it at once: it is acknowledged already.
	ev.ID, ev.Data = "INS-5/9", json.RawMessage(`{"note": "readings: water_temperature_c=52 water_volume_l=160"}`)
	if err := c.HandleEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if now, _ := h.Lookup("INS-5"); now.Status != "resolved" {
		t.Errorf("after passing readings the inspection is %s, want resolved", now.Status)
	}
}

func TestInspectionBadReading(t *testing.T) {
	c, h := run(t, roster)
	ins := inspection("INS-6", map[string]string{"water_temperature_c": "warm", "water_volume_l": "300"})
	h.Put(ins)
	reply, err := c.HandleTicket(context.Background(), ins)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reply.Note, `water_temperature_c="warm" is not a number`) || len(h.Created()) != 0 {
		t.Errorf("reply %q, created %+v; want the bad reading named and nothing opened", reply.Note, h.Created())
	}
	time.Sleep(50 * time.Millisecond)
	acknowledge(h, "INS-6", reply.Assignee)
	time.Sleep(50 * time.Millisecond)
	if n := len(callsOf(h, "Transition")); n != 0 {
		t.Errorf("an incomplete inspection was transitioned")
	}
}
