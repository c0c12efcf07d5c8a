package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-desk/switchboard/sdk"
)

// Deliver hands one item (a ticket offer or an event) to the department's
// plugin and returns its ack, whose ID is d.ID. It is safe for many
// concurrent callers: the items of a plugin with the work stream
// (capability "deliver") share that one stream, many in flight at once;
// the others get the unary HandleTicket and HandleEvent calls, and an
// event for a plugin that does not want events (no "events" capability) is
// acknowledged at once without reaching it.
//
// The errors are those of HandleTicket. An error wrapping ErrUnavailable
// means the item was not surely handled: the plugin is not running, or its
// stream broke or its process died with the item in flight (every item in
// flight then gets ErrUnavailable and the plugin is restarted), or the
// plugin is judged hung: it answered nothing for CallTimeout, or answered
// everything sent before this item but not this one for CallTimeout (a
// busy plugin working through a queue is not hung). It is then killed and
// restarted, and the error wraps ErrCallTimeout too. The caller keeps the item and
// delivers it again when OnState reports the plugin running. When ctx ends
// first, its error is returned and the plugin is not blamed. An ack with
// Err set is the plugin's own failure on the item; it comes with a nil
// error.
func (h *Host) Deliver(ctx context.Context, dept string, d sdk.Delivery) (sdk.Ack, error) {
	if (d.Ticket == nil) == (d.Event == nil) {
		return sdk.Ack{}, fmt.Errorf("pluginhost: department %q: Deliver: the delivery must hold exactly one of a ticket and an event", dept)
	}
	s, err := h.enter(dept)
	if err != nil {
		return sdk.Ack{}, err
	}
	defer h.leave(s)
	inst, err := s.running()
	if err != nil {
		return sdk.Ack{}, err
	}
	var ack sdk.Ack
	switch {
	case d.Event != nil && !inst.caps.Events && !inst.caps.Legacy:
		// Not wanted: done. (A legacy plugin may still want events; its
		// HandleEvent says so.)
	case inst.mux == nil:
		ack, err = h.deliverUnary(ctx, s, inst, d)
	default:
		ack, err = h.deliverStream(ctx, s, inst, d)
	}
	ack.ID = d.ID
	return ack, err
}

// deliverUnary delivers d with one unary call. The plugin's own error
// becomes the ack's Err, as on the stream.
func (h *Host) deliverUnary(ctx context.Context, s *supervisor, inst *instance, d sdk.Delivery) (sdk.Ack, error) {
	var ack sdk.Ack
	var err error
	if d.Ticket != nil {
		err = h.callOn(ctx, s, inst, "HandleTicket", func(ctx context.Context, c sdk.Client) error {
			var err error
			ack.Reply, err = c.HandleTicket(ctx, *d.Ticket)
			return err
		})
	} else {
		err = h.callOn(ctx, s, inst, "HandleEvent", func(ctx context.Context, c sdk.Client) error {
			return c.HandleEvent(ctx, *d.Event)
		})
	}
	var pe *sdk.PluginError
	if errors.As(err, &pe) {
		return sdk.Ack{Err: pe.Message}, nil
	}
	return ack, err
}

// deliverStream sends d on the instance's work stream and waits for its
// ack. An item may wait behind many others in a busy plugin, so its wait
// alone proves nothing. The plugin is judged hung, killed and restarted,
// when the item has no ack after CallTimeout and either the plugin has
// acknowledged nothing for CallTimeout (it is stuck), or every item sent
// before this one has been answered for CallTimeout while this one has
// not (it is stuck on this ticket while it answers others).
func (h *Host) deliverStream(ctx context.Context, s *supervisor, inst *instance, d sdk.Delivery) (sdk.Ack, error) {
	dept, m := s.spec.Name, inst.mux
	w, err := m.add(d)
	if err != nil {
		return sdk.Ack{}, unavailable(dept, err)
	}
	timer := time.NewTimer(h.opts.CallTimeout)
	defer timer.Stop()
	var first time.Time // when this item was first seen oldest
	// hung reports whether the wait is over; if not, it re-arms the timer.
	hung := func() bool {
		idle := m.sinceProgress()
		if idle >= h.opts.CallTimeout {
			return true
		}
		wait := h.opts.CallTimeout - idle
		if m.oldest(w.d.ID) {
			if first.IsZero() {
				first = time.Now()
			}
			alone := time.Since(first)
			if alone >= h.opts.CallTimeout {
				return true
			}
			wait = min(wait, h.opts.CallTimeout-alone)
		}
		timer.Reset(wait)
		return false
	}
	queued := false
	for {
		var queue chan<- *waiter
		if !queued {
			queue = m.queue
		}
		select {
		case queue <- w:
			queued = true
		case ack := <-w.ack:
			return ack, nil
		case <-m.done:
			select {
			case ack := <-w.ack: // answered just before the stream ended
				return ack, nil
			default:
			}
			return sdk.Ack{}, unavailable(dept, m.err)
		case <-ctx.Done():
			m.forget(w.d.ID)
			return sdk.Ack{}, fmt.Errorf("pluginhost: department %q: Deliver: %w", dept, ctx.Err())
		case <-timer.C:
			if hung() {
				return h.deliverTimedOut(ctx, s, inst, w)
			}
		}
	}
}

// deliverTimedOut handles an item of the stream without an ack within
// CallTimeout: unless the caller's context ended at the same moment, the
// plugin is broken (killed and restarted by its supervisor).
func (h *Host) deliverTimedOut(ctx context.Context, s *supervisor, inst *instance, w *waiter) (sdk.Ack, error) {
	dept := s.spec.Name
	inst.mux.forget(w.d.ID)
	select {
	case ack := <-w.ack: // answered at the deadline
		return ack, nil
	default:
	}
	if err := ctx.Err(); err != nil {
		return sdk.Ack{}, fmt.Errorf("pluginhost: department %q: Deliver: %w", dept, err)
	}
	reason := fmt.Errorf("Deliver exceeded %s: %w", h.opts.CallTimeout, ErrCallTimeout)
	if inst.usable() {
		s.log.Warn("killing plugin", "reason", reason)
	}
	inst.breakWith(reason)
	return sdk.Ack{}, fmt.Errorf("pluginhost: department %q: %w: %w", dept, reason, ErrUnavailable)
}

// unavailable is the error of an item caught in a broken stream.
func unavailable(dept string, cause error) error {
	return fmt.Errorf("pluginhost: department %q: Deliver: stream ended (%v): %w", dept, cause, ErrUnavailable)
}

// wrapStream names the side of the stream that failed.
func wrapStream(op string, err error) error {
	return fmt.Errorf("work stream %s: %w", op, err)
}
