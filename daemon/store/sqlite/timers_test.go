package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// TestTimersAfterUpgrade: a file written at schema version 2 (before
// next_due) opens at version 3 with every ticket's timer not known, and a
// write stores it.
func TestTimersAfterUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db := rawDB(t, path)
	if _, err := migrate(ctx, db, migrations[:2]); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO tickets (n, id, department, status, open, created_at, updated_at, version, body)
		VALUES (1, 'SB-1', 'hot-water', 'new', 1, '2026-03-14T09:00:00.000000000Z', '2026-03-14T09:00:00.000000000Z', 0,
		'{"id":"SB-1","kind":"repair","status":"new","department":"hot-water","sla":[{"target":"resolution","due_at":"2026-03-14T11:00:00Z","state":"pending"}]}')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list := func() []store.Timer {
		var out []store.Timer
		if err := s.Timers(ctx, func(tm store.Timer) error { out = append(out, tm); return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := list(); len(got) != 1 || got[0].TicketID != "SB-1" || got[0].Known {
		t.Fatalf("Timers after the upgrade = %+v, want SB-1 not known", got)
	}
	due := time.Date(2026, 3, 14, 11, 0, 0, 0, time.UTC)
	s.SetNextDue(func(tk *ticket.Ticket) (time.Time, bool) { return tk.SLA[0].DueAt, true })
	if _, _, err := s.Update(ctx, "SB-1", note("seen")); err != nil {
		t.Fatal(err)
	}
	if got := list(); len(got) != 1 || !got[0].Known || !got[0].At.Equal(due) {
		t.Fatalf("Timers after a write = %+v, want SB-1 known at %v", got, due)
	}
}

// TestTimersQueryPlans: Timers reads only its covering index, and the
// status listing uses the status index: neither scans the tickets table.
func TestTimersQueryPlans(t *testing.T) {
	s, _ := openTemp(t)
	tests := []struct {
		query string
		args  []any
		want  string
	}{
		{`SELECT id, next_due FROM tickets INDEXED BY tickets_timers
			WHERE open = 1 AND (next_due IS NULL OR next_due <> ?) ORDER BY next_due`, []any{noTimer}, "USING COVERING INDEX tickets_timers"},
		{`SELECT n, id, department FROM tickets WHERE status = ? AND n > ? ORDER BY n LIMIT ?`, []any{"new", 0, 10}, "USING INDEX tickets_status"},
	}
	for _, tc := range tests {
		got := queryPlan(t, s.r, tc.query, tc.args...)
		if !strings.Contains(got, tc.want) || strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("plan of %.40q… = %q, want %q and no sort", tc.query, got, tc.want)
		}
	}
}

// queryPlan is SQLite's plan for query on db, its steps joined by "; ".
func queryPlan(t *testing.T, db *sql.DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var (
			id, parent, unused int
			detail             string
		)
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "; ")
}

// TestBulkCreate: BulkCreate stores tickets as Create does, across chunks,
// with their events and next-due times.
func TestBulkCreate(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	base := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	s.SetNextDue(func(tk *ticket.Ticket) (time.Time, bool) { return tk.CreatedAt.Add(time.Hour), true })
	defer func(c int) { bulkChunk = c }(bulkChunk)
	bulkChunk = 50
	n := 2*bulkChunk + 3
	err := s.BulkCreate(ctx, n, func(i int) (ticket.Ticket, []ticket.Event) {
		tk := newTicket("bulk")
		tk.CreatedAt = base.Add(time.Duration(i) * time.Second)
		return tk, createdEvents()
	})
	if err != nil {
		t.Fatal(err)
	}
	if last, err := s.LastSeq(ctx); err != nil || last != int64(n*len(createdEvents())) {
		t.Fatalf("LastSeq = %d, %v; want %d", last, err, n*len(createdEvents()))
	}
	tk := checkDense(t, s, "SB-103")
	if len(tk) != len(createdEvents()) {
		t.Fatalf("SB-103 has %d events", len(tk))
	}
	var count int
	var first store.Timer
	s.Timers(ctx, func(tm store.Timer) error {
		if count == 0 {
			first = tm
		}
		count++
		return nil
	})
	if count != n || first.TicketID != "SB-1" || !first.At.Equal(base.Add(time.Hour)) {
		t.Fatalf("Timers: %d, first %+v", count, first)
	}
	err = s.BulkCreate(ctx, 2, func(int) (ticket.Ticket, []ticket.Event) {
		return newTicket("bad"), []ticket.Event{{Actor: "no type"}}
	})
	if err == nil || !strings.Contains(err.Error(), "ticket 0") || !strings.Contains(err.Error(), "events[0].type") {
		t.Fatalf("BulkCreate with a bad event = %v, want an error naming ticket 0 and events[0].type", err)
	}
}
