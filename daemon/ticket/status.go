package ticket

import (
	"fmt"
	"strings"
)

// Status is a ticket's place in its life cycle:
//
//	new → dispatched → acknowledged → in_progress ⇄ waiting → resolved → closed
//
// with reopened (from resolved or closed) back to in_progress, and cancelled
// from any open status.
type Status string

// The statuses of the life cycle.
const (
	StatusNew          Status = "new"
	StatusDispatched   Status = "dispatched"
	StatusAcknowledged Status = "acknowledged"
	StatusInProgress   Status = "in_progress"
	StatusWaiting      Status = "waiting"
	StatusResolved     Status = "resolved"
	StatusClosed       Status = "closed"
	StatusReopened     Status = "reopened"
	StatusCancelled    Status = "cancelled"
)

// Statuses lists every status in life-cycle order.
var Statuses = []Status{StatusNew, StatusDispatched, StatusAcknowledged, StatusInProgress,
	StatusWaiting, StatusResolved, StatusClosed, StatusReopened, StatusCancelled}

var transitions = map[Status][]Status{
	StatusNew:          {StatusDispatched, StatusCancelled},
	StatusDispatched:   {StatusAcknowledged, StatusNew, StatusCancelled},
	StatusAcknowledged: {StatusInProgress, StatusWaiting, StatusResolved, StatusCancelled},
	StatusInProgress:   {StatusWaiting, StatusResolved, StatusCancelled},
	StatusWaiting:      {StatusInProgress, StatusResolved, StatusCancelled},
	StatusResolved:     {StatusClosed, StatusReopened},
	StatusClosed:       {StatusReopened},
	StatusReopened:     {StatusInProgress, StatusWaiting, StatusResolved, StatusCancelled},
	StatusCancelled:    nil,
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := transitions[s]; return ok }

// Terminal reports whether no work remains: closed or cancelled.
func (s Status) Terminal() bool { return s == StatusClosed || s == StatusCancelled }

// StatusNames lists every status in life-cycle order, for messages: "new,
// dispatched, …, cancelled".
func StatusNames() string {
	names := make([]string, len(Statuses))
	for i, st := range Statuses {
		names[i] = string(st)
	}
	return strings.Join(names, ", ")
}

// Next lists the statuses s may move to.
func (s Status) Next() []Status { return transitions[s] }

// CanMove reports whether the life cycle allows s → to.
func (s Status) CanMove(to Status) bool {
	for _, n := range transitions[s] {
		if n == to {
			return true
		}
	}
	return false
}

// TransitionError is an illegal move in the life cycle.
type TransitionError struct {
	From, To Status
}

// Error names both statuses and the moves allowed from the current one.
func (e *TransitionError) Error() string {
	if !e.To.Valid() {
		return fmt.Sprintf("unknown status %q", e.To)
	}
	return fmt.Sprintf("cannot move a ticket from %q to %q (allowed: %v)", e.From, e.To, e.From.Next())
}

// CheckTransition returns a *TransitionError unless from → to is allowed.
func CheckTransition(from, to Status) error {
	if !to.Valid() || !from.CanMove(to) {
		return &TransitionError{From: from, To: to}
	}
	return nil
}
