package api

import (
	"bytes"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// healthz is liveness: the process answers.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz is readiness: 503 with the reason while the daemon cannot serve.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.ready != nil {
		if err := s.ready(); err != nil {
			writeError(w, http.StatusServiceUnavailable, wire.CodeUnavailable, "not ready: "+err.Error())
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// page serves a dashboard file: "/" is index.html, "/new" new.html. It
// also answers paths that match nothing else.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, CodeMethodNotAllowed,
			"method "+r.Method+" is not allowed on "+r.URL.Path+" (allowed: GET, HEAD)")
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	switch name {
	case "":
		name = "index.html"
	case "new":
		name = "new.html"
	}
	if s.static == nil || !fs.ValidPath(name) {
		writeError(w, http.StatusNotFound, wire.CodeNotFound, "no such page: "+r.URL.Path)
		return
	}
	st, err := fs.Stat(s.static, name)
	switch {
	case errors.Is(err, fs.ErrNotExist) || (err == nil && st.IsDir()):
		writeError(w, http.StatusNotFound, wire.CodeNotFound, "no such page: "+r.URL.Path)
		return
	case err != nil:
		s.log.Error("static file", "name", name, "error", err)
		writeError(w, http.StatusInternalServerError, wire.CodeInternal, "internal error")
		return
	}
	b, err := fs.ReadFile(s.static, name)
	if err != nil {
		s.log.Error("static file", "name", name, "error", err)
		writeError(w, http.StatusInternalServerError, wire.CodeInternal, "internal error")
		return
	}
	http.ServeContent(w, r, name, st.ModTime(), bytes.NewReader(b))
}
