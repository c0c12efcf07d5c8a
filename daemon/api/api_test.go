package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hashicorp/go-hclog"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/switchboard-desk/switchboard/daemon/live"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

const token = "s3cret-token"

type testServer struct {
	*httptest.Server
	reg  *prometheus.Registry
	logs *bytes.Buffer
}

func startServer(t *testing.T, desk Desk, tweak ...func(*Options)) *testServer {
	t.Helper()
	logs := &bytes.Buffer{}
	o := Options{
		Desk:     desk,
		Token:    token,
		Registry: prometheus.NewRegistry(),
		Logger:   hclog.New(&hclog.LoggerOptions{Level: hclog.Debug, Output: logs}),
	}
	for _, f := range tweak {
		f(&o)
	}
	srv := httptest.NewServer(New(o).Handler())
	t.Cleanup(srv.Close)
	return &testServer{Server: srv, reg: o.Registry, logs: logs}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// errBody decodes an error response, failing if it is not one.
func (r response) err(t *testing.T) wire.ErrorDetail {
	t.Helper()
	var eb wire.ErrorBody
	if err := json.Unmarshal(r.body, &eb); err != nil || eb.Error.Code == "" {
		t.Fatalf("not an error body (%v): %s", err, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	return eb.Error
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// do sends a request with the token unless header sets Authorization
// (set it to "" to send none).
func (s *testServer) do(t *testing.T, method, path, body string, header ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

// metric returns the text exposition lines of /metrics containing name.
func (s *testServer) metric(t *testing.T, name string) string {
	t.Helper()
	r := s.do(t, "GET", "/metrics", "", "Authorization", "")
	var lines []string
	for _, l := range strings.Split(string(r.body), "\n") {
		if strings.HasPrefix(l, name) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

func TestAuth(t *testing.T) {
	tests := []struct {
		name, method, path, auth string
		want                     int
	}{
		{"no token", "GET", "/api/v1/departments", "", 401},
		{"wrong token", "GET", "/api/v1/departments", "Bearer nope", 401},
		{"token prefix", "GET", "/api/v1/departments", "Bearer " + token[:4], 401},
		{"basic scheme", "GET", "/api/v1/departments", "Basic " + token, 401},
		{"empty bearer", "GET", "/api/v1/departments", "Bearer ", 401},
		{"query token only on the stream", "GET", "/api/v1/departments?token=" + token, "", 401},
		{"unknown path needs auth first", "GET", "/api/v1/nope", "", 401},
		{"right token", "GET", "/api/v1/tickets", "Bearer " + token, 200},
		{"scheme case-insensitive", "GET", "/api/v1/tickets", "bearer " + token, 200},
		{"healthz open", "GET", "/healthz", "", 200},
		{"readyz open", "GET", "/readyz", "", 200},
		{"metrics open", "GET", "/metrics", "", 200},
		{"pages open", "GET", "/", "", 200},
	}
	s := startServer(t, newMemDesk(), func(o *Options) {
		o.Static = fstest.MapFS{"index.html": {Data: []byte("<h1>board</h1>")}}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(t, tt.method, tt.path, "", "Authorization", tt.auth)
			if r.status != tt.want {
				t.Fatalf("status %d, want %d: %s", r.status, tt.want, r.body)
			}
			if tt.want == 401 {
				if e := r.err(t); e.Code != wire.CodeUnauthorized {
					t.Errorf("code %q", e.Code)
				}
				if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
				}
			}
		})
	}
}

func TestEmptyTokenRefusesEverything(t *testing.T) {
	s := startServer(t, newMemDesk(), func(o *Options) { o.Token = "" })
	for _, auth := range []string{"", "Bearer ", "Bearer x"} {
		if r := s.do(t, "GET", "/api/v1/departments", "", "Authorization", auth); r.status != 401 {
			t.Errorf("auth %q: status %d, want 401", auth, r.status)
		}
	}
}

func TestRoutingErrors(t *testing.T) {
	s := startServer(t, newMemDesk())
	tests := []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"GET", "/api/v1/nope", 404, wire.CodeNotFound, ""},
		{"POST", "/api/v1/nope", 404, wire.CodeNotFound, ""},
		{"GET", "/api/v1/tickets/T-1/nope", 404, wire.CodeNotFound, ""},
		{"DELETE", "/api/v1/tickets", 405, CodeMethodNotAllowed, "GET, HEAD, POST"},
		{"PUT", "/api/v1/tickets/T-1", 405, CodeMethodNotAllowed, "GET, HEAD"},
		{"GET", "/api/v1/tickets/T-1/transitions", 405, CodeMethodNotAllowed, "POST"},
		{"POST", "/healthz", 405, CodeMethodNotAllowed, "GET, HEAD"},
		{"GET", "/nothing-here", 404, wire.CodeNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := s.do(t, tt.method, tt.path, "")
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if e := r.err(t); e.Code != tt.code || !strings.Contains(e.Message, tt.path) {
				t.Errorf("error %+v", e)
			}
			if got := r.header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
		})
	}
}

func TestHealthAndReady(t *testing.T) {
	var readyErr error
	s := startServer(t, newMemDesk(), func(o *Options) { o.Ready = func() error { return readyErr } })
	if r := s.do(t, "GET", "/healthz", "", "Authorization", ""); r.status != 200 || !strings.Contains(string(r.body), `"ok"`) {
		t.Fatalf("healthz %d %s", r.status, r.body)
	}
	if r := s.do(t, "GET", "/readyz", "", "Authorization", ""); r.status != 200 {
		t.Fatalf("readyz %d %s", r.status, r.body)
	}
	readyErr = errorString("store not open")
	r := s.do(t, "GET", "/readyz", "", "Authorization", "")
	if r.status != 503 {
		t.Fatalf("readyz %d, want 503", r.status)
	}
	if e := r.err(t); e.Code != wire.CodeUnavailable || !strings.Contains(e.Message, "store not open") {
		t.Errorf("error %+v", e)
	}
	// Health stays ok while not ready.
	if r := s.do(t, "GET", "/healthz", "", "Authorization", ""); r.status != 200 {
		t.Fatalf("healthz %d", r.status)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestStaticPages(t *testing.T) {
	s := startServer(t, newMemDesk(), func(o *Options) {
		o.Static = fstest.MapFS{
			"index.html":    {Data: []byte("<h1>wallboard</h1>")},
			"new.html":      {Data: []byte("<form>new ticket</form>")},
			"app.js":        {Data: []byte("console.log(1)")},
			"css/board.css": {Data: []byte("body{}")},
		}
	})
	tests := []struct {
		path   string
		status int
		body   string
		ctype  string
	}{
		{"/", 200, "<h1>wallboard</h1>", "text/html"},
		{"/new", 200, "<form>new ticket</form>", "text/html"},
		{"/app.js", 200, "console.log(1)", "text/javascript"},
		{"/css/board.css", 200, "body{}", "text/css"},
		{"/css", 404, "", ""},
		{"/missing.html", 404, "", ""},
		{"/../../etc/passwd", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := s.do(t, "GET", tt.path, "", "Authorization", "")
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.status != 200 {
				r.err(t)
				return
			}
			if string(r.body) != tt.body || !strings.HasPrefix(r.header.Get("Content-Type"), tt.ctype) {
				t.Errorf("got %q (%s)", r.body, r.header.Get("Content-Type"))
			}
		})
	}
	// Without Static, pages are 404 but the API works.
	s2 := startServer(t, newMemDesk())
	if r := s2.do(t, "GET", "/", ""); r.status != 404 {
		t.Errorf("no static: status %d", r.status)
	}
}

func TestMetricsAndAccessLog(t *testing.T) {
	s := startServer(t, newMemDesk())
	s.do(t, "POST", "/api/v1/tickets", `{"kind":"repair","category":"hot_water","title":"valve broken"}`)
	s.do(t, "POST", "/api/v1/tickets", `{"kind":"repair","category":"hot_water","title":"valve broken"}`, "Idempotency-Key", "k")
	s.do(t, "POST", "/api/v1/tickets", `{"kind":"repair","category":"hot_water","title":"valve broken"}`, "Idempotency-Key", "k")
	s.do(t, "GET", "/api/v1/tickets/T-404", "")
	if got := s.metric(t, "switchboard_tickets_created_total"); !strings.HasSuffix(got, " 2") {
		t.Errorf("created counter: %q, want 2", got)
	}
	reqs := s.metric(t, "switchboard_http_requests_total")
	for _, want := range []string{
		`switchboard_http_requests_total{code="201",route="POST /api/v1/tickets"} 2`,
		`switchboard_http_requests_total{code="200",route="POST /api/v1/tickets"} 1`,
		`switchboard_http_requests_total{code="404",route="GET /api/v1/tickets/{id}"} 1`,
	} {
		if !strings.Contains(reqs, want) {
			t.Errorf("missing %s in\n%s", want, reqs)
		}
	}
	if !strings.Contains(s.metric(t, "switchboard_http_request_duration_seconds_count"), `route="POST /api/v1/tickets"`) {
		t.Error("no latency histogram")
	}
	if !strings.Contains(s.logs.String(), "route=\"GET /api/v1/tickets/{id}\" status=404") {
		t.Errorf("access log missing:\n%s", s.logs)
	}
}

func TestStream(t *testing.T) {
	hub := live.NewHub(live.Options{Snapshot: func(context.Context) (wire.Message, error) {
		return wire.Message{Type: wire.MsgSnapshot, Seq: 7}, nil
	}})
	t.Cleanup(hub.Close)
	s := startServer(t, newMemDesk(), func(o *Options) { o.Hub = hub })
	wsURL := "ws" + strings.TrimPrefix(s.URL, "http") + "/api/v1/stream"
	tests := []struct {
		name   string
		query  string
		protos []string
		header http.Header
		ok     bool
	}{
		{"header", "", []string{wire.Subprotocol}, http.Header{"Authorization": {"Bearer " + token}}, true},
		{"query", "?token=" + token, []string{wire.Subprotocol}, nil, true},
		{"subprotocol", "", []string{wire.Subprotocol, "bearer." + token}, nil, true},
		{"none", "", []string{wire.Subprotocol}, nil, false},
		{"wrong query", "?token=nope", []string{wire.Subprotocol}, nil, false},
		{"wrong subprotocol", "", []string{wire.Subprotocol, "bearer.nope"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, status, err := dialStream(wsURL+tt.query, tt.protos, tt.header)
			if !tt.ok {
				if err == nil || status != http.StatusUnauthorized {
					t.Fatalf("status %d err %v, want 401", status, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("dial: %v (status %d)", err, status)
			}
			defer conn.Close()
			if conn.Subprotocol() != wire.Subprotocol {
				t.Errorf("subprotocol %q", conn.Subprotocol())
			}
			m := readMsg(t, conn)
			if m.Type != wire.MsgSnapshot || m.Seq != 7 {
				t.Fatalf("first message %+v", m)
			}
			hub.Publish(wire.Message{Type: wire.MsgDepartment, Department: &wire.Department{Name: "finance"}})
			if m := readMsg(t, conn); m.Type != wire.MsgDepartment {
				t.Fatalf("second message %+v", m)
			}
		})
	}
	if got := s.metric(t, "switchboard_http_requests_total{code=\"101\""); !strings.Contains(got, `route="GET /api/v1/stream"`) {
		t.Errorf("stream not counted: %q", got)
	}
}

func TestStreamWithoutHub(t *testing.T) {
	s := startServer(t, newMemDesk())
	r := s.do(t, "GET", "/api/v1/stream", "")
	if r.status != 503 || r.err(t).Code != wire.CodeUnavailable {
		t.Fatalf("status %d %s", r.status, r.body)
	}
}
