package live

import (
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// Close codes sent to clients.
const (
	closeGoingAway     = websocket.CloseGoingAway         // 1001: the daemon stops
	closeInternal      = websocket.CloseInternalServerErr // 1011: no snapshot
	closeTryAgainLater = websocket.CloseTryAgainLater     // 1013: too slow
)

// client is one websocket connection. The hub sends to send (never
// blocking); the write loop drains it; the read loop only answers pings
// and notices the peer going away.
type client struct {
	conn   *websocket.Conn
	remote string
	send   chan wire.Message
	// awaiting is true until the client's snapshot Seq is known; guarded
	// by the hub's mu.
	awaiting bool

	quitOnce sync.Once
	quit     chan struct{}
}

func newClient(conn *websocket.Conn, remote string, buffer int) *client {
	return &client{
		conn:   conn,
		remote: remote,
		send:   make(chan wire.Message, buffer),
		quit:   make(chan struct{}),
	}
}

// kick ends the connection: it stops the write loop and, without blocking
// the caller, sends a close message (if the socket takes it within a
// second) and closes the socket, which also unblocks a write in progress.
func (c *client) kick(code int, reason string) {
	c.quitOnce.Do(func() {
		close(c.quit)
		go func() {
			msg := websocket.FormatCloseMessage(code, reason)
			_ = c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
			_ = c.conn.Close()
		}()
	})
}

// readLoop discards what the client sends (nothing is expected), keeps
// the read deadline moving with pongs, and kicks the client when the
// connection fails.
func (c *client) readLoop(h *Hub) {
	defer h.conns.Done()
	c.conn.SetReadLimit(ReadLimit)
	_ = c.conn.SetReadDeadline(time.Now().Add(h.opts.PongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(h.opts.PongWait))
	})
	for {
		if _, _, err := c.conn.ReadMessage(); err != nil {
			h.unregister(c)
			c.kick(websocket.CloseNormalClosure, "")
			return
		}
	}
}

// writeLoop writes the snapshot, then the messages the hub sends, keeping
// event Seqs strictly increasing and above the snapshot's, and pings.
func (c *client) writeLoop(h *Hub, snapshot wire.Message) {
	defer func() {
		h.unregister(c)
		c.kick(websocket.CloseNormalClosure, "")
	}()
	if !c.write(h, snapshot) {
		return
	}
	last := snapshot.Seq
	ping := time.NewTicker(h.opts.PingInterval)
	defer ping.Stop()
	for {
		// A closed quit wins over a full buffer.
		select {
		case <-c.quit:
			return
		default:
		}
		select {
		case <-c.quit:
			return
		case m := <-c.send:
			if m.Type == wire.MsgEvent && m.Seq > 0 {
				if m.Seq <= last {
					continue
				}
				last = m.Seq
			}
			if !c.write(h, m) {
				return
			}
		case <-ping.C:
			_ = c.conn.SetWriteDeadline(time.Now().Add(h.opts.WriteTimeout))
			if err := c.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}

func (c *client) write(h *Hub, m wire.Message) bool {
	_ = c.conn.SetWriteDeadline(time.Now().Add(h.opts.WriteTimeout))
	if err := c.conn.WriteJSON(m); err != nil {
		h.log.Debug("write failed", "remote", c.remote, "error", err)
		return false
	}
	return true
}
