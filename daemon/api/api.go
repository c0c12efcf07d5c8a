// Package api is switchboard's HTTP server: the JSON API under /api/v1
// used by agents, the CLI and the wallboards, the websocket stream, health
// and readiness probes, Prometheus metrics and the dashboard pages.
//
// Everything under /api/v1 needs the bearer token; /healthz, /readyz,
// /metrics and the static pages do not (they hold no ticket data). Errors
// are always {"error": {"code": ..., "message": ...}} (see package wire).
//
// The server holds no state of its own: New builds the routes around a
// Desk, and Handler is mounted by the daemon on its listener (or by a
// test on httptest).
package api

import (
	"context"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/switchboard-desk/switchboard/daemon/live"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// Options configure a Server. Desk and Token are required.
type Options struct {
	// Desk serves the ticket endpoints.
	Desk Desk
	// Hub serves the websocket stream; nil answers the stream with 503.
	Hub *live.Hub
	// Token is the bearer token of /api/v1. Empty refuses every request.
	Token string
	// Logger receives the access log (debug) and errors; nil discards.
	Logger hclog.Logger
	// Registry receives the API's metrics and is served at /metrics; nil
	// uses a private registry.
	Registry *prometheus.Registry
	// Ready reports whether the daemon can serve (/readyz); nil is ready.
	Ready func() error
	// Static holds the dashboard pages: "/" serves index.html, "/new"
	// new.html, and other paths the file of that name. Nil serves none.
	Static fs.FS
	// Reports serves GET /api/v1/reports/sla: the SLA report of the
	// tickets created in [from, to), grouped by "department" or
	// "assignee" (see package report). Nil answers it with 503.
	Reports func(ctx context.Context, from, to time.Time, by string) (any, error)
}

// Server is the HTTP API. It is safe for concurrent use.
type Server struct {
	desk    Desk
	hub     *live.Hub
	token   string
	log     hclog.Logger
	reg     *prometheus.Registry
	ready   func() error
	static  fs.FS
	reports func(ctx context.Context, from, to time.Time, by string) (any, error)
	metrics *metrics
	handler http.Handler
}

// New builds a server from o.
func New(o Options) *Server {
	if o.Logger == nil {
		o.Logger = hclog.NewNullLogger()
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	s := &Server{
		desk:   o.Desk,
		hub:    o.Hub,
		token:  o.Token,
		log:    named(o.Logger, "api"),
		reg:    o.Registry,
		ready:  o.Ready,
		static: o.Static,
	}
	s.reports = o.Reports
	if s.token == "" {
		s.log.Warn("no API token configured: every /api/v1 request will be refused")
	}
	s.metrics = newMetrics(s.reg)
	s.handler = s.observe(s.routes())
	return s
}

// Handler returns the server's root handler.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	p := wire.Prefix
	api.HandleFunc("POST "+p+"/tickets", s.createTicket)
	api.HandleFunc("GET "+p+"/tickets", s.listTickets)
	api.HandleFunc("GET "+p+"/tickets/{id}", s.getTicket)
	api.HandleFunc("POST "+p+"/tickets/{id}/transitions", s.transition)
	api.HandleFunc("POST "+p+"/tickets/{id}/replan", s.replan)
	api.HandleFunc("POST "+p+"/tickets/{id}/targets/{name}/met", s.meetTarget)
	api.HandleFunc("POST "+p+"/tickets/{id}/notes", s.addNote)
	api.HandleFunc("POST "+p+"/tickets/{id}/assign", s.assign)
	api.HandleFunc("POST "+p+"/tickets/{id}/escalate", s.escalate)
	api.HandleFunc("POST "+p+"/sla/due", s.due)
	api.HandleFunc("GET "+p+"/departments", s.departments)
	api.HandleFunc("GET "+p+"/reports/sla", s.slaReport)
	api.HandleFunc("GET "+p+"/stream", s.stream)

	root := http.NewServeMux()
	root.Handle(p+"/", s.requireAuth(jsonErrors(api)))
	root.HandleFunc("GET /healthz", s.healthz)
	root.HandleFunc("GET /readyz", s.readyz)
	root.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	root.HandleFunc("/", s.page)
	return jsonErrors(root)
}

// jsonErrors serves mux, answering its unmatched paths (404) and wrong
// methods (405, with Allow) as JSON errors instead of plain text.
func jsonErrors(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		c := &capture{header: http.Header{}}
		mux.ServeHTTP(c, r)
		switch c.status {
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", c.header.Get("Allow"))
			writeError(w, c.status, CodeMethodNotAllowed,
				"method "+r.Method+" is not allowed on "+r.URL.Path+" (allowed: "+c.header.Get("Allow")+")")
		default:
			writeError(w, http.StatusNotFound, wire.CodeNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path)
		}
	})
}

// capture records the status and headers of the mux's own 404 or 405.
type capture struct {
	header http.Header
	status int
}

func (c *capture) Header() http.Header { return c.header }
func (c *capture) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}
func (c *capture) Write(b []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	return len(b), nil
}

func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	if s.hub == nil {
		writeError(w, http.StatusServiceUnavailable, wire.CodeUnavailable, "the live stream is not running")
		return
	}
	s.hub.ServeHTTP(w, r)
}

// named names the logger for this component unless the caller already did.
func named(l hclog.Logger, name string) hclog.Logger {
	if n := l.Name(); n == name || strings.HasSuffix(n, "."+name) {
		return l
	}
	return l.Named(name)
}
