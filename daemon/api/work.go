package api

import (
	"net/http"
	"strings"
)

// noteBody is the body of POST /tickets/{id}/notes.
type noteBody struct {
	Note string `json:"note"`
}

// assignBody is the body of POST /tickets/{id}/assign.
type assignBody struct {
	Assignee string `json:"assignee"`
	Note     string `json:"note"`
}

// escalateBody is the body of POST /tickets/{id}/escalate.
type escalateBody struct {
	Reason string `json:"reason"`
}

// addNote is POST /tickets/{id}/notes {"note": "..."}: a note in the
// ticket's history; 200 and the ticket. A missing note or a bad body is
// 400; a closed or cancelled ticket is 409.
func (s *Server) addNote(w http.ResponseWriter, r *http.Request) {
	who, ok := actor(w, r)
	if !ok {
		return
	}
	var b noteBody
	if err := decode(w, r, &b); err != nil {
		badRequest(w, err.Error())
		return
	}
	if strings.TrimSpace(b.Note) == "" {
		badRequest(w, "note: is required")
		return
	}
	t, err := s.desk.AddNote(r.Context(), r.PathValue("id"), b.Note, who)
	if err != nil {
		s.deskError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// assign is POST /tickets/{id}/assign {"assignee": "...", "note": "..."}:
// gives the ticket to someone, the note optional; 200 and the ticket.
// Assigning the current assignee again changes nothing. A missing
// assignee or a bad body is 400; a closed or cancelled ticket is 409.
func (s *Server) assign(w http.ResponseWriter, r *http.Request) {
	who, ok := actor(w, r)
	if !ok {
		return
	}
	var b assignBody
	if err := decode(w, r, &b); err != nil {
		badRequest(w, err.Error())
		return
	}
	if strings.TrimSpace(b.Assignee) == "" {
		badRequest(w, "assignee: is required")
		return
	}
	t, err := s.desk.Assign(r.Context(), r.PathValue("id"), b.Assignee, b.Note, who)
	if err != nil {
		s.deskError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// escalate is POST /tickets/{id}/escalate {"reason": "..."}: raises the
// ticket by hand to the next level of its escalation chain, telling its
// people the reason; 200 and the ticket (the escalated event, with the
// level reached, is in its history). A missing reason or a bad body is
// 400; a closed or cancelled ticket is 409.
func (s *Server) escalate(w http.ResponseWriter, r *http.Request) {
	who, ok := actor(w, r)
	if !ok {
		return
	}
	var b escalateBody
	if err := decode(w, r, &b); err != nil {
		badRequest(w, err.Error())
		return
	}
	if strings.TrimSpace(b.Reason) == "" {
		badRequest(w, "reason: is required: it is told to the people escalated to")
		return
	}
	t, err := s.desk.Escalate(r.Context(), r.PathValue("id"), b.Reason, who)
	if err != nil {
		s.deskError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}
