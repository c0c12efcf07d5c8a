package api

import (
	"bufio"
	"errors"
	"io"
	"net/http"
)

// meetBody is the optional body of POST /tickets/{id}/targets/{name}/met.
type meetBody struct {
	Note string `json:"note"`
}

// meetTarget is POST /tickets/{id}/targets/{name}/met: a person marks one
// SLA target met (a checklist step such as room_check); 200 and the ticket.
// The body {"note": "..."} is optional. An unknown target or a bad body is
// 400; a target already met, or a closed or cancelled ticket, is 409
// (wire.CodeTargetSettled).
func (s *Server) meetTarget(w http.ResponseWriter, r *http.Request) {
	who, ok := actor(w, r)
	if !ok {
		return
	}
	var b meetBody
	// An empty body is no note; anything else is decoded strictly.
	br := bufio.NewReader(r.Body)
	if _, err := br.Peek(1); !errors.Is(err, io.EOF) {
		r.Body = struct {
			io.Reader
			io.Closer
		}{br, r.Body}
		if err := decode(w, r, &b); err != nil {
			badRequest(w, err.Error())
			return
		}
	}
	t, err := s.desk.MeetTarget(r.Context(), r.PathValue("id"), r.PathValue("name"), b.Note, who)
	if err != nil {
		s.deskError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}
