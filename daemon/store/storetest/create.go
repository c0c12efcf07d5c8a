package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// full is a ticket with every field set, as it stands after routing and
// SLA planning.
func full() ticket.Ticket {
	eventAt := base.Add(26 * time.Hour)
	metAt := base.Add(7 * time.Minute)
	tk := sample(1, "hot-water")
	tk.ID = "caller-supplied-id-is-ignored"
	tk.Kind = ticket.KindComplaint
	tk.Tier = "vip"
	tk.Description = "Third complaint this week.\nWater is lukewarm — 温水 only."
	tk.Asset = "boiler B-2"
	tk.Fields = map[string]string{"room": "712", "ship": "MV Ocean Star", "empty": ""}
	tk.EventAt = &eventAt
	tk.Assignee = "zhang.engineer"
	tk.Policy = "hot-water-serious"
	tk.SLA = []ticket.Target{
		{Name: "response", DueAt: base.Add(10 * time.Minute), WarnAt: base.Add(8 * time.Minute),
			State: ticket.TargetMet, MetAt: &metAt, Escalation: "hot-water"},
		{Name: "resolution", DueAt: base.Add(9 * time.Hour).In(time.UTC), WarnAt: base.Add(7 * time.Hour),
			State: ticket.TargetWarning, Escalation: "hot-water",
			Fired: []string{"warning", "level:duty engineer@warning+0s"}},
	}
	tk.UpdatedAt = base.Add(time.Second)
	return tk
}

func testCreateGetRoundTrip(t *testing.T, s store.Store) {
	in := full()
	// Data kept byte for byte: odd spacing and key order must survive.
	data := json.RawMessage(`{"z": 1,  "a":[1, 2,3],"s":"温水"}`)
	evs := []ticket.Event{
		ticket.NewEvent(ticket.EventCreated, "agent:wang", base, nil),
		{Type: ticket.EventRouted, Actor: "router", At: base.Add(time.Millisecond + 7), Data: data},
	}
	stored, outEvs, ok, err := s.Create(ctx(t), in, evs, store.Idempotency{})
	if err != nil || !ok {
		t.Fatalf("Create = created %v, %v", ok, err)
	}
	if stored.ID == "" || stored.ID == in.ID {
		t.Fatalf("Create kept or left empty the ID: %q", stored.ID)
	}
	idNumber(t, stored.ID)

	want := in
	want.ID = stored.ID
	want.Version = 2
	equalTicket(t, "Create returned", stored, want)
	equalTicket(t, "Get", get(t, s, stored.ID), want)

	if len(outEvs) != 2 {
		t.Fatalf("Create returned %d events, want 2", len(outEvs))
	}
	for i, ev := range outEvs {
		if ev.TicketID != stored.ID || ev.Version != int64(i+1) || ev.Seq <= 0 {
			t.Errorf("event %d: ticket %q version %d seq %d; want %q, %d, >0", i, ev.TicketID, ev.Version, ev.Seq, stored.ID, i+1)
		}
		if !ev.At.Equal(evs[i].At) || ev.Type != evs[i].Type || ev.Actor != evs[i].Actor {
			t.Errorf("event %d = %+v, want the fields of %+v", i, ev, evs[i])
		}
	}
	if outEvs[1].Seq <= outEvs[0].Seq {
		t.Errorf("seqs %d, %d not increasing", outEvs[0].Seq, outEvs[1].Seq)
	}
	if string(outEvs[1].Data) != string(data) || outEvs[0].Data != nil {
		t.Errorf("returned data %q and %q, want nil and %q", outEvs[0].Data, outEvs[1].Data, data)
	}
	h := history(t, s, stored.ID)
	equalEvents(t, "History", h, outEvs)
	if string(h[1].Data) != string(data) {
		t.Errorf("History data %q, want byte-identical %q", h[1].Data, data)
	}
	if evs[0].Seq != 0 || evs[0].TicketID != "" {
		t.Errorf("Create changed the caller's events: %+v", evs[0])
	}
}

func testCreateDefaults(t *testing.T, s store.Store) {
	in := sample(1, "hot-water")
	in.CreatedAt, in.UpdatedAt = time.Time{}, time.Time{}
	ev := ticket.Event{Type: ticket.EventCreated, Actor: "api"}
	stored, evs, _, err := s.Create(ctx(t), in, []ticket.Event{ev}, store.Idempotency{})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if stored.CreatedAt.IsZero() || stored.UpdatedAt.IsZero() || evs[0].At.IsZero() {
		t.Fatalf("zero times not defaulted: created %v updated %v event %v", stored.CreatedAt, stored.UpdatedAt, evs[0].At)
	}
	got := get(t, s, stored.ID)
	if !got.CreatedAt.Equal(stored.CreatedAt) || !got.UpdatedAt.Equal(stored.UpdatedAt) {
		t.Fatalf("Get times %v/%v, Create returned %v/%v", got.CreatedAt, got.UpdatedAt, stored.CreatedAt, stored.UpdatedAt)
	}
	if h := history(t, s, stored.ID); !h[0].At.Equal(evs[0].At) {
		t.Fatalf("History at %v, Create returned %v", h[0].At, evs[0].At)
	}
}

func testCreateRejectsBadEvents(t *testing.T, s store.Store) {
	tests := []struct {
		name  string
		ev    ticket.Event
		field string
	}{
		{"no type", ticket.Event{Actor: "api", At: base}, "events[0].type"},
		{"bad JSON data", ticket.Event{Type: ticket.EventNote, At: base, Data: json.RawMessage(`{"a":`)}, "events[0].data"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := s.Create(ctx(t), sample(1, "d"), []ticket.Event{tc.ev}, store.Idempotency{})
			var fe *ticket.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Fatalf("Create = %v, want a *ticket.FieldError on %s", err, tc.field)
			}
		})
	}
	if seq := lastSeq(t, s); seq != 0 {
		t.Fatalf("rejected creates wrote events: LastSeq = %d", seq)
	}
	if p, err := s.List(ctx(t), store.Filter{}); err != nil || len(p.Tickets) != 0 {
		t.Fatalf("rejected creates wrote tickets: %d, %v", len(p.Tickets), err)
	}
}

func testIDs(t *testing.T, s store.Store) {
	var prev int64
	seen := map[string]bool{}
	for i := range 20 {
		tk := mustCreate(t, s, sample(i, "d"), i)
		if seen[tk.ID] {
			t.Fatalf("ID %s assigned twice", tk.ID)
		}
		seen[tk.ID] = true
		n := idNumber(t, tk.ID)
		if n <= prev {
			t.Fatalf("ID %s after SB-%d: not increasing", tk.ID, prev)
		}
		prev = n
	}
}

func testIdempotency(t *testing.T, s store.Store) {
	idem := store.Idempotency{Key: "key-1", Fingerprint: "fp-1"}
	first, evs, ok, err := s.Create(ctx(t), sample(1, "d"), []ticket.Event{created(1)}, idem)
	if err != nil || !ok || len(evs) != 1 {
		t.Fatalf("first Create = created %v, %d events, %v", ok, len(evs), err)
	}
	seq := lastSeq(t, s)

	// The store compares fingerprints, not tickets: a retry carrying the
	// same fingerprint is the same request.
	retry := sample(2, "other")
	again, evs, ok, err := s.Create(ctx(t), retry, []ticket.Event{created(2)}, idem)
	if err != nil {
		t.Fatalf("retried Create: %v", err)
	}
	if ok || evs != nil {
		t.Fatalf("retried Create = created %v, %d events; want false, nil", ok, len(evs))
	}
	equalTicket(t, "retried Create returned", again, first)
	if got := lastSeq(t, s); got != seq {
		t.Fatalf("retried Create wrote events: LastSeq %d → %d", seq, got)
	}
	if h := history(t, s, first.ID); len(h) != 1 {
		t.Fatalf("history has %d events after the retry, want 1", len(h))
	}
	if p, err := s.List(ctx(t), store.Filter{}); err != nil || len(p.Tickets) != 1 {
		t.Fatalf("List after retry: %d tickets, %v; want 1", len(p.Tickets), err)
	}

	// The key still answers after the ticket has moved on.
	moved := setStatus(t, s, first.ID, ticket.StatusDispatched)
	again, _, ok, err = s.Create(ctx(t), retry, nil, idem)
	if err != nil || ok || again.Version != moved.Version {
		t.Fatalf("retry after update = created %v, version %d, %v; want false, %d", ok, again.Version, err, moved.Version)
	}

	other, _, ok, err := s.Create(ctx(t), retry, []ticket.Event{created(2)}, store.Idempotency{Key: "key-2", Fingerprint: idem.Fingerprint})
	if err != nil || !ok || other.ID == first.ID {
		t.Fatalf("Create with another key = %s created %v, %v; want a new ticket", other.ID, ok, err)
	}
	for i := range 2 {
		noKey, _, ok, err := s.Create(ctx(t), retry, nil, store.Idempotency{})
		if err != nil || !ok || noKey.ID == other.ID {
			t.Fatalf("Create %d without key = %s created %v, %v; want a new ticket", i, noKey.ID, ok, err)
		}
	}
}

func testNotFound(t *testing.T, s store.Store) {
	mustCreate(t, s, sample(1, "d"), 1)
	for _, id := range []string{"SB-999999", "", "nope", "sb-1", "SB-1 "} {
		t.Run(fmt.Sprintf("%q", id), func(t *testing.T) {
			if _, err := s.Get(ctx(t), id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Get = %v, want ErrNotFound", err)
			}
			if _, err := s.History(ctx(t), id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("History = %v, want ErrNotFound", err)
			}
			called := false
			_, _, err := s.Update(ctx(t), id, func(*ticket.Ticket) ([]ticket.Event, error) {
				called = true
				return nil, nil
			})
			if !errors.Is(err, store.ErrNotFound) || called {
				t.Errorf("Update = %v (fn called %v), want ErrNotFound without calling fn", err, called)
			}
		})
	}
}
