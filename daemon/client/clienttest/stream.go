package clienttest

import (
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/switchboard-desk/switchboard/daemon/wire"
)

var upgrader = websocket.Upgrader{
	Subprotocols: []string{wire.Subprotocol},
	CheckOrigin:  func(*http.Request) bool { return true },
}

// stream serves GET /stream: a snapshot of the open tickets, then every
// message published after it.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	defer conn.Close()
	ch := make(chan wire.Message, 256)
	s.mu.Lock()
	s.subs[ch] = conn
	snap := wire.Message{Type: wire.MsgSnapshot, Seq: s.seq, Tickets: s.sortedOpenLocked(), Departments: s.openCountsLocked()}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.subs, ch)
		s.mu.Unlock()
	}()

	gone := make(chan struct{})
	go func() { // read loop: notices the client leaving
		defer close(gone)
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	if err := write(conn, snap); err != nil {
		return
	}
	for {
		select {
		case m := <-ch:
			if m.Seq != 0 && m.Seq <= snap.Seq {
				continue // already in the snapshot
			}
			if err := write(conn, m); err != nil {
				return
			}
		case <-gone:
			return
		case <-r.Context().Done():
			return
		}
	}
}

func write(conn *websocket.Conn, m wire.Message) error {
	_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return conn.WriteJSON(m)
}
