package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// wantReused fails t unless err is the refusal of key, first used for id.
func wantReused(t *testing.T, what string, err error, key, id string) {
	t.Helper()
	var ie *store.IdempotencyError
	if !errors.As(err, &ie) || !errors.Is(err, store.ErrIdempotencyReused) {
		t.Fatalf("%s = %v, want a *store.IdempotencyError matching ErrIdempotencyReused", what, err)
	}
	if ie.Key != key || ie.TicketID != id {
		t.Fatalf("%s: error names key %q and ticket %s, want %q and %s", what, ie.Key, ie.TicketID, key, id)
	}
	for _, want := range []string{key, id} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: message %q does not name %q", what, err, want)
		}
	}
}

// testIdempotencyFingerprint checks that a key reused with another
// fingerprint is refused without writing, and that "" matches anything.
func testIdempotencyFingerprint(t *testing.T, s store.Store) {
	first, _, ok, err := s.Create(ctx(t), sample(1, "d"), []ticket.Event{created(1)},
		store.Idempotency{Key: "k1", Fingerprint: "fp-a"})
	if err != nil || !ok {
		t.Fatalf("first Create = created %v, %v", ok, err)
	}
	seq := lastSeq(t, s)

	// Refusals first, so that a store that wrongly wrote one is caught by
	// the counts below.
	for _, fp := range []string{"fp-b", "FP-A", "fp-a "} {
		tk, evs, ok, err := s.Create(ctx(t), sample(2, "d"), []ticket.Event{created(2)},
			store.Idempotency{Key: "k1", Fingerprint: fp})
		wantReused(t, fmt.Sprintf("Create with fingerprint %q", fp), err, "k1", first.ID)
		if ok || evs != nil || tk.ID != "" {
			t.Fatalf("refused Create returned created %v, %d events, ticket %q", ok, len(evs), tk.ID)
		}
	}
	if got := lastSeq(t, s); got != seq {
		t.Fatalf("refused Creates wrote events: LastSeq %d → %d", seq, got)
	}
	if p, err := s.List(ctx(t), store.Filter{}); err != nil || len(p.Tickets) != 1 {
		t.Fatalf("List after refusals: %d tickets, %v; want 1", len(p.Tickets), err)
	}

	// The same fingerprint, or none, is a replay.
	for _, fp := range []string{"fp-a", ""} {
		again, evs, ok, err := s.Create(ctx(t), sample(3, "d"), []ticket.Event{created(3)},
			store.Idempotency{Key: "k1", Fingerprint: fp})
		if err != nil || ok || evs != nil {
			t.Fatalf("replay with fingerprint %q = created %v, %d events, %v; want a replay", fp, ok, len(evs), err)
		}
		equalTicket(t, fmt.Sprintf("replay with fingerprint %q", fp), again, first)
	}
	// The refusals did not spend a ticket number.
	next := mustCreate(t, s, sample(4, "d"), 4)
	if idNumber(t, next.ID) != idNumber(t, first.ID)+1 {
		t.Errorf("ticket after %s is %s", first.ID, next.ID)
	}

	// A key stored without a fingerprint (as before fingerprints existed)
	// matches any request.
	old, _, ok, err := s.Create(ctx(t), sample(5, "d"), []ticket.Event{created(5)}, store.Idempotency{Key: "k-old"})
	if err != nil || !ok {
		t.Fatalf("Create without fingerprint = created %v, %v", ok, err)
	}
	for _, fp := range []string{"fp-x", "fp-y", ""} {
		again, _, ok, err := s.Create(ctx(t), sample(6, "d"), nil, store.Idempotency{Key: "k-old", Fingerprint: fp})
		if err != nil || ok || again.ID != old.ID {
			t.Fatalf("replay of a key without fingerprint, with %q = %s created %v, %v; want %s replayed", fp, again.ID, ok, err, old.ID)
		}
	}

	// The fingerprint belongs to the key: another key with a fingerprint
	// already seen creates a ticket.
	other, _, ok, err := s.Create(ctx(t), sample(7, "d"), nil, store.Idempotency{Key: "k2", Fingerprint: "fp-a"})
	if err != nil || !ok || other.ID == first.ID {
		t.Fatalf("another key, same fingerprint = %s created %v, %v; want a new ticket", other.ID, ok, err)
	}
}

// testConcurrentKeyReuse races workers on one key, each with its own
// fingerprint: one creates the ticket, every other is refused naming it,
// and nothing else is written.
func testConcurrentKeyReuse(t *testing.T, s store.Store) {
	const workers = 12
	c := ctx(t)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		winners []string
		refused []error
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tk, _, ok, err := s.Create(c, sample(w, "d"), []ticket.Event{created(w)},
				store.Idempotency{Key: "contested", Fingerprint: fmt.Sprintf("fp-%d", w)})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				refused = append(refused, err)
			case ok:
				winners = append(winners, tk.ID)
			default:
				refused = append(refused, fmt.Errorf("replayed %s although every fingerprint differs", tk.ID))
			}
		}()
	}
	wg.Wait()
	if len(winners) != 1 || len(refused) != workers-1 {
		t.Fatalf("%d created %v, %d refused; want 1 and %d", len(winners), winners, len(refused), workers-1)
	}
	for i, err := range refused {
		wantReused(t, fmt.Sprintf("refusal %d", i), err, "contested", winners[0])
	}
	if p, err := s.List(c, store.Filter{}); err != nil || len(p.Tickets) != 1 {
		t.Fatalf("List: %d tickets, %v; want 1", len(p.Tickets), err)
	}
	if seq := lastSeq(t, s); seq != 1 {
		t.Fatalf("LastSeq %d, want 1: refused requests wrote events", seq)
	}
}
