package live

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/hashicorp/go-hclog"

	"github.com/switchboard-desk/switchboard/daemon/wire"
)

func TestSnapshotFirstThenEvents(t *testing.T) {
	th := startHub(t, Options{Snapshot: snapshotAt(5)})
	conn := th.dial(t, nil)
	if conn.Subprotocol() != wire.Subprotocol {
		t.Errorf("subprotocol = %q, want %q", conn.Subprotocol(), wire.Subprotocol)
	}
	snap := read(t, conn)
	if snap.Type != wire.MsgSnapshot || snap.Seq != 5 || len(snap.Tickets) != 1 {
		t.Fatalf("first message = %+v, want the snapshot at seq 5", snap)
	}
	// Events the snapshot already holds are not sent again.
	for s := int64(3); s <= 8; s++ {
		th.Publish(eventMsg(s, 0))
	}
	expectSeqs(t, conn, 6, 7, 8)
	expectSilence(t, conn, 200*time.Millisecond)
}

func TestEventsDuringSnapshotAreNotLost(t *testing.T) {
	called, release := make(chan struct{}), make(chan struct{})
	th := startHub(t, Options{Snapshot: func(ctx context.Context) (wire.Message, error) {
		close(called)
		<-release
		return wire.Message{Type: wire.MsgSnapshot, Seq: 6}, nil
	}})
	done := make(chan *websocket.Conn)
	go func() {
		conn, err := th.tryDial(nil)
		if err != nil {
			t.Error(err)
		}
		done <- conn
	}()
	<-called
	// 6 committed before the snapshot was read, 7 after.
	th.Publish(eventMsg(6, 0), eventMsg(7, 0))
	time.Sleep(150 * time.Millisecond) // let the hub hand them to the client
	close(release)
	conn := <-done
	if conn == nil {
		t.FailNow()
	}
	defer conn.Close()
	if m := read(t, conn); m.Type != wire.MsgSnapshot {
		t.Fatalf("first message is %s", m.Type)
	}
	th.Publish(eventMsg(8, 0))
	expectSeqs(t, conn, 7, 8)
}

func TestOutOfOrderPublishIsDeliveredInOrder(t *testing.T) {
	th := startHub(t, Options{Snapshot: snapshotAt(0), GapWait: time.Minute})
	conn := th.dial(t, nil)
	read(t, conn)
	th.Publish(eventMsg(3, 0))
	th.Publish(eventMsg(1, 0), eventMsg(2, 0))
	th.Publish(eventMsg(5, 0))
	th.Publish(eventMsg(4, 0))
	expectSeqs(t, conn, 1, 2, 3, 4, 5)
}

func TestConcurrentPublishersInOrder(t *testing.T) {
	ev := newEvents()
	th := startHub(t, Options{Snapshot: snapshotAt(0), Backfill: ev.backfill, SendBuffer: 4096})
	conn := th.dial(t, nil)
	read(t, conn)
	const writers, per = 8, 100
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				th.Publish(ev.commit(int64(i*writers+w+1), 0))
			}
		}()
	}
	wg.Wait()
	got := readSeqs(t, conn, writers*per)
	for i, s := range got {
		if s != int64(i+1) {
			t.Fatalf("message %d has seq %d: %v", i, s, got)
		}
	}
}

func TestGap(t *testing.T) {
	tests := []struct {
		name     string
		backfill func(ctx context.Context, after, upto int64) ([]wire.Message, error)
		want     []int64
	}{
		{"backfilled", func(_ context.Context, after, upto int64) ([]wire.Message, error) {
			if after != 2 || upto != 3 {
				return nil, errors.New("wrong range")
			}
			return []wire.Message{eventMsg(3, 0)}, nil
		}, []int64{1, 2, 3, 4, 5}},
		{"nothing to fill", func(context.Context, int64, int64) ([]wire.Message, error) {
			return nil, nil
		}, []int64{1, 2, 4, 5}},
		{"backfill fails", func(context.Context, int64, int64) ([]wire.Message, error) {
			return nil, errors.New("database is down")
		}, []int64{1, 2, 4, 5}},
		{"backfill out of range ignored", func(context.Context, int64, int64) ([]wire.Message, error) {
			return []wire.Message{eventMsg(1, 0), eventMsg(9, 0)}, nil
		}, []int64{1, 2, 4, 5}},
		{"no backfill", nil, []int64{1, 2, 4, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := startHub(t, Options{Snapshot: snapshotAt(0), Backfill: tt.backfill, GapWait: 50 * time.Millisecond,
				Logger: hclog.NewNullLogger()})
			conn := th.dial(t, nil)
			read(t, conn)
			th.Publish(eventMsg(1, 0), eventMsg(2, 0), eventMsg(4, 0), eventMsg(5, 0))
			expectSeqs(t, conn, tt.want...)
			// A late arrival of the skipped event is not sent out of order.
			th.Publish(eventMsg(3, 0), eventMsg(6, 0))
			expectSeqs(t, conn, 6)
		})
	}
}

func TestDepartmentMessagesPassThrough(t *testing.T) {
	th := startHub(t, Options{Snapshot: snapshotAt(0), GapWait: time.Minute})
	conn := th.dial(t, nil)
	read(t, conn)
	th.Publish(eventMsg(2, 0)) // held: 1 is missing
	th.Publish(wire.Message{Type: wire.MsgDepartment, Department: &wire.Department{Name: "engineering", State: "restarting"}})
	m := read(t, conn)
	if m.Type != wire.MsgDepartment || m.Department.Name != "engineering" {
		t.Fatalf("got %+v, want the department message", m)
	}
	th.Publish(eventMsg(1, 0))
	expectSeqs(t, conn, 1, 2)
}

func TestLateJoinerStartsAfterItsSnapshot(t *testing.T) {
	var mu sync.Mutex
	last := int64(0)
	th := startHub(t, Options{Snapshot: func(context.Context) (wire.Message, error) {
		mu.Lock()
		defer mu.Unlock()
		return wire.Message{Type: wire.MsgSnapshot, Seq: last}, nil
	}})
	publish := func(s int64) {
		mu.Lock()
		last = s
		mu.Unlock()
		th.Publish(eventMsg(s, 0))
	}
	a := th.dial(t, nil)
	read(t, a)
	publish(1)
	publish(2)
	expectSeqs(t, a, 1, 2)
	b := th.dial(t, nil)
	if m := read(t, b); m.Seq != 2 {
		t.Fatalf("late snapshot seq %d, want 2", m.Seq)
	}
	publish(3)
	expectSeqs(t, a, 3)
	expectSeqs(t, b, 3)
	if got := th.gauge(t, "switchboard_live_clients"); got != 2 {
		t.Errorf("clients gauge = %v, want 2", got)
	}
}
