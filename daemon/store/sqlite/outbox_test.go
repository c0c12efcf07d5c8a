package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// offerRouted is an OutboxFunc: the routed event offers the ticket to its
// department, a note goes to it as an event, the rest nowhere.
func offerRouted(tk *ticket.Ticket, ev *ticket.Event) (string, bool) {
	switch ev.Type {
	case ticket.EventRouted:
		return tk.Department, true
	case ticket.EventNote:
		return tk.Department, false
	}
	return "", false
}

// items lists the outbox of dept as "ID/vN" ("+offer" for offers).
func items(t *testing.T, s *Store, dept string) []string {
	t.Helper()
	got, err := s.Outbox(context.Background(), dept, 0, MaxOutboxLimit)
	if err != nil {
		t.Fatalf("Outbox(%s): %v", dept, err)
	}
	out := []string{}
	for _, it := range got {
		d := fmt.Sprintf("%s/v%d", it.TicketID, it.Event.Version)
		if it.Offer {
			d += "+offer"
		}
		out = append(out, d)
	}
	return out
}

// TestMigrateOutboxOffers upgrades a version 3 file: every ticket still new
// gets an offer to its department at its current version, oldest first by
// creation (not by row number); tickets in any other status get none.
func TestMigrateOutboxOffers(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v3.db")
	db := rawDB(t, path)
	if _, err := migrate(ctx, db, migrations[:3]); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	old := []struct {
		dept    string
		status  ticket.Status
		created time.Time
		events  int
	}{
		{"hot-water", ticket.StatusNew, at.Add(time.Hour), 2},     // SB-1
		{"tally", ticket.StatusDispatched, at, 3},                 // SB-2: not new
		{"tally", ticket.StatusNew, at, 2},                        // SB-3: created before SB-1
		{"hot-water", ticket.StatusClosed, at, 4},                 // SB-4: not new
		{"hot-water", ticket.StatusNew, at.Add(2 * time.Hour), 0}, // SB-5: no event at all
		{"hot-water", ticket.StatusNew, at.Add(3 * time.Hour), 3}, // SB-6: noted since routing
	}
	for i, o := range old {
		n := int64(i + 1)
		tk := ticket.Ticket{ID: ticketID(n), Kind: ticket.KindRepair, Title: "from v3", Status: o.status, Department: o.dept,
			CreatedAt: o.created, UpdatedAt: o.created, Version: int64(o.events)}
		body, err := encodeTicket(&tk)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO tickets (n, id, department, status, open, created_at, updated_at, version, body, next_due)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`, n, tk.ID, tk.Department, string(tk.Status), boolInt(tk.Open()),
			formatTime(tk.CreatedAt), formatTime(tk.UpdatedAt), tk.Version, body); err != nil {
			t.Fatal(err)
		}
		for v := 1; v <= o.events; v++ {
			typ := []string{ticket.EventCreated, ticket.EventRouted, ticket.EventNote, ticket.EventStatus}[v-1]
			if _, err := db.Exec(`INSERT INTO events (ticket_id, version, type, at, actor, data) VALUES (?, ?, ?, ?, 'v3', ?)`,
				tk.ID, v, typ, formatTime(o.created), fmt.Sprintf(`{"v":%d}`, v)); err != nil {
				t.Fatal(err)
			}
		}
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open a version 3 file: %v", err)
	}
	defer s.Close()
	if v := userVersion(t, rawDB(t, path)); v != SchemaVersion() {
		t.Fatalf("user_version %d after Open, want %d", v, SchemaVersion())
	}
	if got, want := items(t, s, "hot-water"), []string{"SB-1/v2+offer", "SB-5/v0+offer", "SB-6/v3+offer"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Outbox(hot-water) after the upgrade = %v, want %v", got, want)
	}
	if got, want := items(t, s, "tally"), []string{"SB-3/v2+offer"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Outbox(tally) after the upgrade = %v, want %v", got, want)
	}
	hot, err := s.Outbox(ctx, "hot-water", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	tally, err := s.Outbox(ctx, "tally", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !(tally[0].Seq < hot[0].Seq && hot[0].Seq < hot[1].Seq && hot[1].Seq < hot[2].Seq) {
		t.Fatalf("seqs SB-3 %d, SB-1 %d, SB-5 %d, SB-6 %d: not in creation order", tally[0].Seq, hot[0].Seq, hot[1].Seq, hot[2].Seq)
	}
	h, err := s.History(ctx, "SB-1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(hot[0].Event, h[1]) {
		t.Fatalf("SB-1's offer carries %+v, want its routed event %+v", hot[0].Event, h[1])
	}
	if want := (ticket.Event{TicketID: "SB-5", Version: 0}); !reflect.DeepEqual(hot[1].Event, want) {
		t.Fatalf("SB-5's offer (no event stored) carries %+v, want %+v", hot[1].Event, want)
	}
	if got, err := s.OutboxPending(ctx); err != nil || !reflect.DeepEqual(got, map[string]int{"hot-water": 3, "tally": 1}) {
		t.Fatalf("OutboxPending after the upgrade = %v, %v", got, err)
	}
}

// TestOutboxBatchRollsBackFailuresAlone puts, in one group-commit batch,
// writes whose outbox items are kept and requests that write events and
// items and then fail: only the failing ones lose their items.
func TestOutboxBatchRollsBackFailuresAlone(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	s.SetOutbox(offerRouted)
	a, _, _, err := s.Create(ctx, newTicket("a"), createdEvents(), store.Idempotency{})
	if err != nil {
		t.Fatal(err)
	}
	errBoom := errors.New("boom")

	release := holdWriter(t, s)
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, _, err := s.Update(ctx, a.ID, note("kept 1")); err != nil {
			t.Errorf("Update: %v", err)
		}
	})
	waitQueued(t, s, 1)
	wg.Go(func() { // writes a note and its item, then fails
		s.submit(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if _, _, err := s.update(ctx, tx, a.ID, note("rolled back")); err != nil {
				return err
			}
			return errBoom
		})
	})
	waitQueued(t, s, 2)
	wg.Go(func() { // creates a ticket with its offer, then fails
		s.submit(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if _, _, _, err := s.create(ctx, tx, newTicket("rolled back"), createdEvents(), store.Idempotency{}); err != nil {
				return err
			}
			return errBoom
		})
	})
	waitQueued(t, s, 3)
	wg.Go(func() {
		if _, _, _, err := s.Create(ctx, newTicket("kept"), createdEvents(), store.Idempotency{}); err != nil {
			t.Errorf("Create: %v", err)
		}
	})
	waitQueued(t, s, 4)
	wg.Go(func() {
		if _, _, err := s.Update(ctx, a.ID, note("kept 2")); err != nil {
			t.Errorf("Update: %v", err)
		}
	})
	waitQueued(t, s, 5)
	release()
	wg.Wait()

	if got := s.stats.largest.Load(); got != 5 {
		t.Fatalf("largest batch %d, want the 5 requests in one", got)
	}
	// The seqs of the rolled-back events were reused: SB-2 is the kept
	// Create, a's notes are versions 3 and 4.
	want := []string{"SB-1/v2+offer", "SB-1/v3", "SB-2/v2+offer", "SB-1/v4"}
	if got := items(t, s, "hot-water"); !reflect.DeepEqual(got, want) {
		t.Fatalf("Outbox after the batch = %v, want %v", got, want)
	}
	got, err := s.Outbox(ctx, "hot-water", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range got {
		if it.Event.Actor == "rolled back" {
			t.Fatalf("item %d carries an event of a failed request: %+v", it.Seq, it.Event)
		}
	}
}

// TestOutboxLimits: a limit of 0 or less reads DefaultOutboxLimit items, a
// larger one than MaxOutboxLimit reads MaxOutboxLimit.
func TestOutboxLimits(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	s.SetOutbox(offerRouted)
	tk, _, _, err := s.Create(ctx, newTicket("busy"), nil, store.Idempotency{})
	if err != nil {
		t.Fatal(err)
	}
	many := make([]ticket.Event, MaxOutboxLimit+5)
	for i := range many {
		many[i] = ticket.Event{Type: ticket.EventNote, Actor: "meter"}
	}
	if _, _, err := s.Update(ctx, tk.ID, func(*ticket.Ticket) ([]ticket.Event, error) { return many, nil }); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ limit, want int }{
		{0, DefaultOutboxLimit}, {-3, DefaultOutboxLimit}, {7, 7}, {MaxOutboxLimit * 3, MaxOutboxLimit},
	} {
		got, err := s.Outbox(ctx, "hot-water", 0, tc.limit)
		if err != nil || len(got) != tc.want {
			t.Errorf("Outbox(limit %d) = %d items, %v; want %d", tc.limit, len(got), err, tc.want)
		}
	}
}

// TestOutboxAckAfterClose: AckOutbox, a write, fails once the store is
// closed, naming what it was doing.
func TestOutboxAckAfterClose(t *testing.T) {
	s, _ := openTemp(t)
	s.Close()
	err := s.AckOutbox(context.Background(), []int64{1})
	if !errors.Is(err, ErrClosed) || !strings.Contains(err.Error(), "acknowledge 1 outbox items") {
		t.Fatalf("AckOutbox after Close = %v, want ErrClosed naming the acknowledgement", err)
	}
}

// TestOutboxQueryPlans: Outbox walks the department's index in seq order
// and finds each event by its key; OutboxPending reads only the index.
func TestOutboxQueryPlans(t *testing.T) {
	s, _ := openTemp(t)
	tests := []struct {
		query string
		args  []any
		want  []string
	}{
		{outboxSQL, []any{"hot-water", 0, 10},
			[]string{"SEARCH o USING INDEX outbox_department (department=? AND seq>?)", "SEARCH e USING INDEX sqlite_autoindex_events_1 (ticket_id=? AND version=?)"}},
		{outboxCountSQL, nil, []string{"USING COVERING INDEX outbox_department"}},
		{ackOutboxSQL, []any{"[1,2]"}, []string{"USING INTEGER PRIMARY KEY (rowid=?)"}},
	}
	for _, tc := range tests {
		got := queryPlan(t, s.w, tc.query, tc.args...)
		for _, want := range tc.want {
			if !strings.Contains(got, want) || strings.Contains(got, "TEMP B-TREE") {
				t.Errorf("plan of %.40q… = %q, want %q and no sort", tc.query, got, want)
			}
		}
	}
}
