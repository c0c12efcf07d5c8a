package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// The bodies of the SLA endpoints are decoded with times as strings, so
// that a bad time is reported under its own field name (the JSON decoder
// does not say which field a time.Time failed in).

// dueBody is POST /sla/due (wire.DueRequest).
type dueBody struct {
	Policy   string      `json:"policy"`
	Kind     ticket.Kind `json:"kind"`
	Category string      `json:"category"`
	Severity string      `json:"severity"`
	Tier     string      `json:"tier"`
	Start    *string     `json:"start"`
	EventAt  *string     `json:"event_at"`
	Pauses   []spanBody  `json:"pauses"`
}

type spanBody struct {
	From *string `json:"from"`
	To   *string `json:"to"`
}

// replanBody is POST /tickets/{id}/replan (wire.ReplanRequest).
type replanBody struct {
	Target string  `json:"target"`
	DueAt  *string `json:"due_at"`
	Reason string  `json:"reason"`
}

// parseTime reads an optional RFC 3339 time of the named field.
func parseTime(field string, v *string) (*time.Time, error) {
	if v == nil {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, *v)
	if err != nil {
		return nil, fmt.Errorf("%s: %s is not an RFC 3339 time, e.g. 2026-03-01T09:00:00+08:00", field, quote(*v))
	}
	return &t, nil
}

func (b *dueBody) request() (wire.DueRequest, error) {
	q := wire.DueRequest{Policy: b.Policy, Kind: b.Kind, Category: b.Category, Severity: b.Severity, Tier: b.Tier}
	var err error
	if q.Start, err = parseTime("start", b.Start); err != nil {
		return q, err
	}
	if q.EventAt, err = parseTime("event_at", b.EventAt); err != nil {
		return q, err
	}
	for i, p := range b.Pauses {
		var s wire.Span
		if s.From, err = parseTime(fmt.Sprintf("pauses[%d].from", i), p.From); err != nil {
			return q, err
		}
		if s.To, err = parseTime(fmt.Sprintf("pauses[%d].to", i), p.To); err != nil {
			return q, err
		}
		q.Pauses = append(q.Pauses, s)
	}
	return q, nil
}

// due is POST /sla/due: the deadlines a ticket would get, from a policy
// name or ticket fields, a start, an event time and pauses. Bad or missing
// fields, an unknown policy and an event_at the policy needs are 400s
// naming the field.
func (s *Server) due(w http.ResponseWriter, r *http.Request) {
	var b dueBody
	if err := decode(w, r, &b); err != nil {
		badRequest(w, err.Error())
		return
	}
	q, err := b.request()
	if err != nil {
		badRequest(w, err.Error())
		return
	}
	if q.Start == nil {
		badRequest(w, "start: is required (RFC 3339, when the clocks start)")
		return
	}
	res, err := s.desk.Due(r.Context(), q)
	if err != nil {
		s.deskError(w, r, err)
		return
	}
	if res.Targets == nil {
		res.Targets = []wire.DueTarget{}
	}
	writeJSON(w, http.StatusOK, res)
}

// replan is POST /tickets/{id}/replan: a new planned time for one unmet
// target; 200 and the ticket. An unknown target or a bad field is 400; a
// target already met or breached, or a closed ticket, is 409.
func (s *Server) replan(w http.ResponseWriter, r *http.Request) {
	who, ok := actor(w, r)
	if !ok {
		return
	}
	var b replanBody
	if err := decode(w, r, &b); err != nil {
		badRequest(w, err.Error())
		return
	}
	dueAt, err := parseTime("due_at", b.DueAt)
	switch {
	case err != nil:
		badRequest(w, err.Error())
		return
	case b.Target == "":
		badRequest(w, "target: is required (the name of an SLA target, e.g. resolution)")
		return
	case dueAt == nil:
		badRequest(w, "due_at: is required (RFC 3339)")
		return
	}
	t, err := s.desk.Replan(r.Context(), r.PathValue("id"), b.Target, *dueAt, b.Reason, who)
	if err != nil {
		s.deskError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}
