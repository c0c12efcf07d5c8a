package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/store/storetest"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

func openTemp(t testing.TB, opts ...Option) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "switchboard.db")
	s, err := Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, path
}

func TestSuite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := openTemp(t)
		return s
	}, storetest.WithReopen(func(t *testing.T, s store.Store) store.Store {
		again, err := Open(context.Background(), s.(*Store).Path())
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		t.Cleanup(func() { again.Close() })
		return again
	}))
}

func TestOpenSettings(t *testing.T) {
	s, path := openTemp(t)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("store file not created with its directory: %v", err)
	}
	ctx := context.Background()
	tests := []struct {
		db     *sql.DB
		pragma string
		want   string
	}{
		{s.w, "journal_mode", "wal"},
		{s.w, "synchronous", "2"}, // FULL
		{s.w, "foreign_keys", "1"},
		{s.w, "busy_timeout", "10000"},
		{s.w, "cache_size", fmt.Sprint(-writerCacheKiB)},
		{s.r, "foreign_keys", "1"},
		{s.r, "query_only", "1"},
		{s.r, "journal_mode", "wal"},
	}
	for _, tc := range tests {
		var got string
		if err := tc.db.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", tc.pragma, err)
		}
		if got != tc.want {
			t.Errorf("PRAGMA %s = %s, want %s", tc.pragma, got, tc.want)
		}
	}
	if _, err := s.r.ExecContext(ctx, "DELETE FROM tickets"); err == nil {
		t.Error("the read pool accepted a write")
	}
}

func TestOpenBadPath(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	notDB := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("not a database ", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"empty", "", "empty path"},
		{"parent is a file", filepath.Join(file, "sub", "s.db"), "create directory"},
		{"not a database", notDB, "garbage.db"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(context.Background(), tc.path)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded", tc.path)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "sqlite: ") {
				t.Fatalf("Open(%q) = %v, want an error mentioning %q", tc.path, err, tc.want)
			}
		})
	}
}

func TestPathWithSpecialCharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "desk #1 ?50% 温水", "s.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if _, _, _, err := s.Create(context.Background(), ticket.Ticket{Status: ticket.StatusNew}, nil, store.Idempotency{}); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the file is not where asked: %v", err)
	}
}

func TestWithNow(t *testing.T) {
	now := time.Date(2026, 5, 1, 9, 0, 0, 123456789, time.UTC)
	s, _ := openTemp(t, WithNow(func() time.Time { return now }))
	ctx := context.Background()

	tk, evs, _, err := s.Create(ctx, ticket.Ticket{Status: ticket.StatusNew}, []ticket.Event{{Type: ticket.EventCreated}}, store.Idempotency{})
	if err != nil {
		t.Fatal(err)
	}
	if !tk.CreatedAt.Equal(now) || !tk.UpdatedAt.Equal(now) || !evs[0].At.Equal(now) {
		t.Fatalf("created %v updated %v event %v; want all %v", tk.CreatedAt, tk.UpdatedAt, evs[0].At, now)
	}

	createdAt := now
	now = now.Add(90 * time.Minute)
	tk, evs, err = s.Update(ctx, tk.ID, func(cur *ticket.Ticket) ([]ticket.Event, error) {
		cur.ID, cur.CreatedAt, cur.Version = "SB-999", time.Time{}, 42 // the store owns these
		return []ticket.Event{{Type: ticket.EventNote}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, tk.ID); tk.ID != "SB-1" || got.Version != 2 || !got.CreatedAt.Equal(createdAt) {
		t.Fatalf("fn overrode store-owned fields: %s version %d created %v", got.ID, got.Version, got.CreatedAt)
	}
	if !tk.UpdatedAt.Equal(now) || !evs[0].At.Equal(now) || !tk.CreatedAt.Equal(createdAt) {
		t.Fatalf("after update: created %v updated %v event %v; want updated and event %v", tk.CreatedAt, tk.UpdatedAt, evs[0].At, now)
	}
}

// TestDurableAcrossRestart closes the store and opens the file again: every
// ticket, event, key and the ID sequence must come back.
func TestDurableAcrossRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 10 {
		tk, _, _, err := s.Create(ctx, ticket.Ticket{Title: "t", Status: ticket.StatusNew, Department: "hot-water"},
			[]ticket.Event{{Type: ticket.EventCreated}}, store.Idempotency{Key: "key-" + string(rune('a'+i)), Fingerprint: "fp"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tk.ID)
	}
	closed, _, err := s.Update(ctx, ids[0], func(tk *ticket.Ticket) ([]ticket.Event, error) {
		tk.Status = ticket.StatusClosed
		return []ticket.Event{{Type: ticket.EventStatus, Data: []byte(`{"to":"closed"}`)}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seq, _ := s.LastSeq(ctx)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if got, err := s.Get(ctx, ids[0]); err != nil || got.Status != ticket.StatusClosed || got.Version != 2 || !got.UpdatedAt.Equal(closed.UpdatedAt) {
		t.Fatalf("after reopen Get = %+v, %v", got, err)
	}
	if got, _ := s.LastSeq(ctx); got != seq {
		t.Fatalf("after reopen LastSeq = %d, want %d", got, seq)
	}
	if counts, _ := s.CountOpen(ctx); counts["hot-water"] != 9 {
		t.Fatalf("after reopen CountOpen = %v, want 9 open", counts)
	}
	again, _, created, err := s.Create(ctx, ticket.Ticket{}, nil, store.Idempotency{Key: "key-c", Fingerprint: "fp"})
	if err != nil || created || again.ID != ids[2] {
		t.Fatalf("after reopen, key-c = %s created %v, %v; want %s replayed", again.ID, created, err, ids[2])
	}
	_, _, _, err = s.Create(ctx, ticket.Ticket{}, nil, store.Idempotency{Key: "key-c", Fingerprint: "other"})
	if ie := (*store.IdempotencyError)(nil); !errors.As(err, &ie) || ie.TicketID != ids[2] {
		t.Fatalf("after reopen, key-c with another fingerprint = %v; want refused, naming %s", err, ids[2])
	}
	next, _, _, err := s.Create(ctx, ticket.Ticket{Status: ticket.StatusNew}, nil, store.Idempotency{})
	if err != nil || next.ID != "SB-11" {
		t.Fatalf("after reopen the next ID = %q, %v; want SB-11", next.ID, err)
	}
}

func TestCorruptRowIsAnError(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	tk, _, _, err := s.Create(ctx, ticket.Ticket{Status: ticket.StatusNew}, nil, store.Idempotency{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE tickets SET body = '{"id":' WHERE id = ?`, tk.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, tk.ID); err == nil || errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), tk.ID) {
		t.Fatalf("Get of a corrupt row = %v, want a decode error naming %s", err, tk.ID)
	}
	if _, _, err := s.Update(ctx, tk.ID, func(*ticket.Ticket) ([]ticket.Event, error) { return nil, nil }); err == nil {
		t.Fatal("Update of a corrupt row succeeded")
	}
}
