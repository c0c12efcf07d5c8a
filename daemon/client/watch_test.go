package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

func TestWatchSnapshotThenEvents(t *testing.T) {
	srv, c := newDesk(t)
	if _, err := c.CreateTicket(ctx(t), client.CreateRequest{Kind: "repair", Category: "valve", Title: "Leak"}, ""); err != nil {
		t.Fatal(err)
	}
	errDone := errors.New("done")
	var got []wire.Message
	err := c.Watch(ctx(t), func(m wire.Message) error {
		got = append(got, m)
		switch len(got) {
		case 1: // the snapshot: the fake now has us subscribed
			if _, err := srv.Emit("SB-1", ticket.NewEvent(ticket.EventSLABreached, "sla", now,
				ticket.SLAData{Target: "response", DueAt: now}), func(tk *ticket.Ticket) {
				tk.SLA[0].State = ticket.TargetBreached
			}); err != nil {
				return err
			}
			srv.SetDepartment(wire.Department{Name: "finance", Title: "Finance", State: "restarting", Restarts: 1})
		case 3:
			return errDone
		}
		return nil
	})
	if !errors.Is(err, errDone) {
		t.Fatalf("Watch = %v, want fn's error", err)
	}
	if got[0].Type != wire.MsgSnapshot || len(got[0].Tickets) != 1 || got[0].Seq != 2 || len(got[0].Departments) != 3 {
		t.Errorf("snapshot = %+v", got[0])
	}
	if m := got[1]; m.Type != wire.MsgEvent || m.Seq != 3 || m.Event.Type != ticket.EventSLABreached ||
		m.Ticket.SLA[0].State != ticket.TargetBreached {
		t.Errorf("event = %+v", m)
	}
	if m := got[2]; m.Type != wire.MsgDepartment || m.Department.State != "restarting" {
		t.Errorf("department = %+v", m)
	}
	r := srv.LastRequest()
	if r.Path != "/api/v1/stream" || r.Header.Get("Authorization") != "Bearer "+token ||
		!strings.Contains(r.Header.Get("Sec-WebSocket-Protocol"), wire.Subprotocol) {
		t.Errorf("stream request = %+v", r)
	}
}

func TestWatchStopsOnContext(t *testing.T) {
	srv, c := newDesk(t)
	cx, cancel := context.WithCancel(ctx(t))
	res := make(chan error, 1)
	go func() {
		res <- c.Watch(cx, func(m wire.Message) error {
			if m.Type == wire.MsgSnapshot {
				cancel()
			}
			return nil
		})
	}()
	select {
	case err := <-res:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Watch = %v, want context.Canceled", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Watch did not return after cancel")
	}
	deadline := time.Now().Add(20 * time.Second)
	for srv.Subscribers() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := srv.Subscribers(); n != 0 {
		t.Errorf("%d subscribers left after Watch returned", n)
	}
}

func TestWatchErrors(t *testing.T) {
	srv, _ := newDesk(t)
	err := client.New(srv.URL, "wrong").Watch(ctx(t), func(wire.Message) error { return nil })
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != 401 || ae.Code != wire.CodeUnauthorized {
		t.Errorf("bad token: %v", err)
	}

	url := srv.URL
	srv.CloseClientConnections()
	srv.Close()
	err = client.New(url, token).Watch(ctx(t), func(wire.Message) error { return nil })
	if err == nil || !strings.HasPrefix(err.Error(), "client: stream: ") {
		t.Errorf("daemon down: %v", err)
	}
}

func TestWatchDaemonGoesAway(t *testing.T) {
	srv, c := newDesk(t)
	err := c.Watch(ctx(t), func(m wire.Message) error {
		if m.Type == wire.MsgSnapshot {
			srv.DropStreams()
		}
		return nil
	})
	if err == nil || !strings.HasPrefix(err.Error(), "client: stream") {
		t.Errorf("Watch = %v, want a stream error", err)
	}
}
