package clienttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// The bodies of the notes, assign and escalate endpoints, as strict as the
// server's.
type (
	noteBody struct {
		Note string `json:"note"`
	}
	assignBody struct {
		Assignee string `json:"assignee"`
		Note     string `json:"note"`
	}
	escalateBody struct {
		Reason string `json:"reason"`
	}
)

// openTicketLocked returns the open ticket of the request's {id}, or
// answers 404 (unknown) or 409 (closed or cancelled) and returns nil.
func (s *Server) openTicketLocked(w http.ResponseWriter, r *http.Request, what string) *ticket.Ticket {
	id := r.PathValue("id")
	t, ok := s.tickets[id]
	switch {
	case !ok:
		writeError(w, http.StatusNotFound, wire.CodeNotFound, fmt.Sprintf("ticket %q not found", id))
		return nil
	case !t.Open():
		writeError(w, http.StatusConflict, wire.CodeTicketClosed, fmt.Sprintf("ticket %s: is %s; only an open ticket can be %s", id, t.Status, what))
		return nil
	}
	return t
}

// addNote is POST /tickets/{id}/notes.
func (s *Server) addNote(w http.ResponseWriter, r *http.Request) {
	var b noteBody
	if !decodeStrict(w, r, &b) {
		return
	}
	note := strings.TrimSpace(b.Note)
	if note == "" {
		writeError(w, http.StatusBadRequest, wire.CodeInvalid, "note: is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.openTicketLocked(w, r, "given a note")
	if t == nil {
		return
	}
	s.appendLocked(t, ticket.NewEvent(ticket.EventNote, actor(r), s.Now().UTC(), map[string]string{"note": note}))
	writeJSON(w, http.StatusOK, t)
}

// assign is POST /tickets/{id}/assign; the current assignee again records
// nothing.
func (s *Server) assign(w http.ResponseWriter, r *http.Request) {
	var b assignBody
	if !decodeStrict(w, r, &b) {
		return
	}
	assignee, note := strings.TrimSpace(b.Assignee), strings.TrimSpace(b.Note)
	if assignee == "" {
		writeError(w, http.StatusBadRequest, wire.CodeInvalid, "assignee: is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.openTicketLocked(w, r, "assigned")
	if t == nil {
		return
	}
	if t.Assignee != assignee {
		data := map[string]string{"to": assignee}
		if t.Assignee != "" {
			data["from"] = t.Assignee
		}
		if note != "" {
			data["note"] = note
		}
		t.Assignee = assignee
		s.appendLocked(t, ticket.NewEvent(ticket.EventAssigned, actor(r), s.Now().UTC(), data))
	}
	writeJSON(w, http.StatusOK, t)
}

// escalate is POST /tickets/{id}/escalate: the fake's chains have no end,
// each escalation by hand reaches the level after the last one, named
// "level N".
func (s *Server) escalate(w http.ResponseWriter, r *http.Request) {
	var b escalateBody
	if !decodeStrict(w, r, &b) {
		return
	}
	reason := strings.TrimSpace(b.Reason)
	if reason == "" {
		writeError(w, http.StatusBadRequest, wire.CodeInvalid, "reason: is required: it is told to the people escalated to")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.openTicketLocked(w, r, "escalated")
	if t == nil {
		return
	}
	data := ticket.EscalationData{Reason: reason, Roles: []string{}, People: []string{}}
	for _, ev := range s.history[t.ID] {
		var prev ticket.EscalationData
		if ev.Type == ticket.EventEscalated && json.Unmarshal(ev.Data, &prev) == nil && prev.Level > data.Level {
			data.Level = prev.Level
		}
	}
	data.Level++
	data.Name = fmt.Sprintf("level %d", data.Level)
	for _, tg := range t.SLA {
		if tg.Escalation != "" {
			data.Chain = tg.Escalation
			break
		}
	}
	s.appendLocked(t, ticket.NewEvent(ticket.EventEscalated, actor(r), s.Now().UTC(), data))
	writeJSON(w, http.StatusOK, t)
}
