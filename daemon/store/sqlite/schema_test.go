package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// rawDB opens path without the store, as another tool would.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func userVersion(t *testing.T, db *sql.DB) int {
	t.Helper()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	db := rawDB(t, filepath.Join(t.TempDir(), "m.db"))
	extended := append(append([]string{}, migrations...), `ALTER TABLE tickets ADD COLUMN extra TEXT NOT NULL DEFAULT ''`)

	steps := []struct {
		name        string
		migrations  []string
		wantApplied int
	}{
		{"fresh file", migrations, len(migrations)},
		{"reopened", migrations, 0},
		{"reopened again", migrations, 0},
		{"one step added", extended, 1},
		{"reopened after the step", extended, 0},
	}
	for _, st := range steps {
		applied, err := migrate(ctx, db, st.migrations)
		if err != nil {
			t.Fatalf("%s: migrate: %v", st.name, err)
		}
		if applied != st.wantApplied {
			t.Fatalf("%s: applied %d steps, want %d", st.name, applied, st.wantApplied)
		}
		if v := userVersion(t, db); v != len(st.migrations) {
			t.Fatalf("%s: user_version %d, want %d", st.name, v, len(st.migrations))
		}
	}
}

func TestMigrateFailureRollsBack(t *testing.T) {
	ctx := context.Background()
	db := rawDB(t, filepath.Join(t.TempDir(), "m.db"))
	bad := append(append([]string{}, migrations...), `CREATE TABLE half (x); THIS IS NOT SQL`)
	_, err := migrate(ctx, db, bad)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("schema version %d", len(bad))) {
		t.Fatalf("migrate with a bad step = %v, want an error naming version %d", err, len(bad))
	}
	if v := userVersion(t, db); v != 0 {
		t.Fatalf("user_version %d after a failed migration, want 0 (nothing applied)", v)
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name IN ('tickets', 'half')`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d tables left behind by a failed migration, %v", n, err)
	}
}

func TestOpenExistingKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	for round := range 3 {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("round %d: Open: %v", round, err)
		}
		if _, _, _, err := s.Create(ctx, ticket.Ticket{Status: ticket.StatusNew}, nil, store.Idempotency{}); err != nil {
			t.Fatalf("round %d: Create: %v", round, err)
		}
		p, err := s.List(ctx, store.Filter{})
		if err != nil || len(p.Tickets) != round+1 {
			t.Fatalf("round %d: %d tickets, %v", round, len(p.Tickets), err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if v := userVersion(t, rawDB(t, path)); v != SchemaVersion() {
		t.Fatalf("user_version %d, want %d", v, SchemaVersion())
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "s.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	newer := SchemaVersion() + 7
	db := rawDB(t, path)
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", newer)); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err = Open(ctx, path)
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a schema newer than the code")
	}
	for _, want := range []string{"sqlite: open", fmt.Sprint(newer), fmt.Sprintf("version %d", SchemaVersion()), "newer"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if v := userVersion(t, rawDB(t, path)); v != newer {
		t.Fatalf("the refused file was changed: user_version %d, want %d", v, newer)
	}
}

// TestMigrateKeepsIdempotencyKeys upgrades a version 1 file holding a key:
// the key gets no fingerprint, so any retry with it is still a replay, and
// keys stored after the upgrade are checked.
func TestMigrateKeepsIdempotencyKeys(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	db := rawDB(t, path)
	if _, err := migrate(ctx, db, migrations[:1]); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	old := ticket.Ticket{ID: "SB-1", Kind: ticket.KindRepair, Title: "from v1", Status: ticket.StatusNew, CreatedAt: at, UpdatedAt: at}
	body, err := encodeTicket(&old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO tickets (n, id, department, status, open, created_at, updated_at, version, body)
		VALUES (1, 'SB-1', '', 'new', 1, ?, ?, 0, ?)`, formatTime(at), formatTime(at), body); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO idempotency (key, ticket_id) VALUES ('v1-key', 'SB-1')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open a version 1 file: %v", err)
	}
	defer s.Close()
	if v := userVersion(t, rawDB(t, path)); v != SchemaVersion() {
		t.Fatalf("user_version %d after Open, want %d", v, SchemaVersion())
	}
	for _, fp := range []string{"fp-a", "fp-b", ""} {
		got, _, created, err := s.Create(ctx, ticket.Ticket{Status: ticket.StatusNew}, nil, store.Idempotency{Key: "v1-key", Fingerprint: fp})
		if err != nil || created || got.ID != "SB-1" || got.Title != "from v1" {
			t.Fatalf("v1 key with fingerprint %q = %s created %v, %v; want SB-1 replayed", fp, got.ID, created, err)
		}
	}
	idem := store.Idempotency{Key: "v2-key", Fingerprint: "fp-a"}
	if _, _, created, err := s.Create(ctx, ticket.Ticket{Status: ticket.StatusNew}, nil, idem); err != nil || !created {
		t.Fatalf("new key after the upgrade: created %v, %v", created, err)
	}
	idem.Fingerprint = "fp-b"
	if _, _, _, err := s.Create(ctx, ticket.Ticket{Status: ticket.StatusNew}, nil, idem); !errors.Is(err, store.ErrIdempotencyReused) {
		t.Fatalf("new key reused with another fingerprint = %v, want ErrIdempotencyReused", err)
	}
}
