package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// Create implements store.Store. The store assigns the ID ("SB-" and the row
// number), ignoring any ID t carries; CreatedAt and UpdatedAt default to the
// store's clock when zero, and so does the time of an event left zero. The
// write joins the writer's next batch (see batch.go) and Create returns once
// that batch is committed. A key reused with a different fingerprint is
// refused with a *store.IdempotencyError (wrapped) and writes nothing.
func (s *Store) Create(ctx context.Context, t ticket.Ticket, events []ticket.Event, idem store.Idempotency) (ticket.Ticket, []ticket.Event, bool, error) {
	for i := range events {
		if err := checkEvent(i, &events[i]); err != nil {
			return ticket.Ticket{}, nil, false, fmt.Errorf("sqlite: create: %w", err)
		}
	}
	var (
		stored  ticket.Ticket
		evs     []ticket.Event
		created bool
		err     error
	)
	if berr := s.submit(ctx, func(ctx context.Context, tx *sql.Tx) error {
		stored, evs, created, err = s.create(ctx, tx, t, events, idem)
		return err
	}); berr != nil {
		err = berr
	}
	if err != nil {
		return ticket.Ticket{}, nil, false, fmt.Errorf("sqlite: create: %w", err)
	}
	return stored, evs, created, nil
}

// create stores t in tx; see Create.
func (s *Store) create(ctx context.Context, tx *sql.Tx, t ticket.Ticket, events []ticket.Event, idem store.Idempotency) (ticket.Ticket, []ticket.Event, bool, error) {
	key := idem.Key
	if key != "" {
		var fingerprint, id, body string
		switch err := tx.StmtContext(ctx, s.ws.lookupKey).QueryRowContext(ctx, key).Scan(&fingerprint, &id, &body); {
		case err == nil:
			if fingerprint != "" && idem.Fingerprint != "" && fingerprint != idem.Fingerprint {
				return ticket.Ticket{}, nil, false, &store.IdempotencyError{Key: key, TicketID: id}
			}
			prev, err := decodeTicket(body)
			if err != nil {
				return ticket.Ticket{}, nil, false, err
			}
			// A replay: nothing is written.
			return prev, nil, false, nil
		case !errors.Is(err, sql.ErrNoRows):
			return ticket.Ticket{}, nil, false, fmt.Errorf("look up idempotency key: %w", err)
		}
	}

	var n int64
	if err := tx.StmtContext(ctx, s.ws.nextN).QueryRowContext(ctx).Scan(&n); err != nil {
		return ticket.Ticket{}, nil, false, fmt.Errorf("next ticket number: %w", err)
	}
	now := s.stamp()
	t.ID = ticketID(n)
	if t.CreatedAt.IsZero() {
		t.CreatedAt = now
	}
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
	}
	t.Version = int64(len(events))
	body, err := encodeTicket(&t)
	if err != nil {
		return ticket.Ticket{}, nil, false, err
	}
	if _, err := tx.StmtContext(ctx, s.ws.insertTicket).ExecContext(ctx,
		n, t.ID, t.Department, string(t.Status), boolInt(t.Open()),
		formatTime(t.CreatedAt), formatTime(t.UpdatedAt), t.Version, body, s.nextDueOf(&t)); err != nil {
		return ticket.Ticket{}, nil, false, fmt.Errorf("insert ticket %s: %w", t.ID, err)
	}
	evs, err := s.appendEvents(ctx, tx, t.ID, 0, events, now)
	if err != nil {
		return ticket.Ticket{}, nil, false, err
	}
	if key != "" {
		if _, err := tx.StmtContext(ctx, s.ws.insertKey).ExecContext(ctx, key, t.ID, idem.Fingerprint); err != nil {
			return ticket.Ticket{}, nil, false, fmt.Errorf("store idempotency key: %w", err)
		}
	}
	if err := s.writeOutbox(ctx, tx, &t, evs); err != nil {
		return ticket.Ticket{}, nil, false, err
	}
	return t, evs, true, nil
}

// Update implements store.Store. fn runs on the writer goroutine inside the
// write transaction, so it must be quick and must not call the store's write
// methods itself. An error from fn is returned as it is, so that callers can
// match it with errors.As; nothing is written then, nor when fn returns no
// events (the stored ticket is returned unchanged). Changes fn makes to ID,
// CreatedAt and Version are ignored. A panic in fn is raised again in the
// caller's goroutine, after the rest of the batch is committed.
func (s *Store) Update(ctx context.Context, id string, fn store.UpdateFunc) (ticket.Ticket, []ticket.Event, error) {
	if fn == nil {
		return ticket.Ticket{}, nil, fmt.Errorf("sqlite: update %s: nil update function", id)
	}
	var (
		t   ticket.Ticket
		evs []ticket.Event
		err error
	)
	if berr := s.submit(ctx, func(ctx context.Context, tx *sql.Tx) error {
		t, evs, err = s.update(ctx, tx, id, fn)
		return err
	}); berr != nil {
		return ticket.Ticket{}, nil, fmt.Errorf("sqlite: update %s: %w", id, berr)
	}
	if err != nil {
		return ticket.Ticket{}, nil, err
	}
	return t, evs, nil
}

// update runs fn on ticket id in tx; see Update. Its errors are final: those
// of fn as they are, the others wrapped with the "sqlite: update" prefix.
func (s *Store) update(ctx context.Context, tx *sql.Tx, id string, fn store.UpdateFunc) (ticket.Ticket, []ticket.Event, error) {
	var (
		n    int64
		body string
	)
	switch err := tx.StmtContext(ctx, s.ws.ticketBody).QueryRowContext(ctx, id).Scan(&n, &body); {
	case errors.Is(err, sql.ErrNoRows):
		return ticket.Ticket{}, nil, fmt.Errorf("sqlite: update %s: %w", id, store.ErrNotFound)
	case err != nil:
		return ticket.Ticket{}, nil, fmt.Errorf("sqlite: update %s: load: %w", id, err)
	}
	t, err := decodeTicket(body)
	if err != nil {
		return ticket.Ticket{}, nil, fmt.Errorf("sqlite: update %s: %w", id, err)
	}
	version, createdAt := t.Version, t.CreatedAt
	dept, status := t.Department, t.Status

	events, err := fn(&t)
	if err != nil {
		return ticket.Ticket{}, nil, err
	}
	if len(events) == 0 {
		// fn may have changed t in place; answer with what is stored.
		cur, err := decodeTicket(body)
		if err != nil {
			return ticket.Ticket{}, nil, fmt.Errorf("sqlite: update %s: %w", id, err)
		}
		return cur, nil, nil
	}
	for i := range events {
		if err := checkEvent(i, &events[i]); err != nil {
			return ticket.Ticket{}, nil, fmt.Errorf("sqlite: update %s: %w", id, err)
		}
	}

	evs, err := s.appendEvents(ctx, tx, id, version, events, s.stamp())
	if err != nil {
		return ticket.Ticket{}, nil, fmt.Errorf("sqlite: update %s: %w", id, err)
	}
	// The store owns the identity, the creation time and the version.
	t.ID, t.CreatedAt = id, createdAt
	t.Version = evs[len(evs)-1].Version
	t.UpdatedAt = evs[len(evs)-1].At
	if body, err = encodeTicket(&t); err != nil {
		return ticket.Ticket{}, nil, fmt.Errorf("sqlite: update %s: %w", id, err)
	}
	nextDue := s.nextDueOf(&t)
	if t.Department == dept && t.Status == status {
		// The indexed columns did not change (open follows status).
		_, err = tx.StmtContext(ctx, s.ws.updateBody).ExecContext(ctx, formatTime(t.UpdatedAt), t.Version, body, nextDue, n)
	} else {
		_, err = tx.StmtContext(ctx, s.ws.updateTicket).ExecContext(ctx,
			t.Department, string(t.Status), boolInt(t.Open()), formatTime(t.UpdatedAt), t.Version, body, nextDue, n)
	}
	if err != nil {
		return ticket.Ticket{}, nil, fmt.Errorf("sqlite: update %s: write ticket: %w", id, err)
	}
	if err := s.writeOutbox(ctx, tx, &t, evs); err != nil {
		return ticket.Ticket{}, nil, fmt.Errorf("sqlite: update %s: %w", id, err)
	}
	return t, evs, nil
}

// appendEvents inserts copies of events as versions after+1… of ticket id
// and returns them with TicketID, Version, Seq and At set.
func (s *Store) appendEvents(ctx context.Context, tx *sql.Tx, id string, after int64, events []ticket.Event, now time.Time) ([]ticket.Event, error) {
	if len(events) == 0 {
		return nil, nil
	}
	ins := tx.StmtContext(ctx, s.ws.insertEvent)
	evs := make([]ticket.Event, len(events))
	copy(evs, events)
	for i := range evs {
		ev := &evs[i]
		ev.TicketID = id
		ev.Version = after + int64(i) + 1
		if ev.At.IsZero() {
			ev.At = now
		}
		ev.At = ev.At.UTC()
		res, err := ins.ExecContext(ctx, id, ev.Version, ev.Type, formatTime(ev.At), ev.Actor, nullData(ev.Data))
		if err != nil {
			return nil, fmt.Errorf("append event %d of %s: %w", ev.Version, id, err)
		}
		if ev.Seq, err = res.LastInsertId(); err != nil {
			return nil, fmt.Errorf("append event %d of %s: seq: %w", ev.Version, id, err)
		}
	}
	return evs, nil
}
