package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/sdk"
)

// A ticket waits for its department while it is new. The hand-over and the
// plugin's answer are committed together (new → dispatched → acknowledged),
// so a ticket whose plugin is down, or that was in flight during a crash,
// is still new and is delivered again (plugins are idempotent by ticket id).
// A ticket at rest in dispatched was declined by the fallback department
// and waits for a person.
func needsDispatch(t *ticket.Ticket) bool {
	return t.Status == ticket.StatusNew
}

// MaxDispatchAttempts is how many times a plugin may fail on one ticket
// before the ticket goes to the fallback department.
const MaxDispatchAttempts = 5

// maxRetryDelay caps the backoff between attempts.
const maxRetryDelay = 5 * time.Minute

// deliverOutboxItem hands one outbox item to dept's plugin. An offer's
// answer comes back to be recorded (see record): the hand-over and the
// plugin's answer are one commit, new → dispatched (stamped with the time
// it was sent) → acknowledged, together with the removal of the offer from
// the outbox. Until that commit the ticket stays new and its offer stays in
// the outbox, so a crash or a dead plugin meanwhile means it is offered
// again; an offer whose ticket is no longer new here (answered already, or
// moved) is only removed, so the daemon applies each answer once.
func (d *Desk) deliverOutboxItem(ctx context.Context, dept string, it store.OutboxItem) (res outcome, delay time.Duration, rec *answer) {
	t, err := d.store.Get(ctx, it.TicketID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return delivered, 0, nil
	case err != nil:
		if ctx.Err() == nil {
			d.log.Error("dispatch: load ticket", "ticket", it.TicketID, "error", err)
		}
		return retryLater, d.opts.RetryDelay, nil
	}
	if it.Offer && (t.Department != dept || !needsDispatch(&t)) {
		return delivered, 0, nil
	}
	var del sdk.Delivery
	if it.Offer {
		st := SDKTicket(&t)
		del.Ticket = &st
	} else {
		ev := toSDKEvent(&it.Event, &t)
		del.Event = &ev
	}
	sent := d.now().UTC()
	ack, err := d.plugins.Deliver(ctx, dept, del)
	if err == nil && ack.Err != "" {
		err = &pluginFailure{msg: ack.Err}
	}
	if err != nil {
		res, delay = d.deliveryFailed(ctx, dept, it, err)
		return res, delay, nil
	}
	d.clearAttempts(attemptKey(it))
	if !it.Offer {
		return delivered, 0, nil
	}
	return delivered, 0, &answer{sent: sent, reply: ack.Reply}
}

// answer is a plugin's reply to an offer, waiting to be recorded.
type answer struct {
	sent  time.Time
	reply sdk.Reply
}

// pluginFailure is the plugin's own failure on an item (an ack with an
// error).
type pluginFailure struct{ msg string }

func (e *pluginFailure) Error() string { return e.msg }

// answered applies a plugin's answer to an offer to t: new → dispatched →
// acknowledged with the assignee, or the refusal (see decline). It does
// nothing to a ticket no longer waiting for dept. The plugin is not told of
// its own answer, nor of what the answer met (the response target).
//
// The calendar or policy may have changed since the ticket was planned (a
// reload whose recompute has not reached it): its deadlines are checked
// against the current rules first, as before a timer fires, so that a
// stale deadline never breaches; the department hears of what that moves.
func (d *Desk) answered(t *ticket.Ticket, dept string, a *answer) ([]ticket.Event, error) {
	if t.Department != dept || !needsDispatch(t) {
		return nil, nil // someone else moved it meanwhile
	}
	var evs []ticket.Event
	if r, ok := d.slaEngine().(recomputer); ok {
		now := d.now().UTC()
		evs = d.replanned(t, r.Recompute(t, now), now)
	}
	ans, err := d.answer(t, dept, a)
	if err != nil {
		return nil, err
	}
	return append(evs, ans...), nil
}

// answer records the answer itself (see answered). A note or assignee
// longer than the desk keeps is cut, and the cut is noted: an answer is
// never refused for its length, so that a ticket is never left waiting on
// an answer that cannot be recorded.
func (d *Desk) answer(t *ticket.Ticket, dept string, a *answer) ([]ticket.Event, error) {
	actor := pluginActor(dept)
	evs, err := d.move(t, ticket.StatusDispatched, "", "desk")
	if err != nil {
		return nil, err
	}
	evs[0].At = a.sent
	evs[0].Quiet = true
	reply := a.reply
	var cut []string
	if s, ok := clip(reply.Note, ticket.MaxDescription); ok {
		reply.Note, cut = s, append(cut, fmt.Sprintf("note to %d characters", ticket.MaxDescription))
	}
	if s, ok := clip(reply.Assignee, MaxAssignee); ok {
		reply.Assignee, cut = s, append(cut, fmt.Sprintf("assignee to %d characters", MaxAssignee))
	}
	if len(cut) > 0 {
		ev := ticket.NewEvent(ticket.EventNote, Actor, d.now().UTC(), map[string]string{
			"note": "the plugin's answer was cut: " + strings.Join(cut, ", "),
		})
		ev.Quiet = true
		evs = append(evs, ev)
	}
	a = &answer{sent: a.sent, reply: reply}
	if !a.reply.Accept {
		// Quiet but for the routing, which offers the ticket to the
		// fallback department.
		return append(evs, d.decline(t, a.reply.Note, actor)...), nil
	}
	ack, err := d.move(t, ticket.StatusAcknowledged, a.reply.Note, actor)
	if err != nil {
		return nil, err
	}
	evs = append(evs, ack...)
	if a.reply.Assignee != "" && a.reply.Assignee != t.Assignee {
		data := map[string]string{"to": a.reply.Assignee}
		if t.Assignee != "" {
			data["from"] = t.Assignee
		}
		t.Assignee = a.reply.Assignee
		evs = append(evs, ticket.NewEvent(ticket.EventAssigned, actor, d.now(), data))
	}
	for i := range evs {
		evs[i].Quiet = true
	}
	if a.reply.Status != "" {
		evs = append(evs, d.moveOn(t, a.reply.Status, a.reply.StatusNote, actor)...)
	}
	return evs, nil
}

// moveOn applies the status a plugin asked for with its acceptance
// (sdk.Reply.Status): in_progress, waiting or resolved. Another status, or
// a bad note, is not applied; the refusal is noted in the history, so that
// the acceptance itself still stands.
func (d *Desk) moveOn(t *ticket.Ticket, status, note, actor string) []ticket.Event {
	to := ticket.Status(status)
	var err error
	switch to {
	case ticket.StatusInProgress, ticket.StatusWaiting, ticket.StatusResolved:
		var evs []ticket.Event
		if evs, err = d.move(t, to, note, actor); err == nil {
			for i := range evs {
				evs[i].Quiet = true
			}
			return evs
		}
	default:
		err = fmt.Errorf("status %q may not follow an acceptance (in_progress, waiting or resolved)", status)
	}
	ev := ticket.NewEvent(ticket.EventNote, Actor, d.now().UTC(), map[string]string{
		"note": fmt.Sprintf("the plugin's move to %q was not applied: %v", status, err),
	})
	return []ticket.Event{ev}
}

// deliveryFailed decides what a failed delivery means. A plugin that is
// not running keeps the item in the outbox until it is back. A department
// with no plugin sends its offers to the fallback department. A plugin's
// failure on an offer is recorded in the ticket's history and retried with
// backoff; after MaxDispatchAttempts the ticket goes to the fallback. A
// failure on an event is retried with backoff until the plugin takes it.
func (d *Desk) deliveryFailed(ctx context.Context, dept string, it store.OutboxItem, cause error) (outcome, time.Duration) {
	if ctx.Err() != nil {
		return unavailable, 0
	}
	switch {
	case errors.Is(cause, pluginhost.ErrUnknownDepartment):
		if it.Offer {
			d.reroute(ctx, dept, it.TicketID, fmt.Sprintf("department %s has no plugin", dept), cause)
		}
		return delivered, 0 // nobody to tell
	case errors.Is(cause, pluginhost.ErrUnavailable):
		d.log.Debug("dispatch: plugin unavailable, item waits", "department", dept, "ticket", it.TicketID, "error", cause)
		return unavailable, 0
	}
	id := it.TicketID
	n := d.attempt(attemptKey(it))
	delay := d.backoff(n)
	if !it.Offer {
		d.log.Warn("notify plugin: failed, will retry", "department", dept, "ticket", id, "event", it.Event.Type, "attempt", n, "retry_in", delay, "error", cause)
		return retryLater, delay
	}
	fallback := d.rules.Load().fallback
	if n >= MaxDispatchAttempts && dept != fallback && fallback != "" {
		d.clearAttempts(attemptKey(it))
		d.reroute(ctx, dept, id, fmt.Sprintf("plugin of %s failed %d times", dept, n), cause)
		return delivered, 0
	}
	d.log.Warn("dispatch: plugin failed, will retry", "department", dept, "ticket", id, "attempt", n, "retry_in", delay, "error", cause)
	_, err := d.update(ctx, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if t.Department != dept || !needsDispatch(t) {
			return nil, nil
		}
		ev := ticket.NewEvent(ticket.EventDispatchErr, "desk", d.now(), map[string]any{
			"department": dept, "attempt": n, "error": cause.Error(), "retry_in": delay.String(),
		})
		ev.Quiet = true
		return []ticket.Event{ev}, nil
	})
	if err != nil && ctx.Err() == nil {
		d.log.Error("dispatch: record failure", "ticket", id, "error", err)
	}
	return retryLater, delay
}

// reroute sends a ticket its department cannot take to the fallback
// department, saying why in its history.
func (d *Desk) reroute(ctx context.Context, dept, id, why string, cause error) {
	fallback := d.rules.Load().fallback
	if fallback == "" || fallback == dept {
		d.log.Error("dispatch: ticket cannot be delivered and there is no other department", "department", dept, "ticket", id, "error", cause)
		return
	}
	_, err := d.update(ctx, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if t.Department != dept || !needsDispatch(t) {
			return nil, nil
		}
		now := d.now().UTC()
		t.Department = fallback
		failed := ticket.NewEvent(ticket.EventDispatchErr, "desk", now, map[string]string{"department": dept, "error": cause.Error()})
		failed.Quiet = true
		return []ticket.Event{
			failed,
			ticket.NewEvent(ticket.EventRouted, "router", now, routedData{Department: fallback, Reason: why + "; sent to fallback department " + fallback}),
		}, nil
	})
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("dispatch: reroute", "ticket", id, "error", err)
		}
		return
	}
	d.log.Warn("dispatch: ticket sent to the fallback department", "ticket", id, "from", dept, "to", fallback, "reason", why)
}

// decline records a plugin's refusal and sends the ticket to the fallback
// department. If the fallback itself declines, the ticket stays dispatched,
// with the refusal in its history, for a person to pick up.
func (d *Desk) decline(t *ticket.Ticket, note, actor string) []ticket.Event {
	now := d.now().UTC()
	fallback := d.rules.Load().fallback
	evs := []ticket.Event{ticket.NewEvent(ticket.EventNote, actor, now, map[string]string{
		"note": "declined: " + note,
	})}
	evs[0].Quiet = true
	if fallback == "" || t.Department == fallback {
		return evs
	}
	from := t.Department
	t.Status = ticket.StatusNew
	t.Department = fallback
	back := ticket.NewEvent(ticket.EventStatus, actor, now, ticket.StatusData{From: ticket.StatusDispatched, To: ticket.StatusNew, Note: "declined by " + from})
	back.Quiet = true // the fallback is offered the ticket by the routing below
	return append(evs, back,
		ticket.NewEvent(ticket.EventRouted, "router", now, routedData{Department: fallback, Reason: "declined by " + from + ": " + note}),
	)
}

func (d *Desk) attempt(id string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.attempts[id]++
	return d.attempts[id]
}

// backoff is the wait before attempt n+1: RetryDelay doubled per attempt,
// at most maxRetryDelay.
func (d *Desk) backoff(n int) time.Duration {
	delay := d.opts.RetryDelay << min(n-1, 16)
	if delay > maxRetryDelay || delay <= 0 {
		delay = maxRetryDelay
	}
	return delay
}

// attemptKey names what failed deliveries are counted for: a ticket's
// offer (by ticket, across redeliveries), or one event item.
func attemptKey(it store.OutboxItem) string {
	if it.Offer {
		return it.TicketID
	}
	return fmt.Sprintf("%s#%d", it.TicketID, it.Seq)
}

func (d *Desk) clearAttempts(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.attempts, id)
}

// Acknowledged returns how many plugin acknowledgements the desk recorded.
func (d *Desk) Acknowledged() int64 { return d.acksTotal.Load() }

func (d *Desk) stopping() bool {
	select {
	case <-d.stop:
		return true
	default:
		return false
	}
}

// clip cuts s to at most n characters, ending with "…", and reports
// whether it did.
func clip(s string, n int) (string, bool) {
	if utf8.RuneCountInString(s) <= n {
		return s, false
	}
	r := []rune(s)
	return string(r[:n-1]) + "…", true
}
