package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// Timers.
//
// Every ticket row carries next_due, the time of its next SLA checkpoint in
// Unix nanoseconds, computed by the store.NextDueFunc the desk installs with
// SetNextDue and written by every Create and Update in the same transaction
// as the ticket. noTimer means the ticket has none; NULL means not known (the
// row predates schema version 3, or was written with no NextDueFunc). A
// partial index over open tickets covers (next_due, id), so Timers
// reads a million timers without touching a ticket body.
//
// The stored time is only as current as the rules it was computed under: a
// reload that changes when checkpoints fall due (a level added to a chain, a
// calendar changed) leaves it stale until the desk checks every open ticket
// again with OpenTimers and rewrites what moved with FixTimers.

// noTimer is next_due for a ticket with no checkpoint to come.
const noTimer int64 = -1

// timersBatch is how many rows OpenTimers and WithStatus read per query.
const timersBatch = 512

var _ store.TimerStore = (*Store)(nil)

// SetNextDue implements store.TimerStore.
func (s *Store) SetNextDue(fn store.NextDueFunc) {
	if fn == nil {
		s.nextDue.Store(nil)
		return
	}
	s.nextDue.Store(&fn)
}

// nextDueOf is the next_due value to store with t.
func (s *Store) nextDueOf(t *ticket.Ticket) any {
	fn := s.nextDue.Load()
	if fn == nil {
		return nil
	}
	if !t.Open() {
		return noTimer
	}
	at, ok := (*fn)(t)
	if !ok {
		return noTimer
	}
	return at.UnixNano()
}

// timerOf turns a stored next_due into a store.Timer.
func timerOf(id string, version int64, nd sql.NullInt64) store.Timer {
	tm := store.Timer{TicketID: id, Version: version, Known: nd.Valid}
	if nd.Valid && nd.Int64 != noTimer {
		tm.At = time.Unix(0, nd.Int64).UTC()
	}
	return tm
}

// Timers implements store.TimerStore. It reads the whole index in one
// statement, so the read sees one snapshot.
func (s *Store) Timers(ctx context.Context, fn func(store.Timer) error) error {
	rows, err := s.rs.timers.QueryContext(ctx, noTimer)
	if err != nil {
		return fmt.Errorf("sqlite: timers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id string
			nd sql.NullInt64
		)
		if err := rows.Scan(&id, &nd); err != nil {
			return fmt.Errorf("sqlite: timers: %w", err)
		}
		if err := fn(timerOf(id, 0, nd)); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: timers: %w", err)
	}
	return nil
}

// OpenTimers implements store.TimerStore. It reads in batches, oldest
// first, and calls fn with no statement open.
func (s *Store) OpenTimers(ctx context.Context, fn func(ticket.Ticket, store.Timer) error) error {
	type row struct {
		t  ticket.Ticket
		nd sql.NullInt64
	}
	var after int64
	batch := make([]row, 0, timersBatch)
	for {
		rows, err := s.rs.openTimers.QueryContext(ctx, after, timersBatch)
		if err != nil {
			return fmt.Errorf("sqlite: open timers: %w", err)
		}
		batch = batch[:0]
		for rows.Next() {
			var (
				r    row
				body string
			)
			if err := rows.Scan(&after, &body, &r.nd); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: open timers: %w", err)
			}
			if r.t, err = decodeTicket(body); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: open timers: %w", err)
			}
			batch = append(batch, r)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("sqlite: open timers: %w", err)
		}
		for i := range batch {
			if err := fn(batch[i].t, timerOf(batch[i].t.ID, batch[i].t.Version, batch[i].nd)); err != nil {
				return err
			}
		}
		if len(batch) < timersBatch {
			return nil
		}
	}
}

// FixTimers implements store.TimerStore: one write request for all of
// timers. A timer with a zero At stores "none".
func (s *Store) FixTimers(ctx context.Context, timers []store.Timer) (int, error) {
	if len(timers) == 0 {
		return 0, nil
	}
	// The request keeps its own error: submit answers only for the batch.
	var (
		changed int
		err     error
	)
	if berr := s.submit(ctx, func(ctx context.Context, tx *sql.Tx) error {
		changed, err = 0, nil
		st := tx.StmtContext(ctx, s.ws.fixTimer)
		for _, tm := range timers {
			nd := noTimer
			if !tm.At.IsZero() {
				nd = tm.At.UnixNano()
			}
			res, xerr := st.ExecContext(ctx, nd, tm.TicketID, tm.Version, nd)
			if xerr != nil {
				err = fmt.Errorf("ticket %s: %w", tm.TicketID, xerr)
				return err
			}
			n, xerr := res.RowsAffected()
			if xerr != nil {
				err = fmt.Errorf("ticket %s: %w", tm.TicketID, xerr)
				return err
			}
			changed += int(n)
		}
		return nil
	}); berr != nil {
		err = berr
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: fix timers: %w", err)
	}
	return changed, nil
}

// WithStatus implements store.TimerStore.
func (s *Store) WithStatus(ctx context.Context, st ticket.Status, fn func(id, department string) error) error {
	if !st.Valid() {
		return fmt.Errorf("sqlite: with status: %w", ticket.Invalid("status", "unknown status %q", st))
	}
	type row struct{ id, dept string }
	var after int64
	batch := make([]row, 0, timersBatch)
	for {
		rows, err := s.rs.withStatus.QueryContext(ctx, string(st), after, timersBatch)
		if err != nil {
			return fmt.Errorf("sqlite: with status %s: %w", st, err)
		}
		batch = batch[:0]
		for rows.Next() {
			var r row
			if err := rows.Scan(&after, &r.id, &r.dept); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: with status %s: %w", st, err)
			}
			batch = append(batch, r)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("sqlite: with status %s: %w", st, err)
		}
		for _, r := range batch {
			if err := fn(r.id, r.dept); err != nil {
				return err
			}
		}
		if len(batch) < timersBatch {
			return nil
		}
	}
}
