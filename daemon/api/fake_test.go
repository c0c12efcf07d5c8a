package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// fakeDesk implements Desk with function fields; a nil field fails.
type fakeDesk struct {
	CreateFn      func(ctx context.Context, t ticket.Ticket, key, actor string) (ticket.Ticket, bool, error)
	TransitionFn  func(ctx context.Context, id string, to ticket.Status, note, actor string) (ticket.Ticket, error)
	GetFn         func(ctx context.Context, id string) (ticket.Ticket, error)
	HistoryFn     func(ctx context.Context, id string) ([]ticket.Event, error)
	ListFn        func(ctx context.Context, f store.Filter) (store.Page, error)
	DepartmentsFn func(ctx context.Context) ([]wire.Department, error)
	ReplanFn      func(ctx context.Context, id, target string, dueAt time.Time, reason, actor string) (ticket.Ticket, error)
	DueFn         func(ctx context.Context, q wire.DueRequest) (wire.DueResponse, error)
	MeetTargetFn  func(ctx context.Context, id, target, note, actor string) (ticket.Ticket, error)
	AddNoteFn     func(ctx context.Context, id, note, actor string) (ticket.Ticket, error)
	AssignFn      func(ctx context.Context, id, assignee, note, actor string) (ticket.Ticket, error)
	EscalateFn    func(ctx context.Context, id, reason, actor string) (ticket.Ticket, error)
}

var _ Desk = (*fakeDesk)(nil)

var errNotImplemented = errors.New("fake: not implemented")

func (d *fakeDesk) Create(ctx context.Context, t ticket.Ticket, key, actor string) (ticket.Ticket, bool, error) {
	if d.CreateFn == nil {
		return ticket.Ticket{}, false, errNotImplemented
	}
	return d.CreateFn(ctx, t, key, actor)
}

func (d *fakeDesk) Transition(ctx context.Context, id string, to ticket.Status, note, actor string) (ticket.Ticket, error) {
	if d.TransitionFn == nil {
		return ticket.Ticket{}, errNotImplemented
	}
	return d.TransitionFn(ctx, id, to, note, actor)
}

func (d *fakeDesk) Get(ctx context.Context, id string) (ticket.Ticket, error) {
	if d.GetFn == nil {
		return ticket.Ticket{}, errNotImplemented
	}
	return d.GetFn(ctx, id)
}

func (d *fakeDesk) History(ctx context.Context, id string) ([]ticket.Event, error) {
	if d.HistoryFn == nil {
		return nil, errNotImplemented
	}
	return d.HistoryFn(ctx, id)
}

func (d *fakeDesk) List(ctx context.Context, f store.Filter) (store.Page, error) {
	if d.ListFn == nil {
		return store.Page{}, errNotImplemented
	}
	return d.ListFn(ctx, f)
}

func (d *fakeDesk) Departments(ctx context.Context) ([]wire.Department, error) {
	if d.DepartmentsFn == nil {
		return nil, errNotImplemented
	}
	return d.DepartmentsFn(ctx)
}

func (d *fakeDesk) Replan(ctx context.Context, id, target string, dueAt time.Time, reason, actor string) (ticket.Ticket, error) {
	if d.ReplanFn == nil {
		return ticket.Ticket{}, errNotImplemented
	}
	return d.ReplanFn(ctx, id, target, dueAt, reason, actor)
}

func (d *fakeDesk) Due(ctx context.Context, q wire.DueRequest) (wire.DueResponse, error) {
	if d.DueFn == nil {
		return wire.DueResponse{}, errNotImplemented
	}
	return d.DueFn(ctx, q)
}

func (d *fakeDesk) MeetTarget(ctx context.Context, id, target, note, actor string) (ticket.Ticket, error) {
	if d.MeetTargetFn == nil {
		return ticket.Ticket{}, errNotImplemented
	}
	return d.MeetTargetFn(ctx, id, target, note, actor)
}

func (d *fakeDesk) AddNote(ctx context.Context, id, note, actor string) (ticket.Ticket, error) {
	if d.AddNoteFn == nil {
		return ticket.Ticket{}, errNotImplemented
	}
	return d.AddNoteFn(ctx, id, note, actor)
}

func (d *fakeDesk) Assign(ctx context.Context, id, assignee, note, actor string) (ticket.Ticket, error) {
	if d.AssignFn == nil {
		return ticket.Ticket{}, errNotImplemented
	}
	return d.AssignFn(ctx, id, assignee, note, actor)
}

func (d *fakeDesk) Escalate(ctx context.Context, id, reason, actor string) (ticket.Ticket, error) {
	if d.EscalateFn == nil {
		return ticket.Ticket{}, errNotImplemented
	}
	return d.EscalateFn(ctx, id, reason, actor)
}

// memDesk is a small working desk in memory, built on the ticket model's
// own rules (Normalize, ValidateNew, CheckTransition), behind fakeDesk.
type memDesk struct {
	fakeDesk
	tickets map[string]ticket.Ticket
	history map[string][]ticket.Event
	keys    map[string]string // idempotency key → ticket ID
	prints  map[string]string // idempotency key → the submission, as JSON
	actors  []string
}

func newMemDesk() *memDesk {
	d := &memDesk{tickets: map[string]ticket.Ticket{}, history: map[string][]ticket.Event{},
		keys: map[string]string{}, prints: map[string]string{}}
	d.CreateFn = func(_ context.Context, t ticket.Ticket, key, actor string) (ticket.Ticket, bool, error) {
		t.Normalize()
		if err := t.ValidateNew(); err != nil {
			return ticket.Ticket{}, false, fmt.Errorf("desk: %w", err)
		}
		sub, _ := json.Marshal(t)
		if id, ok := d.keys[key]; ok && key != "" {
			if d.prints[key] != string(sub) {
				return ticket.Ticket{}, false, fmt.Errorf("desk: create ticket: %w", &store.IdempotencyError{Key: key, TicketID: id})
			}
			return d.tickets[id], false, nil
		}
		t.ID = fmt.Sprintf("T-%d", len(d.tickets)+1)
		t.Status = ticket.StatusNew
		t.Version = 1
		d.tickets[t.ID] = t
		d.history[t.ID] = []ticket.Event{{Seq: int64(len(d.tickets)), Version: 1, TicketID: t.ID, Type: ticket.EventCreated, Actor: actor}}
		if key != "" {
			d.keys[key] = t.ID
			d.prints[key] = string(sub)
		}
		d.actors = append(d.actors, actor)
		return t, true, nil
	}
	d.GetFn = func(_ context.Context, id string) (ticket.Ticket, error) {
		t, ok := d.tickets[id]
		if !ok {
			return ticket.Ticket{}, fmt.Errorf("desk: get %s: %w", id, store.ErrNotFound)
		}
		return t, nil
	}
	d.HistoryFn = func(_ context.Context, id string) ([]ticket.Event, error) {
		h, ok := d.history[id]
		if !ok {
			return nil, store.ErrNotFound
		}
		return h, nil
	}
	d.TransitionFn = func(_ context.Context, id string, to ticket.Status, note, actor string) (ticket.Ticket, error) {
		t, ok := d.tickets[id]
		if !ok {
			return ticket.Ticket{}, fmt.Errorf("desk: %w", store.ErrNotFound)
		}
		if err := ticket.CheckTransition(t.Status, to); err != nil {
			return ticket.Ticket{}, fmt.Errorf("desk: transition %s: %w", id, err)
		}
		t.Status = to
		t.Version++
		d.tickets[id] = t
		d.actors = append(d.actors, actor)
		return t, nil
	}
	d.ListFn = func(_ context.Context, f store.Filter) (store.Page, error) {
		var p store.Page
		for _, t := range d.tickets {
			if (f.Department == "" || t.Department == f.Department) && (f.Status == "" || t.Status == f.Status) {
				p.Tickets = append(p.Tickets, t)
			}
		}
		return p, nil
	}
	d.DepartmentsFn = func(context.Context) ([]wire.Department, error) {
		return []wire.Department{{Name: "engineering", Title: "Engineering", State: "running", PID: 4242}}, nil
	}
	return d
}
