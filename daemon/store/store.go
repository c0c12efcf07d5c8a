// Package store defines how the daemon keeps tickets durably: a current-state
// row per ticket plus an append-only history of events, committed together.
//
// Implementations live in subpackages (store/sqlite, later store/postgres)
// and must pass the shared suite in store/storetest.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// ErrNotFound is returned when a ticket does not exist.
var ErrNotFound = errors.New("store: ticket not found")

// ErrIdempotencyReused matches, with errors.Is, every *IdempotencyError.
var ErrIdempotencyReused = errors.New("store: idempotency key reused with a different request")

// Idempotency identifies a submission to Create so that a retry is answered
// with the ticket the first attempt created. The zero value means none.
type Idempotency struct {
	// Key is the caller's idempotency key; "" means the submission has
	// none and always creates a ticket.
	Key string
	// Fingerprint identifies the request's content (the desk uses the hex
	// SHA-256 of the normalised intake fields). A retry must carry the same
	// fingerprint as the first use of Key. "" matches any fingerprint, on
	// either side: keys stored before fingerprints existed have none.
	Fingerprint string
}

// IdempotencyError is returned by Create when Key was first used, for
// ticket TicketID, with a request whose fingerprint differs. Nothing is
// written. It matches ErrIdempotencyReused.
type IdempotencyError struct {
	Key      string
	TicketID string
}

// Error implements error.
func (e *IdempotencyError) Error() string {
	return fmt.Sprintf("store: idempotency key %q was already used for %s with a different request", e.Key, e.TicketID)
}

// Is reports whether target is ErrIdempotencyReused.
func (e *IdempotencyError) Is(target error) bool { return target == ErrIdempotencyReused }

// UpdateFunc mutates t in place and returns the events that record the
// change. Returning an error aborts the update: nothing is written. Returning
// no events and no error writes nothing either.
type UpdateFunc func(t *ticket.Ticket) ([]ticket.Event, error)

// Filter selects tickets for List.
type Filter struct {
	Department string
	Status     ticket.Status
	// OpenOnly keeps tickets whose status is not terminal.
	OpenOnly bool
	// Limit caps the page; 0 means the implementation's default (50).
	Limit int
	// Cursor is the NextCursor of the previous page, or "".
	Cursor string
}

// Page is one page of List.
type Page struct {
	Tickets []ticket.Ticket
	// NextCursor is "" on the last page.
	NextCursor string
}

// Store keeps tickets and their histories. All methods are safe for
// concurrent use. Every write is durable when the method returns.
type Store interface {
	// Create assigns t an ID, stores it with its first events, and returns
	// the stored ticket and events (with Seq and Version set). If idem.Key
	// is not empty and a ticket was already created with it, nothing is
	// written: with a matching fingerprint that ticket is returned with
	// created=false, with a different one Create fails with an
	// *IdempotencyError. A key is stored with the ticket it created.
	Create(ctx context.Context, t ticket.Ticket, events []ticket.Event, idem Idempotency) (stored ticket.Ticket, evs []ticket.Event, created bool, err error)

	// Update runs fn on the current state of ticket id inside one
	// transaction and appends the events it returns, setting t.Version and
	// t.UpdatedAt. Concurrent updates of one ticket are serialised.
	Update(ctx context.Context, id string, fn UpdateFunc) (ticket.Ticket, []ticket.Event, error)

	// Get returns the current state of ticket id, or ErrNotFound.
	Get(ctx context.Context, id string) (ticket.Ticket, error)

	// History returns every event of ticket id in order, or ErrNotFound.
	History(ctx context.Context, id string) ([]ticket.Event, error)

	// List returns tickets matching f, newest first.
	List(ctx context.Context, f Filter) (Page, error)

	// Open calls fn for every ticket whose status is not terminal, in no
	// particular order, stopping at the first error fn returns.
	Open(ctx context.Context, fn func(ticket.Ticket) error) error

	// CountOpen returns the number of open tickets per department.
	CountOpen(ctx context.Context) (map[string]int, error)

	// EventsSince returns up to limit events with Seq > seq, in Seq order.
	EventsSince(ctx context.Context, seq int64, limit int) ([]ticket.Event, error)

	// LastSeq returns the highest event Seq, or 0 when there is none.
	LastSeq(ctx context.Context) (int64, error)

	// Close releases the store.
	Close() error
}

// Now is the clock a store uses to stamp UpdatedAt; tests may replace it
// through an implementation's options.
type Now func() time.Time
