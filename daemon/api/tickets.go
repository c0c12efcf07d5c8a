package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// Limits on request parameters.
const (
	// MaxIdempotencyKey is the longest Idempotency-Key accepted.
	MaxIdempotencyKey = 200
	// MaxLimit is the largest page size of GET /tickets.
	MaxLimit = 500
)

// createTicket is POST /tickets: 201 and the new ticket, 200 and the ticket
// created earlier with the same Idempotency-Key, or 422 if that key was
// used for a different submission.
func (s *Server) createTicket(w http.ResponseWriter, r *http.Request) {
	who, ok := actor(w, r)
	if !ok {
		return
	}
	key := strings.TrimSpace(r.Header.Get(wire.HeaderIdempotencyKey))
	if n := utf8.RuneCountInString(key); n > MaxIdempotencyKey {
		badRequest(w, wire.HeaderIdempotencyKey+": is "+strconv.Itoa(n)+" characters long, at most 200 allowed")
		return
	}
	var req createRequest
	if err := decode(w, r, &req); err != nil {
		badRequest(w, err.Error())
		return
	}
	t, created, err := s.desk.Create(r.Context(), req.ticket(), key, who)
	if err != nil {
		s.deskError(w, r, err)
		return
	}
	if !created {
		w.Header().Set(wire.HeaderReplayed, "true")
		writeJSON(w, http.StatusOK, t)
		return
	}
	s.metrics.created.Inc()
	w.Header().Set("Location", wire.Prefix+"/tickets/"+t.ID)
	writeJSON(w, http.StatusCreated, t)
}

// getTicket is GET /tickets/{id}: the ticket and its history.
func (s *Server) getTicket(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	t, err := s.desk.Get(r.Context(), id)
	if err != nil {
		s.deskError(w, r, err)
		return
	}
	h, err := s.desk.History(r.Context(), id)
	if err != nil {
		s.deskError(w, r, err)
		return
	}
	if h == nil {
		h = []ticket.Event{}
	}
	writeJSON(w, http.StatusOK, wire.TicketDetail{Ticket: t, History: h})
}

// listTickets is GET /tickets?department=&status=&open=&limit=&cursor=.
func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r)
	if err != nil {
		badRequest(w, err.Error())
		return
	}
	page, err := s.desk.List(r.Context(), f)
	if err != nil {
		s.deskError(w, r, err)
		return
	}
	list := wire.TicketList{Tickets: page.Tickets, NextCursor: page.NextCursor}
	if list.Tickets == nil {
		list.Tickets = []ticket.Ticket{}
	}
	writeJSON(w, http.StatusOK, list)
}

// parseFilter reads the query of GET /tickets; errors name the parameter.
func parseFilter(r *http.Request) (store.Filter, error) {
	q := r.URL.Query()
	f := store.Filter{
		Department: strings.TrimSpace(q.Get("department")),
		Cursor:     q.Get("cursor"),
	}
	if v := strings.TrimSpace(q.Get("status")); v != "" {
		st := ticket.Status(v)
		if !st.Valid() {
			return f, errors.New("status: unknown status " + quote(v) + " (one of " + ticket.StatusNames() + ")")
		}
		f.Status = st
	}
	if v := q.Get("open"); v != "" {
		switch strings.ToLower(v) {
		case "true", "1":
			f.OpenOnly = true
		case "false", "0":
		default:
			return f, errors.New("open: must be true or false, not " + quote(v))
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			return f, errors.New("limit: must be a number from 1 to 500, not " + quote(v))
		}
		f.Limit = n
	}
	return f, nil
}

// transition is POST /tickets/{id}/transitions.
func (s *Server) transition(w http.ResponseWriter, r *http.Request) {
	who, ok := actor(w, r)
	if !ok {
		return
	}
	var req wire.TransitionRequest
	if err := decode(w, r, &req); err != nil {
		badRequest(w, err.Error())
		return
	}
	switch {
	case req.To == "":
		badRequest(w, "to: is required (one of "+ticket.StatusNames()+")")
		return
	case !req.To.Valid():
		badRequest(w, "to: unknown status "+quote(string(req.To))+" (one of "+ticket.StatusNames()+")")
		return
	case utf8.RuneCountInString(req.Note) > ticket.MaxDescription:
		badRequest(w, "note: is longer than "+strconv.Itoa(ticket.MaxDescription)+" characters")
		return
	}
	t, err := s.desk.Transition(r.Context(), r.PathValue("id"), req.To, req.Note, who)
	if err != nil {
		s.deskError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// departments is GET /departments.
func (s *Server) departments(w http.ResponseWriter, r *http.Request) {
	ds, err := s.desk.Departments(r.Context())
	if err != nil {
		s.deskError(w, r, err)
		return
	}
	if ds == nil {
		ds = []wire.Department{}
	}
	writeJSON(w, http.StatusOK, wire.DepartmentList{Departments: ds})
}
