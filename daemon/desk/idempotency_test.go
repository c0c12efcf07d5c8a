package desk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/sla/slatest"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// TestIdempotencyFingerprint reuses one key with submissions that are the
// same once normalised (replays) and with submissions that differ in one
// intake field each (refused, nothing stored).
func TestIdempotencyFingerprint(t *testing.T) {
	e := newEnv(t, "", slatest.NewFakeClock(t0), &fakePlugins{handleTicket: accept("Chen")})
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 18, 0, 0, 0, time.FixedZone("CST", 8*3600))
	base := func() ticket.Ticket {
		return ticket.Ticket{
			Kind: ticket.KindRepair, Category: "valve", Severity: "serious", Tier: "general",
			Title: "Valve leaking", Description: "under the sink",
			Reporter: ticket.Reporter{Name: "Liu", Contact: "138"}, Location: "Dorm 7", Asset: "V-1",
			Fields: map[string]string{"floor": "3"}, EventAt: &at,
		}
	}
	first, created, err := e.desk.Create(ctx, base(), "k1", "agent")
	if err != nil || !created {
		t.Fatalf("first Create: created %v, %v", created, err)
	}

	same := []struct {
		name   string
		change func(*ticket.Ticket)
	}{
		{"identical", func(*ticket.Ticket) {}},
		{"spacing trimmed by Normalize", func(tk *ticket.Ticket) {
			tk.Title, tk.Category, tk.Reporter.Name = "  Valve leaking ", " valve", "Liu  "
		}},
		{"event_at in another zone", func(tk *ticket.Ticket) { u := at.UTC(); tk.EventAt = &u }},
		{"tier left to its default", func(tk *ticket.Ticket) { tk.Tier = "" }},
		{"another actor's server fields", func(tk *ticket.Ticket) { tk.Status, tk.Department = ticket.StatusClosed, "finance" }},
	}
	for _, tc := range same {
		tk := base()
		tc.change(&tk)
		got, created, err := e.desk.Create(ctx, tk, "k1", "someone else")
		if err != nil || created || got.ID != first.ID {
			t.Errorf("%s: %s created %v, %v; want %s replayed", tc.name, got.ID, created, err, first.ID)
		}
	}

	differ := []struct {
		name   string
		change func(*ticket.Ticket)
	}{
		{"kind", func(tk *ticket.Ticket) { tk.Kind = ticket.KindComplaint }},
		{"category", func(tk *ticket.Ticket) { tk.Category = "boiler" }},
		{"severity", func(tk *ticket.Ticket) { tk.Severity = "minor" }},
		{"tier", func(tk *ticket.Ticket) { tk.Tier = "vip" }},
		{"title", func(tk *ticket.Ticket) { tk.Title = "Valve burst" }},
		{"description", func(tk *ticket.Ticket) { tk.Description = "under the sink, now flooding" }},
		{"reporter", func(tk *ticket.Ticket) { tk.Reporter.Contact = "139" }},
		{"location", func(tk *ticket.Ticket) { tk.Location = "Dorm 8" }},
		{"asset", func(tk *ticket.Ticket) { tk.Asset = "V-2" }},
		{"fields", func(tk *ticket.Ticket) { tk.Fields = map[string]string{"floor": "4"} }},
		{"no fields", func(tk *ticket.Ticket) { tk.Fields = nil }},
		{"event_at", func(tk *ticket.Ticket) { later := at.Add(time.Minute); tk.EventAt = &later }},
		{"no event_at", func(tk *ticket.Ticket) { tk.EventAt = nil }},
	}
	for _, tc := range differ {
		tk := base()
		tc.change(&tk)
		_, created, err := e.desk.Create(ctx, tk, "k1", "agent")
		var ie *store.IdempotencyError
		if !errors.As(err, &ie) || !errors.Is(err, store.ErrIdempotencyReused) || created {
			t.Errorf("another %s: created %v, %v; want a *store.IdempotencyError", tc.name, created, err)
			continue
		}
		if ie.Key != "k1" || ie.TicketID != first.ID {
			t.Errorf("another %s: error names %q and %s, want k1 and %s", tc.name, ie.Key, ie.TicketID, first.ID)
		}
	}

	// An empty and an absent fields map are the same submission.
	tk := base()
	tk.Fields = nil
	a, _, err := e.desk.Create(ctx, tk, "k-empty", "agent")
	if err != nil {
		t.Fatal(err)
	}
	tk.Fields = map[string]string{}
	if b, created, err := e.desk.Create(ctx, tk, "k-empty", "agent"); err != nil || created || b.ID != a.ID {
		t.Errorf("empty fields after absent: %s created %v, %v; want %s replayed", b.ID, created, err, a.ID)
	}

	page, err := e.st.List(ctx, store.Filter{})
	if err != nil || len(page.Tickets) != 2 {
		t.Fatalf("%d tickets stored, %v; want 2", len(page.Tickets), err)
	}
	e.waitStatus(first.ID, ticket.StatusAcknowledged)
	if n := e.plugins.callsFor(first.ID); n != 1 {
		t.Errorf("plugin got the ticket %d times", n)
	}
}
