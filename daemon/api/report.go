package api

import (
	"net/http"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// slaReport is GET /reports/sla?from=&to=&by=department|assignee: the SLA
// report of the tickets created in [from, to). from and to are RFC 3339
// and required, from before to; by defaults to department. A bad
// parameter is 400 naming it.
func (s *Server) slaReport(w http.ResponseWriter, r *http.Request) {
	if s.reports == nil {
		writeError(w, http.StatusServiceUnavailable, wire.CodeUnavailable, "reports are not available on this server")
		return
	}
	q := r.URL.Query()
	var from, to time.Time
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &from}, {"to", &to}} {
		v := q.Get(p.name)
		if v == "" {
			badRequest(w, p.name+": is required (RFC 3339, e.g. 2026-11-16T00:00:00+08:00)")
			return
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			badRequest(w, p.name+": invalid time "+quote(v)+" (want RFC 3339, e.g. 2026-11-16T00:00:00+08:00)")
			return
		}
		*p.dst = t
	}
	if !from.Before(to) {
		badRequest(w, "from: must be before to")
		return
	}
	by := q.Get("by")
	switch by {
	case "":
		by = "department"
	case "department", "assignee":
	default:
		badRequest(w, "by: unknown grouping "+quote(by)+" (department or assignee)")
		return
	}
	rep, err := s.reports(r.Context(), from, to, by)
	if err != nil {
		s.deskError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
