package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// writeStmts are prepared on the writer pool and bound to a transaction with
// tx.StmtContext, which reuses the prepared form on the single connection.
type writeStmts struct {
	nextN        *sql.Stmt
	insertTicket *sql.Stmt
	updateTicket *sql.Stmt
	ticketBody   *sql.Stmt
	insertEvent  *sql.Stmt
	lookupKey    *sql.Stmt
	insertKey    *sql.Stmt
	updateBody   *sql.Stmt
	fixTimer     *sql.Stmt
	insertOutbox *sql.Stmt
	ackOutbox    *sql.Stmt
}

// readStmts are prepared on the read pool.
type readStmts struct {
	ticketBody  *sql.Stmt
	ticketFound *sql.Stmt
	history     *sql.Stmt
	eventsSince *sql.Stmt
	lastSeq     *sql.Stmt
	countOpen   *sql.Stmt
	openBatch   *sql.Stmt
	timers      *sql.Stmt
	openTimers  *sql.Stmt
	withStatus  *sql.Stmt
	outbox      *sql.Stmt
	outboxCount *sql.Stmt
}

const eventColumns = `seq, version, ticket_id, type, at, actor, data`

func (s *Store) prepare(ctx context.Context) error {
	w := []struct {
		dst **sql.Stmt
		sql string
	}{
		{&s.ws.nextN, `SELECT COALESCE(MAX(n), 0) + 1 FROM tickets`},
		{&s.ws.insertTicket, `INSERT INTO tickets (n, id, department, status, open, created_at, updated_at, version, body, next_due)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&s.ws.updateTicket, `UPDATE tickets SET department = ?, status = ?, open = ?, updated_at = ?, version = ?, body = ?, next_due = ?
			WHERE n = ?`},
		// updateBody leaves the indexed department, status and open alone,
		// so that SQLite does not rewrite their index entries.
		{&s.ws.updateBody, `UPDATE tickets SET updated_at = ?, version = ?, body = ?, next_due = ? WHERE n = ?`},
		{&s.ws.fixTimer, `UPDATE tickets SET next_due = ? WHERE id = ? AND version = ? AND open = 1 AND next_due IS NOT ?`},
		{&s.ws.ticketBody, `SELECT n, body FROM tickets WHERE id = ?`},
		{&s.ws.insertEvent, `INSERT INTO events (ticket_id, version, type, at, actor, data) VALUES (?, ?, ?, ?, ?, ?)`},
		{&s.ws.lookupKey, `SELECT i.fingerprint, t.id, t.body FROM idempotency i JOIN tickets t ON t.id = i.ticket_id WHERE i.key = ?`},
		{&s.ws.insertKey, `INSERT INTO idempotency (key, ticket_id, fingerprint) VALUES (?, ?, ?)`},
		{&s.ws.insertOutbox, `INSERT INTO outbox (department, ticket_id, version, offer) VALUES (?, ?, ?, ?)`},
		{&s.ws.ackOutbox, ackOutboxSQL},
	}
	for _, p := range w {
		st, err := s.w.PrepareContext(ctx, p.sql)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", p.sql, err)
		}
		*p.dst = st
	}
	r := []struct {
		dst **sql.Stmt
		sql string
	}{
		{&s.rs.ticketBody, `SELECT body FROM tickets WHERE id = ?`},
		{&s.rs.ticketFound, `SELECT 1 FROM tickets WHERE id = ?`},
		{&s.rs.history, `SELECT ` + eventColumns + ` FROM events WHERE ticket_id = ? ORDER BY version`},
		{&s.rs.eventsSince, `SELECT ` + eventColumns + ` FROM events WHERE seq > ? ORDER BY seq LIMIT ?`},
		{&s.rs.lastSeq, `SELECT COALESCE(MAX(seq), 0) FROM events`},
		{&s.rs.countOpen, `SELECT department, COUNT(*) FROM tickets WHERE open = 1 GROUP BY department`},
		{&s.rs.openBatch, `SELECT n, body FROM tickets WHERE open = 1 AND n > ? ORDER BY n LIMIT ?`},
		{&s.rs.timers, `SELECT id, next_due FROM tickets INDEXED BY tickets_timers
			WHERE open = 1 AND (next_due IS NULL OR next_due <> ?) ORDER BY next_due`},
		{&s.rs.openTimers, `SELECT n, body, next_due FROM tickets WHERE open = 1 AND n > ? ORDER BY n LIMIT ?`},
		{&s.rs.withStatus, `SELECT n, id, department FROM tickets WHERE status = ? AND n > ? ORDER BY n LIMIT ?`},
		{&s.rs.outbox, outboxSQL},
		{&s.rs.outboxCount, outboxCountSQL},
	}
	for _, p := range r {
		st, err := s.r.PrepareContext(ctx, p.sql)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", p.sql, err)
		}
		*p.dst = st
	}
	return nil
}

func (w *writeStmts) close() {
	for _, st := range []*sql.Stmt{w.nextN, w.insertTicket, w.updateTicket, w.ticketBody, w.insertEvent, w.lookupKey, w.insertKey, w.updateBody, w.fixTimer, w.insertOutbox, w.ackOutbox} {
		if st != nil {
			st.Close()
		}
	}
}

func (r *readStmts) close() {
	for _, st := range []*sql.Stmt{r.ticketBody, r.ticketFound, r.history, r.eventsSince, r.lastSeq, r.countOpen, r.openBatch, r.timers, r.openTimers, r.withStatus, r.outbox, r.outboxCount} {
		if st != nil {
			st.Close()
		}
	}
}
