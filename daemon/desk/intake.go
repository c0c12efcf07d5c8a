package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// createdData is the data of a ticket.created event: what was submitted.
type createdData struct {
	Kind     ticket.Kind     `json:"kind"`
	Category string          `json:"category"`
	Severity string          `json:"severity"`
	Tier     string          `json:"tier"`
	Title    string          `json:"title"`
	Reporter ticket.Reporter `json:"reporter"`
	Location string          `json:"location,omitempty"`
	Asset    string          `json:"asset,omitempty"`
	Policy   string          `json:"policy,omitempty"`
	SLA      []ticket.Target `json:"sla,omitempty"`
}

type routedData struct {
	Department string `json:"department"`
	Rule       int    `json:"rule"`
	Reason     string `json:"reason"`
}

// Create validates a submission, routes it, plans its SLA and stores it.
// When its policy has stakeholders, they are told (stakeholders.notified);
// when it is a repeat complaint (see repeatOf), it is linked to the earlier
// ones and escalated (complaint.repeated).
// The ticket is on disk when Create returns. With an idempotency key that
// was used before for the same submission (the same intake fields once
// normalised), the earlier ticket is returned with created=false; used
// before for a different submission, Create stores nothing and fails with
// a *store.IdempotencyError (matching store.ErrIdempotencyReused).
func (d *Desk) Create(ctx context.Context, in ticket.Ticket, idempotencyKey, actor string) (ticket.Ticket, bool, error) {
	t := ticket.Ticket{
		Kind: in.Kind, Category: in.Category, Severity: in.Severity, Tier: in.Tier,
		Title: in.Title, Description: in.Description, Reporter: in.Reporter,
		Location: in.Location, Asset: in.Asset, Fields: in.Fields, EventAt: in.EventAt,
	}
	t.Normalize()
	if err := t.ValidateNew(); err != nil {
		return ticket.Ticket{}, false, err
	}
	idem := store.Idempotency{Key: idempotencyKey}
	if idempotencyKey != "" {
		// The fingerprint is the hex SHA-256 of the intake fields as
		// normalised, in a fixed order: a retry that differs only in
		// spacing Normalize trims, in the order of the fields map, in an
		// empty versus absent map or in the zone event_at is written in is
		// still the same submission.
		var eventAt *time.Time
		if t.EventAt != nil {
			u := t.EventAt.UTC()
			eventAt = &u
		}
		b, err := json.Marshal(struct {
			Kind        ticket.Kind       `json:"kind"`
			Category    string            `json:"category"`
			Severity    string            `json:"severity"`
			Tier        string            `json:"tier"`
			Title       string            `json:"title"`
			Description string            `json:"description"`
			Reporter    ticket.Reporter   `json:"reporter"`
			Location    string            `json:"location"`
			Asset       string            `json:"asset"`
			Fields      map[string]string `json:"fields,omitempty"`
			EventAt     *time.Time        `json:"event_at"`
		}{t.Kind, t.Category, t.Severity, t.Tier, t.Title, t.Description, t.Reporter,
			t.Location, t.Asset, t.Fields, eventAt})
		if err != nil {
			return ticket.Ticket{}, false, fmt.Errorf("desk: create ticket: fingerprint: %w", err)
		}
		sum := sha256.Sum256(b)
		idem.Fingerprint = hex.EncodeToString(sum[:])
	}
	now := d.now().UTC()
	r := d.rules.Load()
	dec := r.router.Route(&t)
	t.Department = dec.Department
	t.Status = ticket.StatusNew
	t.CreatedAt, t.UpdatedAt = now, now
	if err := r.engine.Plan(&t, now); err != nil {
		return ticket.Ticket{}, false, fmt.Errorf("desk: create ticket: %w", err)
	}

	evs := []ticket.Event{
		ticket.NewEvent(ticket.EventCreated, actor, now, createdData{
			Kind: t.Kind, Category: t.Category, Severity: t.Severity, Tier: t.Tier, Title: t.Title,
			Reporter: t.Reporter, Location: t.Location, Asset: t.Asset, Policy: t.Policy, SLA: t.SLA,
		}),
		ticket.NewEvent(ticket.EventRouted, "router", now, routedData{
			Department: dec.Department, Rule: dec.Rule, Reason: dec.Reason,
		}),
	}
	if ev := d.stakeholders(&t, "created: "+t.Title, now); ev != nil {
		evs = append(evs, *ev)
	}
	rep, err := d.repeatOf(ctx, &t, now)
	if err != nil {
		return ticket.Ticket{}, false, fmt.Errorf("desk: create ticket: %w", err)
	}
	if rep != nil {
		evs = append(evs, *rep)
	}
	stored, evs, created, err := d.store.Create(ctx, t, evs, idem)
	if err != nil {
		return ticket.Ticket{}, false, fmt.Errorf("desk: create ticket: %w", err)
	}
	if !created {
		return stored, false, nil
	}
	d.committed(stored, evs)
	return stored, true, nil
}

// Transition moves ticket id to status to, recording who and why.
func (d *Desk) Transition(ctx context.Context, id string, to ticket.Status, note, actor string) (ticket.Ticket, error) {
	return d.update(ctx, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		return d.move(t, to, note, actor)
	})
}

// move applies one life-cycle step to t and returns its events, including
// SLA targets met by it.
func (d *Desk) move(t *ticket.Ticket, to ticket.Status, note, actor string) ([]ticket.Event, error) {
	if err := ticket.CheckTransition(t.Status, to); err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(note); n > ticket.MaxDescription {
		return nil, ticket.Invalid("note", "is %d characters long, at most %d allowed", n, ticket.MaxDescription)
	}
	now := d.now().UTC()
	from := t.Status
	t.Status = to
	evs := []ticket.Event{ticket.NewEvent(ticket.EventStatus, actor, now, ticket.StatusData{From: from, To: to, Note: note})}
	evs = append(evs, d.engine().Observe(t, from, to, now)...)
	return d.replanned(t, evs, now), nil
}

// update runs fn in a store transaction and, if it appended events, runs
// the post-commit stages.
func (d *Desk) update(ctx context.Context, id string, fn store.UpdateFunc) (ticket.Ticket, error) {
	if g, ok := ctx.Value(guardKey{}).(Guard); ok {
		inner := fn
		fn = func(t *ticket.Ticket) ([]ticket.Event, error) {
			if err := g(t); err != nil {
				return nil, err
			}
			return inner(t)
		}
	}
	t, evs, err := d.store.Update(ctx, id, fn)
	if err != nil {
		return ticket.Ticket{}, fmt.Errorf("desk: update %s: %w", id, err)
	}
	d.committed(t, evs)
	return t, nil
}

// Get returns a ticket's current state.
func (d *Desk) Get(ctx context.Context, id string) (ticket.Ticket, error) {
	return d.store.Get(ctx, id)
}

// History returns a ticket's events in order.
func (d *Desk) History(ctx context.Context, id string) ([]ticket.Event, error) {
	return d.store.History(ctx, id)
}

// List returns a page of tickets.
func (d *Desk) List(ctx context.Context, f store.Filter) (store.Page, error) {
	return d.store.List(ctx, f)
}

// Departments lists the departments with their plugin state and number of
// open tickets.
func (d *Desk) Departments(ctx context.Context) ([]wire.Department, error) {
	counts, err := d.store.CountOpen(ctx)
	if err != nil {
		return nil, fmt.Errorf("desk: count open tickets: %w", err)
	}
	var out []wire.Department
	if d.depts != nil {
		out = d.depts()
	}
	for i := range out {
		out[i].OpenTickets = counts[out[i].Name]
	}
	return out, nil
}

// Snapshot is the first message of a wallboard stream: the last event seq,
// then every open ticket (read after the seq, so no event is missed) and the
// departments.
func (d *Desk) Snapshot(ctx context.Context) (wire.Message, error) {
	seq, err := d.store.LastSeq(ctx)
	if err != nil {
		return wire.Message{}, fmt.Errorf("desk: snapshot: %w", err)
	}
	m := wire.Message{Type: wire.MsgSnapshot, Seq: seq, Tickets: []ticket.Ticket{}}
	err = d.store.Open(ctx, func(t ticket.Ticket) error {
		m.Tickets = append(m.Tickets, t)
		return nil
	})
	if err != nil {
		return wire.Message{}, fmt.Errorf("desk: snapshot: %w", err)
	}
	if m.Departments, err = d.Departments(ctx); err != nil {
		return wire.Message{}, err
	}
	return m, nil
}

// Backfill returns the event messages with after < seq <= upto, for a
// stream that missed them.
func (d *Desk) Backfill(ctx context.Context, after, upto int64) ([]wire.Message, error) {
	if upto <= after {
		return nil, nil
	}
	evs, err := d.store.EventsSince(ctx, after, int(upto-after))
	if err != nil {
		return nil, fmt.Errorf("desk: backfill: %w", err)
	}
	msgs := make([]wire.Message, 0, len(evs))
	for i := range evs {
		t, err := d.store.Get(ctx, evs[i].TicketID)
		if err != nil {
			return nil, fmt.Errorf("desk: backfill: %w", err)
		}
		msgs = append(msgs, wire.Message{Type: wire.MsgEvent, Seq: evs[i].Seq, Event: &evs[i], Ticket: &t})
	}
	return msgs, nil
}

// Guard decides, inside the transaction of a change, whether the change may
// go on: a non-nil error aborts it and is returned as it is. The host API
// checks with it that a plugin acts on its own department's tickets, on the
// state the change applies to.
type Guard func(t *ticket.Ticket) error

type guardKey struct{}

// WithGuard returns a context under which every change the desk makes to
// an existing ticket is first checked by g.
func WithGuard(ctx context.Context, g Guard) context.Context {
	return context.WithValue(ctx, guardKey{}, g)
}
