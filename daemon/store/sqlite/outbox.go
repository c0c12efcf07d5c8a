package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// Outbox.
//
// The outbox table holds what departments' plugins must still be told: one
// row per item, with the department, the ticket and the version of the event
// that put it there (the event itself stays in events, read back with a
// join). Every Create and Update asks the store.OutboxFunc the desk installs
// with SetOutbox about each event it writes, and inserts the rows in the
// same transaction and savepoint as the events: a request rolled back takes
// its rows with it, and a committed event a plugin must see always has its
// row. AckOutbox deletes rows once the plugin has them. Seq is AUTOINCREMENT,
// so a seq is never reused even after the newest rows are acknowledged, and
// a reader paging with "after" never skips an item. An index on
// (department, seq) serves both Outbox and OutboxPending.

const (
	// DefaultOutboxLimit is the Outbox batch when limit is 0 or less.
	DefaultOutboxLimit = 1000
	// MaxOutboxLimit caps the limit of Outbox.
	MaxOutboxLimit = 10000
	// ackChunk is the most seqs one DELETE of AckOutbox names.
	ackChunk = 500
)

// The outbox's statements (prepared in stmts.go).
const (
	// outboxSQL reads the event columns in the order of eventColumns; an
	// item whose event is missing (a ticket upgraded at version 0) still
	// comes, with found (the third column) 0.
	outboxSQL = `SELECT o.seq, o.offer, e.seq IS NOT NULL,
		COALESCE(e.seq, 0), o.version, o.ticket_id, COALESCE(e.type, ''), COALESCE(e.at, ''), COALESCE(e.actor, ''), e.data
		FROM outbox o LEFT JOIN events e ON e.ticket_id = o.ticket_id AND e.version = o.version
		WHERE o.department = ? AND o.seq > ? ORDER BY o.seq LIMIT ?`
	outboxCountSQL = `SELECT department, COUNT(*) FROM outbox GROUP BY department`
	// ackOutboxSQL takes the seqs as one JSON array, so that one prepared
	// statement deletes any number of them.
	ackOutboxSQL = `DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each(?))`
)

var _ store.OutboxStore = (*Store)(nil)

// SetOutbox implements store.OutboxStore.
func (s *Store) SetOutbox(fn store.OutboxFunc) {
	if fn == nil {
		s.outbox.Store(nil)
		return
	}
	s.outbox.Store(&fn)
}

// writeOutbox asks the installed OutboxFunc about each of evs, written with
// t, and inserts the rows it asks for in tx. fn gets shallow copies of t
// and of each event, so that an assignment to a field cannot change what
// the write returns; the events are as the caller gave them (never through
// JSON), Quiet included, with Seq, Version, TicketID and At set.
func (s *Store) writeOutbox(ctx context.Context, tx *sql.Tx, t *ticket.Ticket, evs []ticket.Event) error {
	fn := s.outbox.Load()
	if fn == nil || len(evs) == 0 {
		return nil
	}
	var ins *sql.Stmt
	tc := *t
	for i := range evs {
		ev := evs[i]
		dept, offer := (*fn)(&tc, &ev)
		if dept == "" {
			continue
		}
		if ins == nil {
			ins = tx.StmtContext(ctx, s.ws.insertOutbox)
		}
		if _, err := ins.ExecContext(ctx, dept, t.ID, evs[i].Version, boolInt(offer)); err != nil {
			return fmt.Errorf("outbox item for %s of event %d of %s: %w", dept, evs[i].Version, t.ID, err)
		}
	}
	return nil
}

// Outbox implements store.OutboxStore. A limit of 0 or less means
// DefaultOutboxLimit; a limit above MaxOutboxLimit is lowered to it. An item
// whose event is not in the history (a ticket that had none when the file
// was upgraded to the outbox) comes with only the event's TicketID and
// Version set.
func (s *Store) Outbox(ctx context.Context, dept string, after int64, limit int) ([]store.OutboxItem, error) {
	switch {
	case limit <= 0:
		limit = DefaultOutboxLimit
	case limit > MaxOutboxLimit:
		limit = MaxOutboxLimit
	}
	rows, err := s.rs.outbox.QueryContext(ctx, dept, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: outbox of %q after %d: %w", dept, after, err)
	}
	defer rows.Close()
	var (
		items []store.OutboxItem
		it    store.OutboxItem
		found bool
		r     eventRow
		dest  = append([]any{&it.Seq, &it.Offer, &found}, r.dest()...)
	)
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("sqlite: outbox of %q after %d: %w", dept, after, err)
		}
		item := store.OutboxItem{Seq: it.Seq, Department: dept, TicketID: r.ev.TicketID, Offer: it.Offer}
		if found {
			if item.Event, err = r.event(); err != nil {
				return nil, fmt.Errorf("sqlite: outbox of %q: item %d: %w", dept, it.Seq, err)
			}
		} else {
			item.Event = ticket.Event{TicketID: r.ev.TicketID, Version: r.ev.Version}
		}
		items = append(items, item)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: outbox of %q after %d: %w", dept, after, err)
	}
	return items, nil
}

// AckOutbox implements store.OutboxStore: one write request, so that it
// commits with the writes around it, deleting at most ackChunk seqs per
// statement.
func (s *Store) AckOutbox(ctx context.Context, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	// The request keeps its own error: submit answers only for the batch.
	var err error
	if berr := s.submit(ctx, func(ctx context.Context, tx *sql.Tx) error {
		err = s.ackIn(ctx, tx, seqs)
		return err
	}); berr != nil {
		err = berr
	}
	if err != nil {
		return fmt.Errorf("sqlite: acknowledge %d outbox items: %w", len(seqs), err)
	}
	return nil
}

// ackIn deletes the outbox items seqs in tx, at most ackChunk per
// statement.
func (s *Store) ackIn(ctx context.Context, tx *sql.Tx, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	del := tx.StmtContext(ctx, s.ws.ackOutbox)
	buf := make([]byte, 0, 16*min(len(seqs), ackChunk))
	for from := 0; from < len(seqs); from += ackChunk {
		buf = append(buf[:0], '[')
		for i, seq := range seqs[from:min(from+ackChunk, len(seqs))] {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = strconv.AppendInt(buf, seq, 10)
		}
		buf = append(buf, ']')
		if _, err := del.ExecContext(ctx, string(buf)); err != nil {
			return err
		}
	}
	return nil
}

// UpdateEach implements store.OutboxStore: one write request for every
// ticket and every acknowledgement, so that a courier records a whole batch
// of plugin answers with one savepoint in the writer's group commit. A
// ticket's own failure (not found, or fn's error) happens before anything
// of it is written, so the others go on; any other failure abandons the
// request.
func (s *Store) UpdateEach(ctx context.Context, ids []string, owned []int64, fn func(i int, t *ticket.Ticket) ([]ticket.Event, error), acks []int64) ([]store.Updated, error) {
	if fn == nil {
		return nil, fmt.Errorf("sqlite: update each: nil update function")
	}
	if len(owned) != len(ids) {
		return nil, fmt.Errorf("sqlite: update each: %d owned items for %d tickets", len(owned), len(ids))
	}
	out := make([]store.Updated, len(ids))
	var err error
	if berr := s.submit(ctx, func(ctx context.Context, tx *sql.Tx) error {
		clear(out)
		done := slices.Clone(acks)
		for i, id := range ids {
			var fnErr error
			t, evs, uerr := s.update(ctx, tx, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
				evs, e := fn(i, t)
				fnErr = e
				return evs, e
			})
			switch {
			case uerr == nil:
				out[i] = store.Updated{Ticket: t, Events: evs}
			case errors.Is(uerr, store.ErrNotFound):
				out[i].Err = uerr
			case fnErr != nil && uerr == fnErr:
				out[i].Err = uerr
				continue // its item stays
			default:
				err = uerr
				return err
			}
			if owned[i] != 0 {
				done = append(done, owned[i])
			}
		}
		err = s.ackIn(ctx, tx, done)
		return err
	}); berr != nil {
		err = berr
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: update %d tickets: %w", len(ids), err)
	}
	return out, nil
}

// OutboxPending implements store.OutboxStore.
func (s *Store) OutboxPending(ctx context.Context) (map[string]int, error) {
	return countByDepartment(ctx, s.rs.outboxCount, "outbox pending")
}
