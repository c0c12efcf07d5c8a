package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/switchboard-desk/switchboard/daemon/wire"
)

func dialStream(url string, protos []string, header http.Header) (*websocket.Conn, int, error) {
	d := websocket.Dialer{Subprotocols: protos, HandshakeTimeout: 10 * time.Second}
	conn, resp, err := d.Dial(url, header)
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	return conn, status, err
}

func readMsg(t *testing.T, conn *websocket.Conn) wire.Message {
	t.Helper()
	var m wire.Message
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if err := conn.ReadJSON(&m); err != nil {
		t.Fatalf("read: %v", err)
	}
	return m
}
