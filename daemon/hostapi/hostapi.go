// Package hostapi is the daemon's side of the host API: what a department
// plugin may ask of the desk through go-plugin's broker (sdk.Host). Every
// call is checked — a plugin acts only on tickets of its own department
// unless config.toml grants it more — and is recorded in the ticket's
// history with the plugin ("plugin:<department>") as the actor.
package hostapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/desk"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/sdk"
)

// Desk is what the host API needs of the desk (*desk.Desk).
type Desk interface {
	Get(ctx context.Context, id string) (ticket.Ticket, error)
	AddNote(ctx context.Context, id, note, actor string) (ticket.Ticket, error)
	Transition(ctx context.Context, id string, to ticket.Status, note, actor string) (ticket.Ticket, error)
	Assign(ctx context.Context, id, assignee, note, actor string) (ticket.Ticket, error)
	Replan(ctx context.Context, id, target string, due time.Time, reason, actor string) (ticket.Ticket, error)
	Create(ctx context.Context, t ticket.Ticket, idempotencyKey, actor string) (ticket.Ticket, bool, error)
	Escalate(ctx context.Context, id, reason, actor string) (ticket.Ticket, error)
}

// Grants reports whether the plugin of department dept may act on the
// tickets of department other. It is asked on every call, so that a reload
// of config.toml takes effect at once.
type Grants func(dept, other string) bool

// API serves the host API of every department.
type API struct {
	desk   Desk
	grants Grants
}

// New returns the host API over d; grants nil means each plugin acts on
// its own department's tickets only.
func New(d Desk, grants Grants) *API {
	if grants == nil {
		grants = func(dept, other string) bool { return dept == other }
	}
	return &API{desk: d, grants: grants}
}

// For returns the sdk.Host served to the plugin of department dept.
func (a *API) For(dept string) sdk.Host { return &host{api: a, dept: dept, actor: "plugin:" + dept} }

// host is one department's view of the desk.
type host struct {
	api   *API
	dept  string
	actor string
}

var _ sdk.Host = (*host)(nil)

// own loads ticket id and checks that the plugin may act on it; the check
// is made again inside the change's transaction (guarded), so that a
// ticket moved to another department meanwhile is refused too.
func (h *host) own(ctx context.Context, op, id string) error {
	if strings.TrimSpace(id) == "" {
		return &sdk.HostError{Op: op, Code: sdk.HostInvalid, Message: "ticket_id is required"}
	}
	t, err := h.api.desk.Get(ctx, id)
	if err != nil {
		return hostError(op, err)
	}
	return h.permit(op, &t)
}

// permit checks that the plugin may act on t.
func (h *host) permit(op string, t *ticket.Ticket) error {
	if !h.api.grants(h.dept, t.Department) {
		return &sdk.HostError{Op: op, Code: sdk.HostPermissionDenied, Message: fmt.Sprintf(
			"ticket %s belongs to department %s; plugin of %s may act only on its own tickets (grant more with grants in config.toml)",
			t.ID, t.Department, h.dept)}
	}
	return nil
}

// guarded is ctx with the permission check run inside each change.
func (h *host) guarded(ctx context.Context, op string) context.Context {
	return desk.WithGuard(ctx, func(t *ticket.Ticket) error { return h.permit(op, t) })
}

// result converts a desk answer.
func result(op string, t ticket.Ticket, err error) (sdk.Ticket, error) {
	if err != nil {
		return sdk.Ticket{}, hostError(op, err)
	}
	return desk.SDKTicket(&t), nil
}

// Ticket implements sdk.Host.
func (h *host) Ticket(ctx context.Context, id string) (sdk.Ticket, error) {
	if err := h.own(ctx, "Ticket", id); err != nil {
		return sdk.Ticket{}, err
	}
	t, err := h.api.desk.Get(ctx, id)
	return result("Ticket", t, err)
}

// AddNote implements sdk.Host.
func (h *host) AddNote(ctx context.Context, id, note string) (sdk.Ticket, error) {
	if err := h.own(ctx, "AddNote", id); err != nil {
		return sdk.Ticket{}, err
	}
	t, err := h.api.desk.AddNote(h.guarded(ctx, "AddNote"), id, note, h.actor)
	return result("AddNote", t, err)
}

// Transition implements sdk.Host.
func (h *host) Transition(ctx context.Context, id, status, note string) (sdk.Ticket, error) {
	if err := h.own(ctx, "Transition", id); err != nil {
		return sdk.Ticket{}, err
	}
	to := ticket.Status(status)
	switch {
	case !to.Valid():
		return sdk.Ticket{}, &sdk.HostError{Op: "Transition", Code: sdk.HostInvalid, Message: fmt.Sprintf("status %q is not a status (%s)", status, ticket.StatusNames())}
	case to == ticket.StatusNew || to == ticket.StatusDispatched:
		// The desk's own bookkeeping of the hand-over: a plugin answers an
		// offer instead.
		return sdk.Ticket{}, &sdk.HostError{Op: "Transition", Code: sdk.HostInvalid, Message: fmt.Sprintf(
			"status %q is the desk's own (the hand-over to a department); a plugin may move a ticket to acknowledged, in_progress, waiting, resolved, closed, reopened or cancelled", status)}
	}
	t, err := h.api.desk.Transition(h.guarded(ctx, "Transition"), id, to, note, h.actor)
	return result("Transition", t, err)
}

// Assign implements sdk.Host.
func (h *host) Assign(ctx context.Context, id, assignee, note string) (sdk.Ticket, error) {
	if err := h.own(ctx, "Assign", id); err != nil {
		return sdk.Ticket{}, err
	}
	t, err := h.api.desk.Assign(h.guarded(ctx, "Assign"), id, assignee, note, h.actor)
	return result("Assign", t, err)
}

// Replan implements sdk.Host. Target "" is the ticket's last target (its
// resolution).
func (h *host) Replan(ctx context.Context, id, target string, plannedAt time.Time, reason string) (sdk.Ticket, error) {
	if err := h.own(ctx, "Replan", id); err != nil {
		return sdk.Ticket{}, err
	}
	if strings.TrimSpace(target) == "" {
		t, err := h.api.desk.Get(ctx, id)
		if err != nil {
			return sdk.Ticket{}, hostError("Replan", err)
		}
		if len(t.SLA) == 0 {
			return sdk.Ticket{}, &sdk.HostError{Op: "Replan", Code: sdk.HostInvalid, Message: fmt.Sprintf("ticket %s has no SLA targets to re-plan", id)}
		}
		target = t.SLA[len(t.SLA)-1].Name
	}
	t, err := h.api.desk.Replan(h.guarded(ctx, "Replan"), id, target, plannedAt, reason, h.actor)
	return result("Replan", t, err)
}

// CreateTicket implements sdk.Host. The ticket is routed like any other;
// an idempotency key is kept per department, so two plugins cannot collide.
func (h *host) CreateTicket(ctx context.Context, nt sdk.NewTicket, key string) (sdk.Ticket, error) {
	in := ticket.Ticket{
		Kind: ticket.Kind(nt.Kind), Category: nt.Category, Severity: nt.Severity, Tier: nt.Tier,
		Title: nt.Title, Description: nt.Description,
		Reporter: ticket.Reporter{Name: nt.ReporterName, Contact: nt.ReporterContact},
		Location: nt.Location, Asset: nt.Asset, Fields: nt.Fields,
	}
	if in.Reporter.Name == "" {
		in.Reporter.Name = h.actor
	}
	if !nt.EventAt.IsZero() {
		at := nt.EventAt
		in.EventAt = &at
	}
	if key != "" {
		key = h.actor + "/" + key
	}
	t, _, err := h.api.desk.Create(ctx, in, key, h.actor)
	return result("CreateTicket", t, err)
}

// Escalate implements sdk.Host.
func (h *host) Escalate(ctx context.Context, id, reason string) (sdk.Ticket, error) {
	if err := h.own(ctx, "Escalate", id); err != nil {
		return sdk.Ticket{}, err
	}
	t, err := h.api.desk.Escalate(h.guarded(ctx, "Escalate"), id, reason, h.actor)
	return result("Escalate", t, err)
}

// hostError classifies a desk error for the plugin.
func hostError(op string, err error) error {
	var he *sdk.HostError
	if errors.As(err, &he) {
		return he // the guard's refusal
	}
	code := sdk.HostInternal
	var (
		fe       *ticket.FieldError
		te       *ticket.TransitionError
		conflict interface{ Conflict() bool }
	)
	switch {
	case errors.Is(err, store.ErrNotFound):
		code = sdk.HostNotFound
	case errors.As(err, &fe), errors.Is(err, store.ErrIdempotencyReused):
		code = sdk.HostInvalid
	case errors.As(err, &te), errors.As(err, &conflict) && conflict.Conflict():
		code = sdk.HostConflict
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		code = sdk.HostUnavailable
	}
	return &sdk.HostError{Op: op, Code: code, Message: strings.TrimPrefix(err.Error(), "desk: ")}
}
