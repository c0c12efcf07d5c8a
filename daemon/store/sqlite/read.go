package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// openBatch is how many open tickets Open reads per query; fn runs between
// batches with no statement open.
const openBatch = 256

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, id string) (ticket.Ticket, error) {
	var body string
	switch err := s.rs.ticketBody.QueryRowContext(ctx, id).Scan(&body); {
	case errors.Is(err, sql.ErrNoRows):
		return ticket.Ticket{}, fmt.Errorf("sqlite: get %s: %w", id, store.ErrNotFound)
	case err != nil:
		return ticket.Ticket{}, fmt.Errorf("sqlite: get %s: %w", id, err)
	}
	t, err := decodeTicket(body)
	if err != nil {
		return ticket.Ticket{}, fmt.Errorf("sqlite: get %s: %w", id, err)
	}
	return t, nil
}

// History implements store.Store.
func (s *Store) History(ctx context.Context, id string) ([]ticket.Event, error) {
	rows, err := s.rs.history.QueryContext(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: history %s: %w", id, err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: history %s: %w", id, err)
	}
	if len(evs) > 0 {
		return evs, nil
	}
	// No events: an unknown ticket, or one created without any.
	var one int
	switch err := s.rs.ticketFound.QueryRowContext(ctx, id).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("sqlite: history %s: %w", id, store.ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("sqlite: history %s: %w", id, err)
	}
	return []ticket.Event{}, nil
}

// List implements store.Store. The cursor is the row number of the last
// ticket of the previous page; a malformed one is a *ticket.FieldError on
// "cursor", a negative limit one on "limit", an unknown status one on
// "status". A limit above MaxLimit is lowered to it.
func (s *Store) List(ctx context.Context, f store.Filter) (store.Page, error) {
	limit := f.Limit
	switch {
	case limit < 0:
		return store.Page{}, fmt.Errorf("sqlite: list: %w", ticket.Invalid("limit", "must not be negative, got %d", limit))
	case limit == 0:
		limit = DefaultLimit
	case limit > MaxLimit:
		limit = MaxLimit
	}
	var (
		where []string
		args  []any
	)
	if f.Cursor != "" {
		n, err := strconv.ParseInt(f.Cursor, 10, 64)
		if err != nil || n <= 0 || strconv.FormatInt(n, 10) != f.Cursor {
			return store.Page{}, fmt.Errorf("sqlite: list: %w", ticket.Invalid("cursor", "invalid cursor %q (pass the next_cursor of the previous page)", f.Cursor))
		}
		where, args = append(where, "n < ?"), append(args, n)
	}
	if f.Department != "" {
		where, args = append(where, "department = ?"), append(args, f.Department)
	}
	if f.Status != "" {
		if !f.Status.Valid() {
			return store.Page{}, fmt.Errorf("sqlite: list: %w", ticket.Invalid("status", "unknown status %q", f.Status))
		}
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if f.OpenOnly {
		where = append(where, "open = 1")
	}
	q := "SELECT n, body FROM tickets"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY n DESC LIMIT ?"
	args = append(args, limit+1) // one more tells whether a next page exists

	ns, ts, err := s.queryTickets(ctx, q, args...)
	if err != nil {
		return store.Page{}, fmt.Errorf("sqlite: list: %w", err)
	}
	page := store.Page{Tickets: ts}
	if len(ts) > limit {
		page.Tickets = ts[:limit]
		page.NextCursor = strconv.FormatInt(ns[limit-1], 10)
	}
	if page.Tickets == nil {
		page.Tickets = []ticket.Ticket{}
	}
	return page, nil
}

// queryTickets runs a query selecting (n, body) on the read pool.
func (s *Store) queryTickets(ctx context.Context, q string, args ...any) ([]int64, []ticket.Ticket, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, err
	}
	return scanTickets(rows)
}

func scanTickets(rows *sql.Rows) ([]int64, []ticket.Ticket, error) {
	defer rows.Close()
	var (
		ns []int64
		ts []ticket.Ticket
	)
	for rows.Next() {
		var (
			n    int64
			body string
		)
		if err := rows.Scan(&n, &body); err != nil {
			return nil, nil, err
		}
		t, err := decodeTicket(body)
		if err != nil {
			return nil, nil, err
		}
		ns, ts = append(ns, n), append(ts, t)
	}
	return ns, ts, rows.Err()
}

// Open implements store.Store. It reads in batches, oldest first, and calls
// fn with no statement open, so fn may itself use the store.
func (s *Store) Open(ctx context.Context, fn func(ticket.Ticket) error) error {
	var after int64
	for {
		rows, err := s.rs.openBatch.QueryContext(ctx, after, openBatch)
		if err != nil {
			return fmt.Errorf("sqlite: open tickets: %w", err)
		}
		ns, ts, err := scanTickets(rows)
		if err != nil {
			return fmt.Errorf("sqlite: open tickets: %w", err)
		}
		for _, t := range ts {
			if err := fn(t); err != nil {
				return err
			}
		}
		if len(ts) < openBatch {
			return nil
		}
		after = ns[len(ns)-1]
	}
}

// CountOpen implements store.Store.
func (s *Store) CountOpen(ctx context.Context) (map[string]int, error) {
	return countByDepartment(ctx, s.rs.countOpen, "count open")
}

// countByDepartment runs stmt, which selects (department, count) rows, into
// a map; what names it in errors.
func countByDepartment(ctx context.Context, stmt *sql.Stmt, what string) (map[string]int, error) {
	rows, err := stmt.QueryContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var (
			dept string
			n    int
		)
		if err := rows.Scan(&dept, &n); err != nil {
			return nil, fmt.Errorf("sqlite: %s: %w", what, err)
		}
		counts[dept] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return counts, nil
}

// EventsSince implements store.Store. A limit of 0 or less means
// DefaultEventsLimit; a limit above MaxEventsLimit is lowered to it.
func (s *Store) EventsSince(ctx context.Context, seq int64, limit int) ([]ticket.Event, error) {
	switch {
	case limit <= 0:
		limit = DefaultEventsLimit
	case limit > MaxEventsLimit:
		limit = MaxEventsLimit
	}
	rows, err := s.rs.eventsSince.QueryContext(ctx, seq, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: events since %d: %w", seq, err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlite: events since %d: %w", seq, err)
	}
	return evs, nil
}

// LastSeq implements store.Store.
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.rs.lastSeq.QueryRowContext(ctx).Scan(&seq); err != nil {
		return 0, fmt.Errorf("sqlite: last seq: %w", err)
	}
	return seq, nil
}
