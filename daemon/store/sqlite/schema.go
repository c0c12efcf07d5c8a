package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations is the schema, one step per version: migrations[i] takes the
// file from version i to i+1. Steps are only ever appended; a released step
// is never edited, because files in the field have already applied it.
var migrations = []string{
	// 1: tickets, their histories and idempotency keys.
	`
CREATE TABLE tickets (
	n          INTEGER PRIMARY KEY AUTOINCREMENT,
	id         TEXT    NOT NULL UNIQUE,
	department TEXT    NOT NULL DEFAULT '',
	status     TEXT    NOT NULL,
	open       INTEGER NOT NULL,
	created_at TEXT    NOT NULL,
	updated_at TEXT    NOT NULL,
	version    INTEGER NOT NULL,
	body       TEXT    NOT NULL
);
CREATE INDEX tickets_department ON tickets (department, n);
CREATE INDEX tickets_status ON tickets (status, n);
CREATE INDEX tickets_open ON tickets (open, n);
CREATE INDEX tickets_open_department ON tickets (department) WHERE open = 1;

CREATE TABLE events (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	ticket_id TEXT    NOT NULL REFERENCES tickets (id),
	version   INTEGER NOT NULL,
	type      TEXT    NOT NULL,
	at        TEXT    NOT NULL,
	actor     TEXT    NOT NULL,
	data      TEXT,
	UNIQUE (ticket_id, version)
);

CREATE TABLE idempotency (
	key       TEXT NOT NULL PRIMARY KEY,
	ticket_id TEXT NOT NULL REFERENCES tickets (id)
) WITHOUT ROWID;
`,
	// 2: a fingerprint of the request that first used each idempotency
	// key. Keys stored before it get '', which matches any request.
	`
ALTER TABLE idempotency ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
`,
	// 3: each ticket's next SLA checkpoint, so that timers are rebuilt at
	// start from an index instead of every ticket's body (see timers.go):
	// Unix nanoseconds, noTimer (-1) when the ticket has none, NULL when
	// not known (rows written before this step or with no NextDueFunc).
	// The partial index covers what Timers reads of open tickets; it
	// changes only when a ticket's next checkpoint or openness does.
	`
ALTER TABLE tickets ADD COLUMN next_due INTEGER;
CREATE INDEX tickets_timers ON tickets (next_due, id) WHERE open = 1;
`,
	// 4: the outbox of what departments' plugins must be told (see
	// outbox.go): one row per item, naming the ticket's event by its
	// version. Tickets still new when the file is upgraded wait for their
	// department's plugin, which before this step found them by status:
	// each gets an offer at its current version, oldest first, so that it
	// is still delivered.
	`
CREATE TABLE outbox (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	department TEXT    NOT NULL,
	ticket_id  TEXT    NOT NULL,
	version    INTEGER NOT NULL,
	offer      INTEGER NOT NULL
);
CREATE INDEX outbox_department ON outbox (department, seq);
INSERT INTO outbox (department, ticket_id, version, offer)
	SELECT department, id, version, 1 FROM tickets WHERE status = 'new' AND department <> '' ORDER BY created_at, n;
`,
}

// SchemaVersion is the schema version this build writes.
func SchemaVersion() int { return len(migrations) }

// migrate brings db up to len(steps) in one transaction and returns how many
// steps it applied. A file at a higher version than len(steps) was written by
// a newer build and is refused untouched.
func migrate(ctx context.Context, db *sql.DB, steps []string) (applied int, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("migrate: begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()

	var have int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&have); err != nil {
		return 0, fmt.Errorf("migrate: read schema version: %w", err)
	}
	if have > len(steps) {
		return 0, fmt.Errorf("migrate: database schema version %d is newer than this build supports (version %d); run a newer switchboard", have, len(steps))
	}
	if have < 0 {
		return 0, fmt.Errorf("migrate: database schema version %d is invalid", have)
	}
	for v := have; v < len(steps); v++ {
		if _, err := tx.ExecContext(ctx, steps[v]); err != nil {
			return 0, fmt.Errorf("migrate: schema version %d: %w", v+1, err)
		}
	}
	if have == len(steps) {
		return 0, tx.Commit()
	}
	// PRAGMA takes no parameters; the value is an int formatted here.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(steps))); err != nil {
		return 0, fmt.Errorf("migrate: record schema version: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("migrate: commit: %w", err)
	}
	return len(steps) - have, nil
}
