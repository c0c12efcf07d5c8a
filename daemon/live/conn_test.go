package live

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/hashicorp/go-hclog"

	"github.com/switchboard-desk/switchboard/daemon/wire"
)

func TestSlowClientIsDroppedFastClientKeepsUp(t *testing.T) {
	th := startHub(t, Options{Snapshot: snapshotAt(0), SendBuffer: 64})
	fast := th.dial(t, nil)
	stuck := th.dial(t, nil) // never reads until dropped
	read(t, fast)

	const pad = 16 << 10 // big messages fill the stuck socket's buffers quickly
	seq := int64(0)
	for round := 0; th.gauge(t, "switchboard_live_dropped_clients_total") == 0; round++ {
		if round == 2000 {
			t.Fatal("stuck client never dropped")
		}
		var want []int64
		for i := 0; i < 32; i++ {
			seq++
			want = append(want, seq)
			th.Publish(eventMsg(seq, pad))
		}
		expectSeqs(t, fast, want...)
	}
	if got := th.gauge(t, "switchboard_live_clients"); got != 1 {
		t.Errorf("clients gauge = %v after the drop, want 1", got)
	}
	// The fast client still receives.
	seq++
	th.Publish(eventMsg(seq, 0))
	expectSeqs(t, fast, seq)

	// The stuck client, reading at last, finds its stream ended: what it
	// gets is in order, then the connection is closed.
	_ = stuck.SetReadDeadline(time.Now().Add(wait))
	prev := int64(-1)
	for {
		var m wire.Message
		err := stuck.ReadJSON(&m)
		if err != nil {
			var ce *websocket.CloseError
			// 1013 if the close message got through, 1006 if the
			// socket was too full for it.
			if errors.As(err, &ce) && ce.Code != websocket.CloseTryAgainLater && ce.Code != websocket.CloseAbnormalClosure {
				t.Errorf("close code %d, want %d or %d", ce.Code, websocket.CloseTryAgainLater, websocket.CloseAbnormalClosure)
			}
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("the stuck client's connection was never closed")
			}
			break
		}
		if m.Seq <= prev && m.Type == wire.MsgEvent {
			t.Fatalf("stuck client got seq %d after %d", m.Seq, prev)
		}
		prev = m.Seq
	}
}

func TestPublishNeverBlocks(t *testing.T) {
	th := startHub(t, Options{Snapshot: snapshotAt(0), SendBuffer: 16})
	stuck := th.dial(t, nil)
	_ = stuck
	time.Sleep(50 * time.Millisecond) // let the snapshot go out
	msgs := make([]wire.Message, 10000)
	for i := range msgs {
		msgs[i] = eventMsg(int64(i+1), 4<<10)
	}
	start := time.Now()
	for _, m := range msgs {
		th.Publish(m)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("10,000 Publish calls took %v with a stuck client", d)
	}
	deadline := time.Now().Add(wait)
	for th.gauge(t, "switchboard_live_dropped_clients_total") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("stuck client not dropped")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestOrigin(t *testing.T) {
	th := startHub(t, Options{Snapshot: snapshotAt(0), AllowedOrigins: []string{"https://wall.example.com/"},
		Logger: hclog.NewNullLogger()})
	host := strings.TrimPrefix(th.srv.URL, "http://")
	tests := []struct {
		origin string
		ok     bool
	}{
		{"", true},
		{"http://" + host, true},
		{"https://wall.example.com", true},
		{"https://WALL.example.com", true},
		{"https://evil.example.com", false},
		{"http://" + host + ".evil.com", false},
		{"null", false},
	}
	for _, tt := range tests {
		t.Run(tt.origin, func(t *testing.T) {
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			conn, err := th.tryDial(h)
			if tt.ok {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				conn.Close()
				return
			}
			var de *dialError
			if !errors.As(err, &de) || de.status != http.StatusForbidden {
				t.Fatalf("err = %v, want 403", err)
			}
		})
	}
}

func TestNotAWebsocket(t *testing.T) {
	th := startHub(t, Options{Snapshot: snapshotAt(0)})
	resp, err := http.Get(th.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestSnapshotFailureClosesWithError(t *testing.T) {
	th := startHub(t, Options{Logger: hclog.NewNullLogger(), Snapshot: func(context.Context) (wire.Message, error) {
		return wire.Message{}, errors.New("store is gone")
	}})
	conn := th.dial(t, nil)
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	_, _, err := conn.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseInternalServerErr {
		t.Fatalf("err = %v, want close 1011", err)
	}
}

func TestClose(t *testing.T) {
	th := startHub(t, Options{Snapshot: snapshotAt(0)})
	a, b := th.dial(t, nil), th.dial(t, nil)
	read(t, a)
	read(t, b)
	start := time.Now()
	th.Close()
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %v", d)
	}
	for _, c := range []*websocket.Conn{a, b} {
		_ = c.SetReadDeadline(time.Now().Add(wait))
		_, _, err := c.ReadMessage()
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
			t.Fatalf("err = %v, want close 1001", err)
		}
	}
	if _, err := th.tryDial(nil); err == nil {
		t.Fatal("dial after Close succeeded")
	} else if de := (*dialError)(nil); !errors.As(err, &de) || de.status != http.StatusServiceUnavailable {
		t.Fatalf("dial after Close: %v, want 503", err)
	}
	th.Publish(eventMsg(1, 0)) // dropped, no panic
	th.Close()                 // idempotent
	if got := th.gauge(t, "switchboard_live_clients"); got != 0 {
		t.Errorf("clients gauge = %v after Close", got)
	}
}

func TestRunStopsWithContext(t *testing.T) {
	th := startHub(t, Options{Snapshot: snapshotAt(0)})
	conn := th.dial(t, nil)
	read(t, conn)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- th.Run(ctx) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(wait):
		t.Fatal("Run did not return")
	}
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	if _, _, err := conn.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Fatalf("err = %v, want close 1001", err)
	}
}

func TestClientGoneIsUnregistered(t *testing.T) {
	th := startHub(t, Options{Snapshot: snapshotAt(0)})
	conn := th.dial(t, nil)
	read(t, conn)
	conn.Close()
	deadline := time.Now().Add(wait)
	for th.gauge(t, "switchboard_live_clients") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("client still registered")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPingKeepsAlive(t *testing.T) {
	th := startHub(t, Options{Snapshot: snapshotAt(0), PingInterval: 20 * time.Millisecond})
	conn := th.dial(t, nil)
	pinged := make(chan struct{}, 1)
	conn.SetPingHandler(func(data string) error {
		select {
		case pinged <- struct{}{}:
		default:
		}
		return conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	read(t, conn)
	go func() {
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	select {
	case <-pinged:
	case <-time.After(wait):
		t.Fatal("no ping")
	}
}

func TestCloseCancelsASnapshotInProgress(t *testing.T) {
	called := make(chan struct{})
	th := startHub(t, Options{Logger: hclog.NewNullLogger(), Snapshot: func(ctx context.Context) (wire.Message, error) {
		close(called)
		<-ctx.Done()
		return wire.Message{}, ctx.Err()
	}})
	go func() {
		if conn, err := th.tryDial(nil); err == nil {
			defer conn.Close()
			_ = conn.SetReadDeadline(time.Now().Add(wait))
			_, _, _ = conn.ReadMessage()
		}
	}()
	<-called
	start := time.Now()
	th.Close()
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Close took %v with a snapshot in progress", d)
	}
}

func TestNoSnapshotConfigured(t *testing.T) {
	th := startHub(t, Options{Logger: hclog.NewNullLogger()})
	conn := th.dial(t, nil)
	_ = conn.SetReadDeadline(time.Now().Add(wait))
	if _, _, err := conn.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseInternalServerErr) {
		t.Fatalf("err = %v, want close 1011", err)
	}
}
