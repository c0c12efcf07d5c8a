package sdktest

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"sync"
	"time"

	"github.com/switchboard-desk/switchboard/sdk"
)

// Host is a fake daemon for plugin tests: an in-memory [sdk.Host] that
// holds tickets, applies the calls a plugin makes the way the daemon does
// (the same life cycle, the same error codes), and records every call, in
// order, for the test to check. It is safe for concurrent use.
//
// Seed it with the tickets the plugin will see, hand it to the plugin
// through [Options], and look at what the plugin did:
//
//	h := sdktest.NewHost().ForDepartment("engineering")
//	h.Put(sdk.Ticket{ID: "T-1", Kind: "repair", Status: "acknowledged", Department: "engineering"})
//	c := sdktest.Run(t, mydept.New(), sdktest.Options{Department: "engineering", Host: h})
//	... c.HandleTicket / c.HandleEvent ...
//	for _, call := range h.Calls() {
//		t.Log(call.Op, call.TicketID, call.Note, call.Err)
//	}
//
// Differences from the daemon: a created ticket is not routed (it belongs to
// the Host's department, or to none), no SLA is computed (Replan records
// the planned time only), and escalation changes nothing but the ticket's
// version.
type Host struct {
	mu      sync.Mutex
	dept    string
	tickets map[string]*sdk.Ticket
	notes   map[string][]string
	calls   []Call
	created []string
	keys    map[string]keyUse // idempotency key → its first use
	nextID  int
	now     func() time.Time
}

// Call is one call a plugin made on a [Host], as recorded by Calls. Only
// the fields the operation takes are set.
type Call struct {
	// Op is the sdk.Host method: "Ticket", "AddNote", "Transition",
	// "Assign", "Replan", "CreateTicket" or "Escalate".
	Op string
	// TicketID is the ticket acted on; for CreateTicket, the ticket
	// created (empty when the call failed).
	TicketID string
	// Status is Transition's new status.
	Status string
	// Note is the note of AddNote, Transition or Assign.
	Note string
	// Assignee is Assign's assignee.
	Assignee string
	// Target is Replan's target as given ("" means the resolution target).
	Target string
	// Reason is the reason of Replan or Escalate.
	Reason string
	// PlannedAt is Replan's new planned time.
	PlannedAt time.Time
	// New is CreateTicket's ticket, as the plugin gave it.
	New *sdk.NewTicket
	// IdempotencyKey is CreateTicket's key.
	IdempotencyKey string
	// Err is the error the Host returned, nil on success.
	Err error
}

// NewHost returns an empty Host that lets a plugin act on every ticket.
func NewHost() *Host {
	return &Host{
		tickets: map[string]*sdk.Ticket{},
		notes:   map[string][]string{},
		keys:    map[string]keyUse{},
		now:     time.Now,
	}
}

// ForDepartment makes h act for one department, as the daemon does: a call
// on a ticket of another department fails with
// [sdk.HostPermissionDenied], and the tickets h creates belong to dept. It
// returns h, so that it chains after NewHost.
func (h *Host) ForDepartment(dept string) *Host {
	h.mu.Lock()
	h.dept = dept
	h.mu.Unlock()
	return h
}

// Put seeds a ticket, or overwrites the one with the same ID, e.g. to move
// it on as the daemon would (a ticket offered to a plugin is "new" until
// the plugin's answer is committed, and "acknowledged" after). An empty
// Status is taken as "new". Put is not recorded as a call.
func (h *Host) Put(t sdk.Ticket) {
	if t.Status == "" {
		t.Status = "new"
	}
	t.Fields = maps.Clone(t.Fields)
	h.mu.Lock()
	h.tickets[t.ID] = &t
	h.mu.Unlock()
}

// Lookup returns the current state of a ticket and whether h holds it.
func (h *Host) Lookup(id string) (sdk.Ticket, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	t, ok := h.tickets[id]
	if !ok {
		return sdk.Ticket{}, false
	}
	return copyTicket(t), true
}

// Calls returns every call made on h so far, in order, failed ones
// included.
func (h *Host) Calls() []Call {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Call, len(h.calls))
	copy(out, h.calls)
	return out
}

// Created returns the tickets created through CreateTicket, in order of
// creation, each once however often its idempotency key was used, in
// their current state.
func (h *Host) Created() []sdk.Ticket {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]sdk.Ticket, 0, len(h.created))
	for _, id := range h.created {
		out = append(out, copyTicket(h.tickets[id]))
	}
	return out
}

// Notes returns the notes added to a ticket through AddNote, in order.
func (h *Host) Notes(id string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.notes[id]...)
}

// Ticket implements sdk.Host.
func (h *Host) Ticket(ctx context.Context, id string) (sdk.Ticket, error) {
	return h.apply(ctx, Call{Op: "Ticket", TicketID: id}, func(*sdk.Ticket) error { return nil })
}

// AddNote implements sdk.Host.
func (h *Host) AddNote(ctx context.Context, id, note string) (sdk.Ticket, error) {
	return h.apply(ctx, Call{Op: "AddNote", TicketID: id, Note: note}, func(t *sdk.Ticket) error {
		if note == "" {
			return invalid("AddNote", "note: empty")
		}
		if err := open("AddNote", t); err != nil {
			return err
		}
		h.notes[id] = append(h.notes[id], note)
		t.Version++
		return nil
	})
}

// Transition implements sdk.Host. It allows the moves the daemon's life
// cycle allows:
//
//	new → dispatched → acknowledged → in_progress ⇄ waiting → resolved → closed
//
// with acknowledged → waiting or resolved, reopened (from resolved or
// closed) back to in_progress, waiting or resolved, and cancelled from any
// open status. Any other move fails with [sdk.HostConflict] naming both
// statuses; an unknown status with [sdk.HostInvalid].
func (h *Host) Transition(ctx context.Context, id, status, note string) (sdk.Ticket, error) {
	return h.apply(ctx, Call{Op: "Transition", TicketID: id, Status: status, Note: note}, func(t *sdk.Ticket) error {
		if _, known := lifeCycle[status]; !known {
			return invalid("Transition", fmt.Sprintf("status: unknown status %q", status))
		}
		if !canMove(t.Status, status) {
			return &sdk.HostError{Op: "Transition", Code: sdk.HostConflict, Message: fmt.Sprintf(
				"ticket %s: cannot move from %q to %q (allowed: %v)", t.ID, t.Status, status, lifeCycle[t.Status])}
		}
		t.Status = status
		t.Version++
		return nil
	})
}

// Assign implements sdk.Host.
func (h *Host) Assign(ctx context.Context, id, assignee, note string) (sdk.Ticket, error) {
	return h.apply(ctx, Call{Op: "Assign", TicketID: id, Assignee: assignee, Note: note}, func(t *sdk.Ticket) error {
		if assignee == "" {
			return invalid("Assign", "assignee: empty")
		}
		if err := open("Assign", t); err != nil {
			return err
		}
		t.Assignee = assignee
		t.Version++
		return nil
	})
}

// Replan implements sdk.Host. It checks the call (an open ticket, a
// planned time, a reason) and records it; the fake computes no SLA.
func (h *Host) Replan(ctx context.Context, id, target string, plannedAt time.Time, reason string) (sdk.Ticket, error) {
	c := Call{Op: "Replan", TicketID: id, Target: target, PlannedAt: plannedAt, Reason: reason}
	return h.apply(ctx, c, func(t *sdk.Ticket) error {
		switch {
		case plannedAt.IsZero():
			return invalid("Replan", "planned_at: missing")
		case reason == "":
			return invalid("Replan", "reason: empty")
		}
		if err := open("Replan", t); err != nil {
			return err
		}
		t.Version += 2 // sla.replanned and stakeholders.notified
		return nil
	})
}

// Escalate implements sdk.Host.
func (h *Host) Escalate(ctx context.Context, id, reason string) (sdk.Ticket, error) {
	return h.apply(ctx, Call{Op: "Escalate", TicketID: id, Reason: reason}, func(t *sdk.Ticket) error {
		if reason == "" {
			return invalid("Escalate", "reason: empty")
		}
		if err := open("Escalate", t); err != nil {
			return err
		}
		t.Version++
		return nil
	})
}

// CreateTicket implements sdk.Host. Tickets get the ids "FAKE-1",
// "FAKE-2", … in order. A call with an idempotency key used before for the
// same ticket returns the ticket the first call created and creates
// nothing; used before for a different ticket (another title, description,
// field…), it fails with [sdk.HostInvalid], as the daemon does.
func (h *Host) CreateTicket(ctx context.Context, nt sdk.NewTicket, idempotencyKey string) (sdk.Ticket, error) {
	rec := nt
	rec.Fields = maps.Clone(nt.Fields)
	c := Call{Op: "CreateTicket", New: &rec, IdempotencyKey: idempotencyKey}
	h.mu.Lock()
	defer h.mu.Unlock()
	t, err := h.create(ctx, nt, idempotencyKey)
	if err == nil {
		c.TicketID = t.ID
	}
	c.Err = err
	h.calls = append(h.calls, c)
	return t, err
}

// create opens a ticket; h.mu is held.
func (h *Host) create(ctx context.Context, nt sdk.NewTicket, key string) (sdk.Ticket, error) {
	if err := ctx.Err(); err != nil {
		return sdk.Ticket{}, &sdk.HostError{Op: "CreateTicket", Code: sdk.HostUnavailable, Message: err.Error()}
	}
	if use, ok := h.keys[key]; ok && key != "" {
		if !sameNewTicket(use.nt, nt) {
			return sdk.Ticket{}, invalid("CreateTicket", fmt.Sprintf(
				"idempotency key %q was already used for %s with a different request", key, use.id))
		}
		return copyTicket(h.tickets[use.id]), nil
	}
	switch {
	case nt.Kind != "complaint" && nt.Kind != "repair" && nt.Kind != "request":
		return sdk.Ticket{}, invalid("CreateTicket", fmt.Sprintf("kind: %q is not complaint, repair or request", nt.Kind))
	case nt.Title == "":
		return sdk.Ticket{}, invalid("CreateTicket", "title: empty")
	}
	tier := nt.Tier
	if tier == "" {
		tier = "general"
	}
	h.nextID++
	t := &sdk.Ticket{
		ID: "FAKE-" + strconv.Itoa(h.nextID), Kind: nt.Kind, Category: nt.Category, Severity: nt.Severity,
		Tier: tier, Title: nt.Title, Description: nt.Description,
		ReporterName: nt.ReporterName, ReporterContact: nt.ReporterContact,
		Location: nt.Location, Asset: nt.Asset, Fields: maps.Clone(nt.Fields), EventAt: nt.EventAt,
		Status: "new", Department: h.dept, CreatedAt: h.now().UTC(), Version: 1,
	}
	h.tickets[t.ID] = t
	h.created = append(h.created, t.ID)
	if key != "" {
		first := nt
		first.Fields = maps.Clone(nt.Fields)
		h.keys[key] = keyUse{id: t.ID, nt: first}
	}
	return copyTicket(t), nil
}

// apply runs one call on an existing ticket the Host may act on and
// records it. change mutates the ticket under h.mu, or refuses.
func (h *Host) apply(ctx context.Context, c Call, change func(t *sdk.Ticket) error) (sdk.Ticket, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	t, err := h.find(ctx, c.Op, c.TicketID)
	if err == nil {
		before := *t
		if err = change(t); err != nil {
			*t = before
		}
	}
	c.Err = err
	h.calls = append(h.calls, c)
	if err != nil {
		return sdk.Ticket{}, err
	}
	return copyTicket(t), nil
}

// find returns the ticket for a call on id; h.mu is held.
func (h *Host) find(ctx context.Context, op, id string) (*sdk.Ticket, error) {
	if err := ctx.Err(); err != nil {
		return nil, &sdk.HostError{Op: op, Code: sdk.HostUnavailable, Message: err.Error()}
	}
	t, ok := h.tickets[id]
	if !ok {
		return nil, &sdk.HostError{Op: op, Code: sdk.HostNotFound, Message: fmt.Sprintf("ticket %q: no such ticket", id)}
	}
	if h.dept != "" && t.Department != h.dept {
		return nil, &sdk.HostError{Op: op, Code: sdk.HostPermissionDenied, Message: fmt.Sprintf(
			"ticket %s belongs to department %q, not %q", id, t.Department, h.dept)}
	}
	return t, nil
}

// keyUse is the first use of an idempotency key.
type keyUse struct {
	id string
	nt sdk.NewTicket
}

// sameNewTicket reports whether two submissions are the same ticket, as the
// daemon compares them: a nil and an empty Fields map are the same, and
// EventAt compares as an instant.
func sameNewTicket(a, b sdk.NewTicket) bool {
	if len(a.Fields) != len(b.Fields) || !a.EventAt.Equal(b.EventAt) {
		return false
	}
	for k, v := range a.Fields {
		if w, ok := b.Fields[k]; !ok || w != v {
			return false
		}
	}
	return a.Kind == b.Kind && a.Category == b.Category && a.Severity == b.Severity && a.Tier == b.Tier &&
		a.Title == b.Title && a.Description == b.Description && a.ReporterName == b.ReporterName &&
		a.ReporterContact == b.ReporterContact && a.Location == b.Location && a.Asset == b.Asset
}

// lifeCycle is the daemon's life cycle: the statuses each status may move
// to (a copy of daemon/ticket's, which the SDK may not import).
var lifeCycle = map[string][]string{
	"new":          {"dispatched", "cancelled"},
	"dispatched":   {"acknowledged", "new", "cancelled"},
	"acknowledged": {"in_progress", "waiting", "resolved", "cancelled"},
	"in_progress":  {"waiting", "resolved", "cancelled"},
	"waiting":      {"in_progress", "resolved", "cancelled"},
	"resolved":     {"closed", "reopened"},
	"closed":       {"reopened"},
	"reopened":     {"in_progress", "waiting", "resolved", "cancelled"},
	"cancelled":    nil,
}

func canMove(from, to string) bool {
	for _, n := range lifeCycle[from] {
		if n == to {
			return true
		}
	}
	return false
}

// open refuses a change to a closed or cancelled ticket.
func open(op string, t *sdk.Ticket) error {
	if t.Status == "closed" || t.Status == "cancelled" {
		return &sdk.HostError{Op: op, Code: sdk.HostConflict, Message: fmt.Sprintf("ticket %s is %s", t.ID, t.Status)}
	}
	return nil
}

func invalid(op, msg string) error {
	return &sdk.HostError{Op: op, Code: sdk.HostInvalid, Message: msg}
}

func copyTicket(t *sdk.Ticket) sdk.Ticket {
	c := *t
	c.Fields = maps.Clone(t.Fields)
	return c
}

var _ sdk.Host = (*Host)(nil)
