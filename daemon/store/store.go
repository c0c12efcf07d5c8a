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

// NextDueFunc returns when ticket t's next SLA checkpoint falls due; false
// when it has none (it is closed, or every promise is met or fully
// escalated). The desk supplies it: it is the SLA engine's Next under the
// rules in force.
type NextDueFunc func(t *ticket.Ticket) (time.Time, bool)

// Timer is an open ticket's next SLA checkpoint as a TimerStore keeps it.
type Timer struct {
	TicketID string
	// Version is the ticket's version when At was computed: set by
	// OpenTimers and required by FixTimers; Timers leaves it 0.
	Version int64
	// Known is false when the store has no time for the ticket (the row
	// was written before the store kept timers, or with no NextDueFunc
	// installed): the caller must read the ticket to learn it.
	Known bool
	// At is when the checkpoint falls due; zero when Known and the ticket
	// has none.
	At time.Time
}

// TimerStore is a Store that also keeps, in an index next to each ticket,
// its next SLA checkpoint, so that the desk rebuilds every timer at start
// without reading (and decoding) every open ticket. The desk uses it when
// its store implements it, and falls back to Open otherwise.
type TimerStore interface {
	Store
	// SetNextDue installs fn: from then on every Create and Update stores
	// fn's answer for the ticket written, in the same transaction. nil
	// stops it (later writes store "not known"). fn runs inside the write
	// transaction and must be quick and must not use the store.
	SetNextDue(fn NextDueFunc)
	// Timers calls fn for every open ticket that has a checkpoint or whose
	// checkpoint is not known, reading only the index, stopping at the
	// first error fn returns. Tickets come in due order, those not known
	// first. fn runs while the read is open and must not use the store.
	Timers(ctx context.Context, fn func(Timer) error) error
	// OpenTimers is Open that also gives each ticket's stored timer, for a
	// pass that checks the stored times against changed rules. Like Open,
	// it calls fn with no statement open.
	OpenTimers(ctx context.Context, fn func(t ticket.Ticket, stored Timer) error) error
	// FixTimers stores each timer's At (a zero At: no checkpoint) as the
	// next checkpoint of its ticket, if the ticket is open and still at
	// timer.Version: a ticket written since keeps what that write stored.
	// Known is ignored. It returns how many stored times changed.
	FixTimers(ctx context.Context, timers []Timer) (int, error)
	// WithStatus calls fn with the ID and department of every ticket whose
	// status is st, oldest first, from an index (no ticket is decoded),
	// stopping at the first error fn returns. fn is called with no
	// statement open and may use the store.
	WithStatus(ctx context.Context, st ticket.Status, fn func(id, department string) error) error
}

// OutboxItem is something a department's plugin must be told: a ticket
// offered to it, or an event of one of its tickets. It stays in the outbox
// until the plugin acknowledges it (AckOutbox), across restarts of the
// plugin and of the daemon.
type OutboxItem struct {
	// Seq orders the outbox; assigned by the store.
	Seq        int64
	Department string
	TicketID   string
	// Offer is true when the ticket itself is offered to Department (it
	// was routed there); false for an event of the ticket.
	Offer bool
	// Event is the ticket's event that put the item in the outbox (for an
	// offer, the routing event), read back from the history.
	Event ticket.Event
}

// OutboxFunc decides, inside the write transaction, which department's
// plugin must be told of event ev, written with ticket t (t is the state
// after the whole write). It returns "" for none; offer marks a ticket
// offer rather than an event. It must be quick and must not use the store.
type OutboxFunc func(t *ticket.Ticket, ev *ticket.Event) (dept string, offer bool)

// OutboxStore is a Store with a durable outbox: items written in the same
// transaction as the events they come from, so that an event a plugin must
// see is never lost between the commit and its delivery.
type OutboxStore interface {
	Store
	// SetOutbox installs fn: from then on every Create and Update asks fn
	// about each event it writes and stores an item for each department
	// fn names, in the same transaction. nil stops it.
	SetOutbox(fn OutboxFunc)
	// Outbox returns up to limit items of dept with Seq > after, in Seq
	// order.
	Outbox(ctx context.Context, dept string, after int64, limit int) ([]OutboxItem, error)
	// AckOutbox removes delivered items. Seqs not in the outbox are
	// ignored, so acknowledging twice is harmless.
	AckOutbox(ctx context.Context, seqs []int64) error
	// OutboxPending returns how many items wait, per department.
	OutboxPending(ctx context.Context) (map[string]int, error)
	// UpdateEach records many plugins' answers in one write: it runs fn
	// on each ticket of ids in turn, as Update would (fn sees the state
	// the previous ones left; the events it returns are appended), and
	// removes outbox items, all in one transaction: each of acks, and
	// owned[i] (the offer ids[i] answers; 0 for none) only when ticket i
	// was written or does not exist. A ticket that does not exist, or
	// whose fn returns an error, is left unchanged with the error in its
	// result (and a failed one keeps its item); the others are written.
	// The results are in the order of ids. A non-nil error means nothing
	// was written.
	UpdateEach(ctx context.Context, ids []string, owned []int64, fn func(i int, t *ticket.Ticket) ([]ticket.Event, error), acks []int64) ([]Updated, error)
}

// Updated is the result of one ticket of OutboxStore.UpdateEach.
type Updated struct {
	Ticket ticket.Ticket
	Events []ticket.Event
	// Err is ErrNotFound or fn's error; the ticket was not changed.
	Err error
}
