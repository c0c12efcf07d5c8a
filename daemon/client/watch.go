package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// Stream limits.
const (
	// maxMessage bounds one stream message; a snapshot of a busy desk is
	// the largest.
	maxMessage = 64 << 20
	// handshakeTimeout bounds the websocket handshake.
	handshakeTimeout = 15 * time.Second
)

// Watch connects to the live stream (GET /api/v1/stream) and calls fn with
// every message in order: first a wire.MsgSnapshot, then wire.MsgEvent
// messages in increasing Seq and wire.MsgDepartment messages. It returns when
// ctx is done (with ctx.Err()), when fn returns an error (with that error),
// or when the connection fails or the daemon closes it. Watch does not
// reconnect; a caller that does gets a fresh snapshot.
func (c *Client) Watch(ctx context.Context, fn func(wire.Message) error) error {
	u, err := c.endpoint("/stream", nil)
	if err != nil {
		return err
	}
	switch u.Scheme {
	case "https":
		u.Scheme = "wss"
	default:
		u.Scheme = "ws"
	}
	d := websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: handshakeTimeout,
		Subprotocols:     []string{wire.Subprotocol},
	}
	if tr, ok := c.http.Transport.(*http.Transport); ok && tr != nil {
		d.TLSClientConfig = tr.TLSClientConfig
		if tr.Proxy != nil {
			d.Proxy = tr.Proxy
		}
	}
	h := http.Header{}
	c.authorize(h)
	conn, resp, err := d.DialContext(ctx, u.String(), h)
	if err != nil {
		if resp != nil && (resp.StatusCode < 200 || resp.StatusCode > 299) {
			defer resp.Body.Close()
			return decodeError(resp)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("client: stream: %w", err)
	}
	conn.SetReadLimit(maxMessage)

	// Closing the connection is the only way to interrupt a blocked read.
	var once sync.Once
	closeConn := func() { once.Do(func() { conn.Close() }) }
	stop := context.AfterFunc(ctx, closeConn)
	defer stop()
	defer closeConn()

	for {
		var m wire.Message
		if err := conn.ReadJSON(&m); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return fmt.Errorf("client: stream closed by the daemon: %w", err)
			}
			return fmt.Errorf("client: stream: %w", err)
		}
		if err := fn(m); err != nil {
			// Say goodbye politely; the error is what matters.
			_ = conn.WriteControl(websocket.CloseMessage,
				websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
				time.Now().Add(time.Second))
			return err
		}
	}
}
