package pluginhost

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-desk/switchboard/sdk"
)

// queueLen bounds the items waiting for the sender of one stream; a caller
// beyond it waits (within its item's deadline).
const queueLen = 4096

// streamMux carries the Deliver calls of many callers over the one work
// stream of a plugin process. Each item gets a stream id of its own; a
// sender goroutine writes the queued items one after another (gRPC
// coalesces the writes of a busy stream into few packets), a receiver
// goroutine hands each ack to the caller waiting for its id. When the
// stream breaks, every waiter is released with the cause, and the
// instance is marked broken so that its supervisor replaces it.
type streamMux struct {
	inst   *instance
	stream sdk.Stream
	queue  chan *waiter

	mu      sync.Mutex
	waiters map[uint64]*waiter
	next    uint64
	low     uint64        // no item below it waits (see oldest)
	err     error         // why the stream ended; set once, with done
	done    chan struct{} // closed when the stream has ended

	// progress is when the plugin last acknowledged anything (unix
	// nanoseconds), or when the stream opened: a plugin that keeps
	// acknowledging is busy, not hung.
	progress atomic.Int64
}

// sinceProgress is how long the plugin has acknowledged nothing.
func (m *streamMux) sinceProgress() time.Duration {
	return time.Since(time.Unix(0, m.progress.Load()))
}

// waiter is one item in flight and its caller's mailbox.
type waiter struct {
	d   sdk.Delivery // with the stream's id
	ack chan sdk.Ack // buffered: the receiver never blocks on it
}

// newStreamMux starts the sender and the receiver of stream, which belongs
// to inst and ends with inst.ctx.
func newStreamMux(inst *instance, stream sdk.Stream) *streamMux {
	m := &streamMux{
		inst:    inst,
		stream:  stream,
		queue:   make(chan *waiter, queueLen),
		waiters: make(map[uint64]*waiter),
		done:    make(chan struct{}),
	}
	m.progress.Store(time.Now().UnixNano())
	go m.send()
	go m.receive()
	return m
}

// add gives d a stream id and registers its waiter, or returns why the
// stream has ended. The caller then queues the waiter.
func (m *streamMux) add(d sdk.Delivery) (*waiter, error) {
	w := &waiter{ack: make(chan sdk.Ack, 1)}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return nil, m.err
	}
	m.next++
	d.ID = m.next
	w.d = d
	m.waiters[d.ID] = w
	return w, nil
}

// oldest reports whether id is the oldest item still waiting for its ack:
// every item sent before it has been answered. (Stream ids increase; low
// only moves forward, so the check is cheap.)
func (m *streamMux) oldest(id uint64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for m.low < m.next {
		if _, waiting := m.waiters[m.low]; waiting {
			break
		}
		m.low++
	}
	return m.low >= id
}

// forget drops the waiter of id: its caller has stopped waiting, and a
// late ack is discarded.
func (m *streamMux) forget(id uint64) {
	m.mu.Lock()
	delete(m.waiters, id)
	m.mu.Unlock()
}

// fail ends the mux with cause (the first cause wins), releasing every
// waiter through done, and marks the instance broken.
func (m *streamMux) fail(cause error) {
	m.mu.Lock()
	if m.err == nil {
		m.err = cause
		m.waiters = nil
		close(m.done)
	}
	m.mu.Unlock()
	m.inst.breakWith(cause)
}

// cause returns why the stream ended: the instance's reason when it was
// broken first (a timed-out item, a failed health check), else err.
func (m *streamMux) cause(err error) error {
	if !m.inst.usable() {
		return m.inst.reason
	}
	return err
}

// send writes queued items to the stream until it ends. Each wake-up
// drains whatever has queued meanwhile: under load the items go out back
// to back, and gRPC's writer coalesces them into few writes on the
// connection.
func (m *streamMux) send() {
	for {
		select {
		case w := <-m.queue:
			if !m.sendOne(w) {
				return
			}
			for drained := false; !drained; {
				select {
				case w := <-m.queue:
					if !m.sendOne(w) {
						return
					}
				default:
					drained = true
				}
			}
		case <-m.done:
			return
		}
	}
}

// sendOne writes one item, and ends the mux if the stream has failed.
func (m *streamMux) sendOne(w *waiter) bool {
	if err := m.stream.Send(w.d); err != nil {
		m.fail(m.cause(wrapStream("send", err)))
		return false
	}
	return true
}

// receive hands acks to their waiters until the stream ends.
func (m *streamMux) receive() {
	for {
		ack, err := m.stream.Recv()
		if err != nil {
			m.fail(m.cause(wrapStream("receive", err)))
			return
		}
		m.progress.Store(time.Now().UnixNano())
		m.mu.Lock()
		w := m.waiters[ack.ID]
		delete(m.waiters, ack.ID)
		m.mu.Unlock()
		if w != nil {
			w.ack <- ack
		}
	}
}
