// Package live is the wallboard hub: it streams the desk's events to
// browsers over websockets.
//
// A client first receives a snapshot (every open ticket and department,
// with the last event Seq it includes), then every later event in strictly
// increasing Seq, each once, and department messages as plugins change
// state. The hub never blocks a publisher on a client: each client has a
// bounded buffer, and a client that lets it fill is dropped with a close
// message; it reconnects and starts again from a fresh snapshot.
//
// Life cycle: NewHub starts the hub's goroutine; ServeHTTP accepts clients;
// Publish feeds it; Run returns when its context ends, after Close; Close
// says goodbye to every client.
package live

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// Defaults of Options.
const (
	DefaultSendBuffer   = 256
	DefaultGapWait      = 100 * time.Millisecond
	DefaultPingInterval = 25 * time.Second
	DefaultPongWait     = 60 * time.Second
	DefaultWriteTimeout = 10 * time.Second
	// ReadLimit is the largest message a client may send.
	ReadLimit = 4096
	// backfillTimeout bounds one Backfill call.
	backfillTimeout = 5 * time.Second
	// closeWait bounds how long Close waits for clients to go.
	closeWait = 5 * time.Second
)

// Options configure a Hub. Snapshot is required; the rest is optional.
type Options struct {
	// Logger receives the hub's logs; nil discards them.
	Logger hclog.Logger
	// Snapshot builds a new client's first message: open tickets,
	// departments and the last event Seq at the time they were read.
	Snapshot func(ctx context.Context) (wire.Message, error)
	// Backfill fetches the event messages with afterSeq < Seq <= uptoSeq,
	// for a gap in the stream that was not filled in time. Nil skips gaps.
	Backfill func(ctx context.Context, afterSeq, uptoSeq int64) ([]wire.Message, error)
	// AllowedOrigins lists the Origin values accepted besides the
	// request's own host, e.g. "https://wallboard.example.com".
	AllowedOrigins []string
	// SendBuffer is how many messages a client may lag behind before it is
	// dropped. Default 256.
	SendBuffer int
	// Registry receives the hub's metrics; nil keeps them unregistered.
	Registry *prometheus.Registry

	// GapWait is how long an event waits for a missing predecessor before
	// the gap is backfilled. Default 100ms.
	GapWait time.Duration
	// PingInterval, PongWait and WriteTimeout are the keep-alive timings
	// of each connection. Defaults 25s, 60s and 10s.
	PingInterval, PongWait, WriteTimeout time.Duration
}

// Hub fans messages out to websocket clients. Its methods are safe for
// concurrent use.
type Hub struct {
	opts    Options
	log     hclog.Logger
	metrics *metrics

	// qmu guards queue: messages published and not yet taken by the loop.
	qmu   sync.Mutex
	queue []wire.Message
	wake  chan struct{}

	// mu guards the fields below; the loop holds it while dispatching,
	// which never blocks.
	mu      sync.Mutex
	clients map[*client]struct{}
	seq     *sequencer
	closed  bool
	// awaiting counts clients registered whose snapshot Seq is not known
	// yet; minSnap is the lowest known one (-1: none). Both only matter
	// until the sequencer has a baseline.
	awaiting int
	minSnap  int64

	// ctx ends when the hub closes; snapshots and backfills run under it.
	ctx      context.Context
	cancel   context.CancelFunc
	done     chan struct{}
	loopDone chan struct{}
	once     sync.Once
	conns    sync.WaitGroup
}

// NewHub returns a running hub. Call Close (or cancel Run's context) to
// stop it.
func NewHub(o Options) *Hub {
	if o.Logger == nil {
		o.Logger = hclog.NewNullLogger()
	}
	if o.Snapshot == nil {
		o.Snapshot = func(context.Context) (wire.Message, error) {
			return wire.Message{}, errors.New("live: no Snapshot configured")
		}
	}
	if o.SendBuffer <= 0 {
		o.SendBuffer = DefaultSendBuffer
	}
	if o.GapWait <= 0 {
		o.GapWait = DefaultGapWait
	}
	if o.PingInterval <= 0 {
		o.PingInterval = DefaultPingInterval
	}
	if o.PongWait <= 0 {
		o.PongWait = DefaultPongWait
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	h := &Hub{
		opts:     o,
		log:      named(o.Logger, "live"),
		metrics:  newMetrics(o.Registry),
		wake:     make(chan struct{}, 1),
		clients:  make(map[*client]struct{}),
		seq:      newSequencer(),
		minSnap:  -1,
		done:     make(chan struct{}),
		loopDone: make(chan struct{}),
	}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	go h.loop()
	return h
}

// Publish hands messages to the hub: event messages (Type event, Seq,
// Event and Ticket set) and department messages. It never blocks on a
// client; after Close it drops the messages.
func (h *Hub) Publish(msgs ...wire.Message) {
	if len(msgs) == 0 {
		return
	}
	h.qmu.Lock()
	select {
	case <-h.done:
		h.qmu.Unlock()
		return
	default:
	}
	h.queue = append(h.queue, msgs...)
	h.qmu.Unlock()
	h.poke()
}

func (h *Hub) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Run blocks until ctx ends or the hub is closed, then closes the hub.
func (h *Hub) Run(ctx context.Context) error {
	select {
	case <-ctx.Done():
	case <-h.done:
	}
	h.Close()
	return nil
}

// Close stops the hub: every client gets a going-away close message and
// new connections are refused. It waits (a few seconds at most) for the
// connections to end. Close may be called more than once.
func (h *Hub) Close() {
	h.once.Do(func() {
		h.cancel()
		h.qmu.Lock()
		close(h.done)
		h.queue = nil
		h.qmu.Unlock()
		<-h.loopDone

		h.mu.Lock()
		h.closed = true
		for c := range h.clients {
			h.removeLocked(c)
			c.kick(closeGoingAway, "server shutting down")
		}
		h.mu.Unlock()
	})
	waited := make(chan struct{})
	go func() { h.conns.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(closeWait):
		h.log.Warn("clients did not close in time")
	}
}

// loop takes published messages, orders events and fans them out.
func (h *Hub) loop() {
	defer close(h.loopDone)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-h.done:
			timer.Stop()
			return
		case <-h.wake:
		case <-timer.C:
		}
		if next := h.process(); !next.IsZero() {
			timer.Reset(time.Until(next))
		}
	}
}

// process handles the queue and any gap that is due. It returns when the
// next gap will be due (zero: none).
func (h *Hub) process() time.Time {
	h.qmu.Lock()
	batch := h.queue
	h.queue = nil
	h.qmu.Unlock()

	h.mu.Lock()
	defer h.mu.Unlock()
	now := time.Now()
	for _, m := range batch {
		if m.Type != wire.MsgEvent || m.Seq <= 0 {
			if m.Type == wire.MsgEvent {
				h.log.Warn("event message without seq, passed through unordered")
			}
			h.dispatchLocked(m)
			continue
		}
		ready, late := h.seq.add(m, now)
		if late {
			h.log.Debug("late or duplicate event dropped", "seq", m.Seq)
		}
		h.dispatchLocked(ready...)
	}
	if !h.seq.known && h.awaiting == 0 && h.minSnap >= 0 {
		h.dispatchLocked(h.seq.start(h.minSnap, now)...)
	}
	due, at := h.seq.due(now, h.opts.GapWait)
	if !due {
		return at
	}
	if !h.seq.known {
		base, _ := h.seq.minPending()
		base--
		if h.minSnap >= 0 && h.minSnap < base {
			base = h.minSnap
		}
		h.dispatchLocked(h.seq.start(base, now)...)
	}
	if after, upto, ok := h.seq.gap(); ok {
		var filled []wire.Message
		if h.opts.Backfill != nil && len(h.clients) > 0 {
			h.mu.Unlock()
			filled = h.backfill(after, upto)
			h.mu.Lock()
		}
		h.log.Debug("gap closed", "after", after, "upto", upto, "backfilled", len(filled))
		h.metrics.gaps.Inc()
		h.dispatchLocked(h.seq.skip(upto, filled, time.Now())...)
	}
	_, at = h.seq.due(time.Now(), h.opts.GapWait)
	return at
}

// backfill fetches a missing range; errors are logged and skip the gap.
func (h *Hub) backfill(after, upto int64) []wire.Message {
	ctx, cancel := context.WithTimeout(h.ctx, backfillTimeout)
	defer cancel()
	msgs, err := h.opts.Backfill(ctx, after, upto)
	if err != nil {
		h.log.Error("backfill failed; gap skipped", "after", after, "upto", upto, "error", err)
		return nil
	}
	kept := msgs[:0:0]
	for _, m := range msgs {
		if m.Type == wire.MsgEvent && m.Seq > after && m.Seq <= upto {
			kept = append(kept, m)
		}
	}
	return kept
}

// dispatchLocked offers msgs to every client without blocking; a client
// whose buffer is full is dropped.
func (h *Hub) dispatchLocked(msgs ...wire.Message) {
	for _, m := range msgs {
		for c := range h.clients {
			select {
			case c.send <- m:
			default:
				h.removeLocked(c)
				h.metrics.dropped.Inc()
				h.log.Info("slow client dropped", "remote", c.remote)
				c.kick(closeTryAgainLater, "too slow, reconnect")
			}
		}
	}
}

// register adds a client before its snapshot is read, so that no event
// committed after the snapshot can be missed. It fails once closed.
func (h *Hub) register(c *client) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.clients[c] = struct{}{}
	c.awaiting = true
	h.awaiting++
	h.metrics.clients.Set(float64(len(h.clients)))
	return true
}

// snapshotRead tells the hub the Seq of a client's snapshot.
func (h *Hub) snapshotRead(c *client, seq int64) {
	h.mu.Lock()
	if c.awaiting {
		c.awaiting = false
		h.awaiting--
	}
	if !h.seq.known && (h.minSnap < 0 || seq < h.minSnap) {
		h.minSnap = seq
	}
	h.mu.Unlock()
	h.poke()
}

// unregister removes a client that went away.
func (h *Hub) unregister(c *client) {
	h.mu.Lock()
	h.removeLocked(c)
	h.mu.Unlock()
	h.poke()
}

func (h *Hub) removeLocked(c *client) {
	if _, ok := h.clients[c]; !ok {
		return
	}
	delete(h.clients, c)
	if c.awaiting {
		c.awaiting = false
		h.awaiting--
	}
	h.metrics.clients.Set(float64(len(h.clients)))
}

// named names the logger for this component unless the caller already did.
func named(l hclog.Logger, name string) hclog.Logger {
	if n := l.Name(); n == name || strings.HasSuffix(n, "."+name) {
		return l
	}
	return l.Named(name)
}
