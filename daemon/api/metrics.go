package api

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/switchboard-desk/switchboard/daemon/wire"
)

type metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	created  prometheus.Counter
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "switchboard_http_requests_total",
			Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "switchboard_http_request_duration_seconds",
			Help:    "HTTP request latency by route pattern (websockets excluded).",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		created: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "switchboard_tickets_created_total",
			Help: "Tickets created through the API (idempotent replays excluded).",
		}),
	}
	m.requests = register(reg, m.requests)
	m.latency = register(reg, m.latency)
	m.created = register(reg, m.created)
	return m
}

// register registers c, or returns the collector already registered under
// its name (a second server on one registry shares the series).
func register[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}

// observe wraps the whole handler: metrics by route pattern, the access
// log at debug level, and a 500 instead of a dropped connection on panic.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				if !rec.wrote {
					writeError(rec, http.StatusInternalServerError, wire.CodeInternal, "internal error")
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			code := rec.status
			if rec.hijacked {
				code = http.StatusSwitchingProtocols
			} else if code == 0 {
				code = http.StatusOK
			}
			d := time.Since(start)
			s.metrics.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
			if !rec.hijacked {
				s.metrics.latency.WithLabelValues(route).Observe(d.Seconds())
			}
			s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "route", route,
				"status", code, "duration", d, "remote", r.RemoteAddr)
		}()
		next.ServeHTTP(rec, r)
	})
}

// recorder remembers the status written; it lets websockets hijack.
type recorder struct {
	http.ResponseWriter
	status   int
	wrote    bool
	hijacked bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.status, r.wrote = http.StatusOK, true
	}
	return r.ResponseWriter.Write(b)
}

// Flush implements http.Flusher.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack implements http.Hijacker, for the websocket upgrade.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("api: response writer cannot hijack")
	}
	c, rw, err := h.Hijack()
	if err == nil {
		r.hijacked = true
	}
	return c, rw, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
