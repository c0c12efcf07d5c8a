package live

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/hashicorp/go-hclog"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// wait is how long a test waits for something that should happen at once;
// generous, for a noisy machine.
const wait = 10 * time.Second

// events is a tiny in-memory event log standing in for the store: commit
// appends, Backfill reads ranges.
type events struct {
	mu   sync.Mutex
	msgs map[int64]wire.Message
}

func newEvents() *events { return &events{msgs: map[int64]wire.Message{}} }

func (e *events) commit(seq int64, pad int) wire.Message {
	m := eventMsg(seq, pad)
	e.mu.Lock()
	e.msgs[seq] = m
	e.mu.Unlock()
	return m
}

func (e *events) backfill(_ context.Context, after, upto int64) ([]wire.Message, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []wire.Message
	for s := after + 1; s <= upto; s++ {
		if m, ok := e.msgs[s]; ok {
			out = append(out, m)
		}
	}
	return out, nil
}

func eventMsg(seq int64, pad int) wire.Message {
	id := "T-1"
	return wire.Message{
		Type:   wire.MsgEvent,
		Seq:    seq,
		Event:  &ticket.Event{Seq: seq, TicketID: id, Type: ticket.EventNote, Actor: "test"},
		Ticket: &ticket.Ticket{ID: id, Title: "hot water off", Description: strings.Repeat("x", pad)},
	}
}

func snapshotAt(seq int64) func(context.Context) (wire.Message, error) {
	return func(context.Context) (wire.Message, error) {
		return wire.Message{Type: wire.MsgSnapshot, Seq: seq,
			Tickets: []ticket.Ticket{{ID: "T-1", Title: "hot water off"}}}, nil
	}
}

type testHub struct {
	*Hub
	srv *httptest.Server
	reg *prometheus.Registry
}

func startHub(t *testing.T, o Options) *testHub {
	t.Helper()
	o.Registry = prometheus.NewRegistry()
	if o.Logger == nil {
		o.Logger = hclog.New(&hclog.LoggerOptions{Level: hclog.Warn, Output: testWriter{t}})
	}
	h := NewHub(o)
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		h.Close()
		srv.Close()
	})
	return &testHub{Hub: h, srv: srv, reg: o.Registry}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

func (th *testHub) url() string { return "ws" + strings.TrimPrefix(th.srv.URL, "http") }

func (th *testHub) dial(t *testing.T, header http.Header) *websocket.Conn {
	t.Helper()
	conn, err := th.tryDial(header)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func (th *testHub) tryDial(header http.Header) (*websocket.Conn, error) {
	d := websocket.Dialer{Subprotocols: []string{wire.Subprotocol}, HandshakeTimeout: wait}
	conn, resp, err := d.Dial(th.url(), header)
	if err != nil {
		if resp != nil {
			return nil, &dialError{resp.StatusCode, err}
		}
		return nil, err
	}
	return conn, nil
}

type dialError struct {
	status int
	err    error
}

func (e *dialError) Error() string { return e.err.Error() }

func (th *testHub) gauge(t *testing.T, name string) float64 {
	t.Helper()
	mfs, err := th.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			m := mf.GetMetric()[0]
			if m.Gauge != nil {
				return m.Gauge.GetValue()
			}
			return m.Counter.GetValue()
		}
	}
	t.Fatalf("metric %s not found", name)
	return 0
}

func read(t *testing.T, conn *websocket.Conn) wire.Message {
	t.Helper()
	var m wire.Message
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	if err := conn.ReadJSON(&m); err != nil {
		t.Fatalf("read: %v", err)
	}
	return m
}

// readSeqs reads n event messages and returns their seqs.
func readSeqs(t *testing.T, conn *websocket.Conn, n int) []int64 {
	t.Helper()
	var got []int64
	for len(got) < n {
		m := read(t, conn)
		if m.Type != wire.MsgEvent {
			t.Fatalf("got %s message, want event", m.Type)
		}
		got = append(got, m.Seq)
	}
	return got
}

func expectSeqs(t *testing.T, conn *websocket.Conn, want ...int64) {
	t.Helper()
	got := readSeqs(t, conn, len(want))
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("seqs = %v, want %v", got, want)
		}
	}
}

// expectSilence checks that nothing arrives within d.
func expectSilence(t *testing.T, conn *websocket.Conn, d time.Duration) {
	t.Helper()
	var m wire.Message
	_ = conn.SetReadDeadline(time.Now().Add(d))
	err := conn.ReadJSON(&m)
	if err == nil {
		t.Fatalf("unexpected message %s seq %d", m.Type, m.Seq)
	}
	var ne interface{ Timeout() bool }
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read: %v, want a timeout", err)
	}
}
