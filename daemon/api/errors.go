package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// CodeMethodNotAllowed is the error code of a 405 answer.
const CodeMethodNotAllowed = "method_not_allowed"

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes {"error": {"code": code, "message": msg}}.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, wire.ErrorBody{Error: wire.ErrorDetail{Code: code, Message: msg}})
}

// badRequest writes a 400 invalid_request.
func badRequest(w http.ResponseWriter, msg string) {
	writeError(w, http.StatusBadRequest, wire.CodeInvalid, msg)
}

// deskError answers an error returned by the desk.
func (s *Server) deskError(w http.ResponseWriter, r *http.Request, err error) {
	var fe *ticket.FieldError
	var te *ticket.TransitionError
	var ie *store.IdempotencyError
	var un interface{ Unavailable() bool }
	var co interface{ Conflict() bool }
	var cl interface{ TicketClosed() bool }
	switch {
	case errors.As(err, &fe):
		badRequest(w, fe.Error())
	case errors.As(err, &ie):
		// The key is at most MaxIdempotencyKey long: named in full.
		writeError(w, http.StatusUnprocessableEntity, wire.CodeIdempotencyReused,
			fmt.Sprintf("%s %q was already used for %s with a different request", wire.HeaderIdempotencyKey, ie.Key, ie.TicketID))
	case errors.As(err, &te):
		if !te.To.Valid() {
			badRequest(w, "to: "+te.Error())
			return
		}
		writeError(w, http.StatusConflict, wire.CodeConflict, te.Error())
	case errors.As(err, &cl) && cl.TicketClosed():
		writeError(w, http.StatusConflict, wire.CodeTicketClosed, err.Error())
	case errors.As(err, &co) && co.Conflict():
		writeError(w, http.StatusConflict, wire.CodeTargetSettled, err.Error())
	case errors.Is(err, store.ErrNotFound):
		msg := "not found"
		if id := r.PathValue("id"); id != "" {
			msg = "ticket " + quote(id) + " not found"
		}
		writeError(w, http.StatusNotFound, wire.CodeNotFound, msg)
	case errors.As(err, &un) && un.Unavailable(),
		errors.Is(err, context.DeadlineExceeded):
		s.log.Warn("desk unavailable", "method", r.Method, "path", r.URL.Path, "error", err)
		writeError(w, http.StatusServiceUnavailable, wire.CodeUnavailable, "the desk is unavailable, try again later")
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		s.log.Debug("request cancelled", "method", r.Method, "path", r.URL.Path)
		writeError(w, http.StatusServiceUnavailable, wire.CodeUnavailable, "request cancelled")
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		writeError(w, http.StatusInternalServerError, wire.CodeInternal, "internal error")
	}
}

// quote shortens and quotes a user-supplied value for a message.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		s = s[:max] + "…"
	}
	b, _ := json.Marshal(s)
	return string(b)
}
