// Package clienttest runs a small in-memory fake of the switchboard daemon's
// HTTP API and event stream on a real httptest server, for testing clients
// (the Go client, the CLI, scripts) without the daemon. It checks what the
// real API checks at the edges that matter to a client: the bearer token,
// strict JSON bodies (unknown keys are rejected), intake validation, the
// life cycle (notes, assignments and escalations only on open tickets),
// idempotency keys (a key reused for another submission is a 422), cursors
// and the stream's snapshot-then-events order. Routing, SLAs and escalation
// levels are canned: every target is relative to Now.
package clienttest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// Server is a fake daemon. Its exported fields may be set before the first
// request.
type Server struct {
	*httptest.Server
	// Token is the bearer token the fake requires.
	Token string
	// Now is the fake's clock, used for created_at, events and due times.
	Now func() time.Time
	// Routes maps a category to a department; others go to "service".
	Routes map[string]string
	// PageSize is the default page size of GET /tickets. Default 50.
	PageSize int

	mu       sync.Mutex
	requests []Request
	tickets  map[string]*ticket.Ticket
	order    []string // ids, oldest first
	history  map[string][]ticket.Event
	depts    []wire.Department
	idem     map[string]string // idempotency key → ticket ID
	idemSub  map[string]string // idempotency key → the normalised submission, as JSON
	seq      int64
	nextID   int
	subs     map[chan wire.Message]io.Closer // stream clients and their connections
}

// New starts a fake daemon requiring token, closed when the test ends. It
// knows the departments engineering, finance and service, all running.
func New(t testing.TB, token string) *Server {
	t.Helper()
	s := &Server{
		Token:    token,
		Now:      time.Now,
		Routes:   map[string]string{"valve": "engineering", "boiler": "engineering", "invoice": "finance"},
		PageSize: 50,
		tickets:  map[string]*ticket.Ticket{},
		history:  map[string][]ticket.Event{},
		idem:     map[string]string{},
		idemSub:  map[string]string{},
		subs:     map[chan wire.Message]io.Closer{},
		nextID:   1,
	}
	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, d := range []struct{ name, title string }{
		{"engineering", "Engineering"}, {"finance", "Finance"}, {"service", "Service desk"},
	} {
		s.depts = append(s.depts, wire.Department{Name: d.name, Title: d.title, State: "running", PID: 1000 + len(s.depts), Since: since})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+wire.Prefix+"/tickets", s.create)
	mux.HandleFunc("GET "+wire.Prefix+"/tickets", s.list)
	mux.HandleFunc("GET "+wire.Prefix+"/tickets/{id}", s.get)
	mux.HandleFunc("POST "+wire.Prefix+"/tickets/{id}/transitions", s.transition)
	mux.HandleFunc("POST "+wire.Prefix+"/tickets/{id}/notes", s.addNote)
	mux.HandleFunc("POST "+wire.Prefix+"/tickets/{id}/assign", s.assign)
	mux.HandleFunc("POST "+wire.Prefix+"/tickets/{id}/escalate", s.escalate)
	mux.HandleFunc("GET "+wire.Prefix+"/departments", s.departments)
	mux.HandleFunc("GET "+wire.Prefix+"/stream", s.stream)
	s.Server = httptest.NewServer(s.record(mux))
	t.Cleanup(s.Close)
	return s
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// LastRequest returns the last request received, or a zero Request.
func (s *Server) LastRequest() Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == 0 {
		return Request{}
	}
	return s.requests[len(s.requests)-1]
}

// AddTicket stores t as is (its ID must be set) without any event.
func (s *Server) AddTicket(t ticket.Ticket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tickets[t.ID]; !ok {
		s.order = append(s.order, t.ID)
	}
	s.tickets[t.ID] = &t
}

// Emit appends ev to the history of ticket id, applies change to the ticket
// (may be nil) and publishes the event to the stream. It returns the event
// with Seq and Version set.
func (s *Server) Emit(id string, ev ticket.Event, change func(*ticket.Ticket)) (ticket.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[id]
	if !ok {
		return ev, fmt.Errorf("clienttest: no ticket %q", id)
	}
	if change != nil {
		change(t)
	}
	return s.appendLocked(t, ev), nil
}

// SetDepartment replaces the department with d's name and publishes it.
func (s *Server) SetDepartment(d wire.Department) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.depts {
		if s.depts[i].Name == d.Name {
			s.depts[i] = d
		}
	}
	s.publishLocked(wire.Message{Type: wire.MsgDepartment, Department: &d})
}

// DropStreams cuts every stream connection, as a daemon that dies would.
func (s *Server) DropStreams() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.subs {
		c.Close()
	}
}

// Subscribers returns the number of connected stream clients.
func (s *Server) Subscribers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.subs)
}

func (s *Server) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			writeError(w, http.StatusBadRequest, wire.CodeInvalid, "read body: "+err.Error())
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		s.mu.Unlock()
		if !s.authorized(r) {
			writeError(w, http.StatusUnauthorized, wire.CodeUnauthorized, "missing or wrong bearer token")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) authorized(r *http.Request) bool {
	if r.Header.Get("Authorization") == "Bearer "+s.Token {
		return true
	}
	if r.URL.Path != wire.Prefix+"/stream" {
		return false
	}
	if r.URL.Query().Get("token") == s.Token {
		return true
	}
	for _, p := range strings.Split(r.Header.Get("Sec-WebSocket-Protocol"), ",") {
		if strings.TrimSpace(p) == "bearer."+s.Token {
			return true
		}
	}
	return false
}

// createBody mirrors the server's strict create body.
type createBody struct {
	Kind        ticket.Kind       `json:"kind"`
	Category    string            `json:"category"`
	Severity    string            `json:"severity"`
	Tier        string            `json:"tier"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Reporter    ticket.Reporter   `json:"reporter"`
	Location    string            `json:"location"`
	Asset       string            `json:"asset"`
	Fields      map[string]string `json:"fields"`
	EventAt     *time.Time        `json:"event_at"`
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var b createBody
	if !decodeStrict(w, r, &b) {
		return
	}
	t := ticket.Ticket{Kind: b.Kind, Category: b.Category, Severity: b.Severity, Tier: b.Tier,
		Title: b.Title, Description: b.Description, Reporter: b.Reporter, Location: b.Location,
		Asset: b.Asset, Fields: b.Fields, EventAt: b.EventAt}
	t.Normalize()
	if err := t.ValidateNew(); err != nil {
		writeError(w, http.StatusBadRequest, wire.CodeInvalid, err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := r.Header.Get(wire.HeaderIdempotencyKey)
	sub, _ := json.Marshal(&t)
	if id, ok := s.idem[key]; ok && key != "" {
		if s.idemSub[key] != string(sub) {
			writeError(w, http.StatusUnprocessableEntity, wire.CodeIdempotencyReused,
				fmt.Sprintf("%s %q was already used for %s with a different request", wire.HeaderIdempotencyKey, key, id))
			return
		}
		w.Header().Set(wire.HeaderReplayed, "true")
		writeJSON(w, http.StatusOK, s.tickets[id])
		return
	}
	now := s.Now().UTC()
	t.ID = "SB-" + strconv.Itoa(s.nextID)
	s.nextID++
	t.Status = ticket.StatusNew
	t.CreatedAt, t.UpdatedAt = now, now
	t.Department = s.Routes[t.Category]
	if t.Department == "" {
		t.Department = "service"
	}
	t.Policy = string(t.Kind) + "." + t.Severity
	t.SLA = []ticket.Target{
		{Name: "response", DueAt: now.Add(15 * time.Minute), WarnAt: now.Add(12 * time.Minute), State: ticket.TargetPending, Escalation: "default"},
		{Name: "resolution", DueAt: now.Add(8 * time.Hour), WarnAt: now.Add(6*time.Hour + 24*time.Minute), State: ticket.TargetPending, Escalation: "default"},
	}
	s.tickets[t.ID] = &t
	s.order = append(s.order, t.ID)
	if key != "" {
		s.idem[key] = t.ID
		s.idemSub[key] = string(sub)
	}
	s.appendLocked(&t, ticket.NewEvent(ticket.EventCreated, actor(r), now, map[string]any{
		"kind": t.Kind, "category": t.Category, "severity": t.Severity, "tier": t.Tier, "title": t.Title, "policy": t.Policy}))
	s.appendLocked(&t, ticket.NewEvent(ticket.EventRouted, "router", now, map[string]string{"department": t.Department}))
	writeJSON(w, http.StatusCreated, &t)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[r.PathValue("id")]
	if !ok {
		writeError(w, http.StatusNotFound, wire.CodeNotFound, fmt.Sprintf("ticket %q not found", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, wire.TicketDetail{Ticket: *t, History: append([]ticket.Event{}, s.history[t.ID]...)})
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := s.PageSize
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			writeError(w, http.StatusBadRequest, wire.CodeInvalid, "limit: must be a number from 1 to 500")
			return
		}
		limit = n
	}
	start := 0
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, wire.CodeInvalid, "cursor: bad cursor")
			return
		}
		start = n
	}
	st := ticket.Status(q.Get("status"))
	if st != "" && !st.Valid() {
		writeError(w, http.StatusBadRequest, wire.CodeInvalid, fmt.Sprintf("status: unknown status %q", st))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []ticket.Ticket
	for i := len(s.order) - 1; i >= 0; i-- {
		t := s.tickets[s.order[i]]
		if (q.Get("department") == "" || t.Department == q.Get("department")) &&
			(st == "" || t.Status == st) && (q.Get("open") != "true" || t.Open()) {
			match = append(match, *t)
		}
	}
	out := wire.TicketList{Tickets: []ticket.Ticket{}}
	if start < len(match) {
		end := min(start+limit, len(match))
		out.Tickets = match[start:end]
		if end < len(match) {
			out.NextCursor = strconv.Itoa(end)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) transition(w http.ResponseWriter, r *http.Request) {
	var req wire.TransitionRequest
	if !decodeStrict(w, r, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[r.PathValue("id")]
	if !ok {
		writeError(w, http.StatusNotFound, wire.CodeNotFound, fmt.Sprintf("ticket %q not found", r.PathValue("id")))
		return
	}
	if err := ticket.CheckTransition(t.Status, req.To); err != nil {
		writeError(w, http.StatusConflict, wire.CodeConflict, err.Error())
		return
	}
	from := t.Status
	t.Status = req.To
	s.appendLocked(t, ticket.NewEvent(ticket.EventStatus, actor(r), s.Now(), ticket.StatusData{From: from, To: req.To, Note: req.Note}))
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) departments(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, wire.DepartmentList{Departments: s.openCountsLocked()})
}

// openCountsLocked returns the departments with their open ticket counts.
func (s *Server) openCountsLocked() []wire.Department {
	ds := append([]wire.Department(nil), s.depts...)
	for i := range ds {
		ds[i].OpenTickets = 0
		for _, t := range s.tickets {
			if t.Department == ds[i].Name && t.Open() {
				ds[i].OpenTickets++
			}
		}
	}
	return ds
}

// appendLocked records ev in t's history and publishes it.
func (s *Server) appendLocked(t *ticket.Ticket, ev ticket.Event) ticket.Event {
	s.seq++
	t.Version++
	ev.Seq, ev.Version, ev.TicketID = s.seq, t.Version, t.ID
	if ev.At.IsZero() {
		ev.At = s.Now().UTC()
	}
	t.UpdatedAt = ev.At
	s.history[t.ID] = append(s.history[t.ID], ev)
	snap := *t
	s.publishLocked(wire.Message{Type: wire.MsgEvent, Seq: ev.Seq, Event: &ev, Ticket: &snap})
	return ev
}

// publishLocked hands m to every subscriber; a full subscriber misses it
// (a real daemon would resynchronise it).
func (s *Server) publishLocked(m wire.Message) {
	for ch := range s.subs {
		select {
		case ch <- m:
		default:
		}
	}
}

func actor(r *http.Request) string {
	if a := r.Header.Get(wire.HeaderActor); a != "" {
		return a
	}
	return "api"
}

func decodeStrict(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, wire.CodeInvalid, "malformed JSON body: "+err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, wire.ErrorBody{Error: wire.ErrorDetail{Code: code, Message: msg}})
}

// sortedOpenLocked returns the open tickets, oldest first.
func (s *Server) sortedOpenLocked() []ticket.Ticket {
	var out []ticket.Ticket
	for _, id := range s.order {
		if t := s.tickets[id]; t.Open() {
			out = append(out, *t)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	return out
}
