package live

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/websocket"

	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// ServeHTTP upgrades the request to a websocket and streams to it until
// either side goes away. Authentication is the caller's job: the API
// checks the token before it hands the request over.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()
	if closed {
		writeError(w, http.StatusServiceUnavailable, wire.CodeUnavailable, "the stream is shutting down")
		return
	}
	up := websocket.Upgrader{
		Subprotocols: []string{wire.Subprotocol},
		CheckOrigin:  h.checkOrigin,
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			code := wire.CodeInvalid
			if status == http.StatusForbidden {
				code = "forbidden"
			}
			writeError(w, status, code, "websocket: "+reason.Error())
		},
	}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		h.log.Debug("upgrade failed", "remote", r.RemoteAddr, "error", err)
		return // Upgrade has answered.
	}
	c := newClient(conn, r.RemoteAddr, h.opts.SendBuffer)
	if !h.register(c) {
		c.kick(closeGoingAway, "server shutting down")
		return
	}
	h.conns.Add(2)
	defer h.conns.Done()
	go c.readLoop(h)

	ctx, cancel := context.WithCancel(r.Context())
	stop := context.AfterFunc(h.ctx, cancel)
	snap, err := h.opts.Snapshot(ctx)
	stop()
	cancel()
	if err != nil {
		h.log.Error("snapshot failed", "remote", c.remote, "error", err)
		h.unregister(c)
		c.kick(closeInternal, "snapshot failed, reconnect")
		return
	}
	snap.Type = wire.MsgSnapshot
	h.snapshotRead(c, snap.Seq)
	h.log.Debug("client connected", "remote", c.remote, "seq", snap.Seq)
	c.writeLoop(h, snap)
	h.log.Debug("client gone", "remote", c.remote)
}

// checkOrigin accepts a request without Origin (a CLI or a server), one
// from the host it was sent to, and one from an allowed origin.
func (h *Hub) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, allowed := range h.opts.AllowedOrigins {
		allowed = strings.TrimRight(allowed, "/")
		if strings.EqualFold(allowed, origin) || strings.EqualFold(allowed, u.Host) {
			return true
		}
	}
	h.log.Warn("websocket origin refused", "origin", origin, "host", r.Host)
	return false
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(wire.ErrorBody{Error: wire.ErrorDetail{Code: code, Message: msg}})
}
