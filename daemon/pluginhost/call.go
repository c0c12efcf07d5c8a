package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-desk/switchboard/sdk"
)

// HandleTicket hands a ticket to the department's plugin and returns its
// reply. When the plugin is not running, or dies or exceeds CallTimeout
// during the call, the error wraps ErrUnavailable: the ticket was not
// handled and should be delivered again when the plugin is running. Any
// other error is the plugin's own answer.
func (h *Host) HandleTicket(ctx context.Context, dept string, t sdk.Ticket) (sdk.Reply, error) {
	var reply sdk.Reply
	err := h.call(ctx, dept, "HandleTicket", func(ctx context.Context, c sdk.Client) error {
		var err error
		reply, err = c.HandleTicket(ctx, t)
		return err
	})
	return reply, err
}

// HandleEvent hands an event to the department's plugin. Errors are
// classified as for HandleTicket.
func (h *Host) HandleEvent(ctx context.Context, dept string, ev sdk.Event) error {
	return h.call(ctx, dept, "HandleEvent", func(ctx context.Context, c sdk.Client) error {
		return c.HandleEvent(ctx, ev)
	})
}

// call runs fn against the running instance of dept, bounded by
// CallTimeout, and classifies its error. It holds no lock during fn, so a
// slow department never delays another.
func (h *Host) call(ctx context.Context, dept, method string, fn func(context.Context, sdk.Client) error) error {
	s, err := h.enter(dept)
	if err != nil {
		return err
	}
	defer h.leave(s)
	inst, err := s.running()
	if err != nil {
		return err
	}
	return h.callOn(ctx, s, inst, method, fn)
}

// callOn runs fn against inst, an instance of s, bounded by CallTimeout,
// and classifies its error: a timeout or a lost connection breaks the
// instance and wraps ErrUnavailable.
func (h *Host) callOn(ctx context.Context, s *supervisor, inst *instance, method string, fn func(context.Context, sdk.Client) error) error {
	dept := s.spec.Name
	limit := time.Now().Add(h.opts.CallTimeout)
	deadline, bounded := ctx.Deadline()
	callerFirst := bounded && deadline.Before(limit)
	cctx, cancel := context.WithDeadline(ctx, limit)
	defer cancel()
	err := fn(cctx, inst.dept)
	if err == nil {
		return nil
	}
	// The deadline may be reported by the plugin's side of gRPC a moment
	// before our own timer fires, hence the check of err itself.
	timedOut := cctx.Err() != nil || (errors.Is(err, context.DeadlineExceeded) && !sdk.IsPluginError(err))
	switch {
	case ctx.Err() != nil || (timedOut && callerFirst):
		// The caller gave up first; the plugin is not to blame.
		return fmt.Errorf("pluginhost: department %q: %s: %w", dept, method, err)
	case timedOut:
		reason := fmt.Errorf("%s exceeded %s: %w", method, h.opts.CallTimeout, ErrCallTimeout)
		s.log.Warn("killing plugin", "reason", reason)
		inst.breakWith(reason)
		return fmt.Errorf("pluginhost: department %q: %w: %w", dept, reason, ErrUnavailable)
	case h.transportFailed(ctx, inst, err):
		inst.breakWith(fmt.Errorf("%s: connection lost: %w", method, err))
		return fmt.Errorf("pluginhost: department %q: %s: plugin died (%v): %w", dept, method, err, ErrUnavailable)
	default:
		return fmt.Errorf("pluginhost: department %q: %s: %w", dept, method, err)
	}
}

// transportFailed tells a dead or unreachable plugin from a plugin that
// answered with an error. The sdk marks the plugin's own errors
// (*sdk.PluginError) and failures to get an answer (sdk.ErrUnavailable, or a
// cancellation the caller did not ask for); the latter count only when the
// connection then fails a ping too.
func (h *Host) transportFailed(ctx context.Context, inst *instance, err error) bool {
	if sdk.IsPluginError(err) {
		return false
	}
	if inst.exited() {
		return true
	}
	if !errors.Is(err, sdk.ErrUnavailable) && !errors.Is(err, context.Canceled) {
		return false
	}
	pctx, cancel := context.WithTimeout(ctx, h.opts.CallTimeout)
	defer cancel()
	return inst.health(pctx) != nil
}
