package desk

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
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

// queue is one department's dispatch queue: an unbounded FIFO of ticket ids
// without duplicates, served by a few workers.
type queue struct {
	mu      sync.Mutex
	ids     []string
	queued  map[string]bool
	wake    chan struct{}
	started bool
}

func (q *queue) push(id string) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.queued[id] {
		return false
	}
	q.queued[id] = true
	q.ids = append(q.ids, id)
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return true
}

func (q *queue) pop() (string, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.ids) == 0 {
		return "", false
	}
	id := q.ids[0]
	q.ids[0] = ""
	q.ids = q.ids[1:]
	delete(q.queued, id)
	if len(q.ids) > 0 {
		select {
		case q.wake <- struct{}{}:
		default:
		}
	}
	return id, true
}

func (d *Desk) enqueue(dept, id string) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	q := d.queues[dept]
	if q == nil {
		q = &queue{queued: map[string]bool{}, wake: make(chan struct{}, 1)}
		d.queues[dept] = q
	}
	if !q.started {
		q.started = true
		for i := 0; i < d.opts.Workers; i++ {
			d.workers.Add(1)
			go d.worker(dept, q)
		}
	}
	d.mu.Unlock()
	q.push(id)
}

// Redeliver queues every ticket of dept still waiting for its plugin. The
// daemon calls it when the department's plugin (re)starts.
func (d *Desk) Redeliver(ctx context.Context, dept string) error {
	f := store.Filter{Department: dept, Status: ticket.StatusNew, Limit: 500}
	var ids []string
	for {
		page, err := d.store.List(ctx, f)
		if err != nil {
			return err
		}
		for _, t := range page.Tickets {
			ids = append(ids, t.ID)
		}
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	// List is newest first; deliver oldest first.
	for i := len(ids) - 1; i >= 0; i-- {
		d.enqueue(dept, ids[i])
	}
	return nil
}

func (d *Desk) worker(dept string, q *queue) {
	defer d.workers.Done()
	for {
		if d.stopping() {
			return
		}
		id, ok := q.pop()
		if !ok {
			select {
			case <-q.wake:
				continue
			case <-d.stop:
				return
			}
		}
		d.deliver(d.ctx, dept, id)
	}
}

func (d *Desk) stopping() bool {
	select {
	case <-d.stop:
		return true
	default:
		return false
	}
}

// deliver hands one ticket to its department's plugin and records the
// hand-over and the answer in one commit: new → dispatched (stamped with the
// time it was sent) → acknowledged. Until that commit the ticket stays new,
// so a crash or a dead plugin meanwhile means it is delivered again.
func (d *Desk) deliver(ctx context.Context, dept, id string) {
	t, err := d.store.Get(ctx, id)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("dispatch: load ticket", "ticket", id, "error", err)
		}
		return
	}
	if t.Department != dept || !needsDispatch(&t) {
		return
	}
	sent := d.now().UTC()
	reply, err := d.plugins.HandleTicket(ctx, dept, toSDKTicket(&t))
	if err != nil {
		d.deliveryFailed(ctx, dept, id, err)
		return
	}
	d.clearAttempts(id)
	actor := "plugin:" + dept
	after, err := d.update(ctx, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if t.Department != dept || !needsDispatch(t) {
			return nil, nil // someone else moved it meanwhile
		}
		evs, err := d.move(t, ticket.StatusDispatched, "", "desk")
		if err != nil {
			return nil, err
		}
		evs[0].At = sent
		if !reply.Accept {
			return append(evs, d.decline(t, reply.Note, actor)...), nil
		}
		ack, err := d.move(t, ticket.StatusAcknowledged, reply.Note, actor)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ack...)
		if reply.Assignee != "" && reply.Assignee != t.Assignee {
			data := map[string]string{"to": reply.Assignee}
			if t.Assignee != "" {
				data["from"] = t.Assignee
			}
			t.Assignee = reply.Assignee
			evs = append(evs, ticket.NewEvent(ticket.EventAssigned, actor, d.now(), data))
		}
		return evs, nil
	})
	if err != nil {
		if ctx.Err() == nil {
			d.log.Error("dispatch: record plugin reply", "department", dept, "ticket", id, "error", err)
		}
		return
	}
	if needsDispatch(&after) && after.Department != dept {
		d.enqueue(after.Department, id) // declined: on to the fallback
		return
	}
	d.acksTotal.Add(1)
}

// deliveryFailed decides what a failed hand-over means. A plugin that is
// not running keeps the ticket new until it is back (Redeliver). A
// department with no plugin, or a plugin that keeps failing on the ticket,
// sends it to the fallback department. Other failures are recorded in the
// ticket's history and retried with backoff.
func (d *Desk) deliveryFailed(ctx context.Context, dept, id string, cause error) {
	if ctx.Err() != nil {
		return
	}
	switch {
	case errors.Is(cause, pluginhost.ErrUnknownDepartment):
		d.reroute(ctx, dept, id, fmt.Sprintf("department %s has no plugin", dept), cause)
		return
	case errors.Is(cause, pluginhost.ErrUnavailable):
		d.log.Debug("dispatch: plugin unavailable, ticket waits", "department", dept, "ticket", id, "error", cause)
		return
	}
	n := d.attempt(id)
	fallback := d.rules.Load().fallback
	if n >= MaxDispatchAttempts && dept != fallback && fallback != "" {
		d.clearAttempts(id)
		d.reroute(ctx, dept, id, fmt.Sprintf("plugin of %s failed %d times", dept, n), cause)
		return
	}
	delay := d.opts.RetryDelay << min(n-1, 16)
	if delay > maxRetryDelay || delay <= 0 {
		delay = maxRetryDelay
	}
	d.log.Warn("dispatch: plugin failed, will retry", "department", dept, "ticket", id, "attempt", n, "retry_in", delay, "error", cause)
	_, err := d.update(ctx, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if t.Department != dept || !needsDispatch(t) {
			return nil, nil
		}
		return []ticket.Event{ticket.NewEvent(ticket.EventDispatchErr, "desk", d.now(), map[string]any{
			"department": dept, "attempt": n, "error": cause.Error(), "retry_in": delay.String(),
		})}, nil
	})
	if err != nil && ctx.Err() == nil {
		d.log.Error("dispatch: record failure", "ticket", id, "error", err)
	}
	time.AfterFunc(delay, func() { d.enqueue(dept, id) })
}

// reroute sends a ticket its department cannot take to the fallback
// department, saying why in its history.
func (d *Desk) reroute(ctx context.Context, dept, id, why string, cause error) {
	fallback := d.rules.Load().fallback
	if fallback == "" || fallback == dept {
		d.log.Error("dispatch: ticket cannot be delivered and there is no other department", "department", dept, "ticket", id, "error", cause)
		return
	}
	after, err := d.update(ctx, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if t.Department != dept || !needsDispatch(t) {
			return nil, nil
		}
		now := d.now().UTC()
		t.Department = fallback
		return []ticket.Event{
			ticket.NewEvent(ticket.EventDispatchErr, "desk", now, map[string]string{"department": dept, "error": cause.Error()}),
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
	if needsDispatch(&after) {
		d.enqueue(after.Department, id)
	}
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
	if fallback == "" || t.Department == fallback {
		return evs
	}
	from := t.Department
	t.Status = ticket.StatusNew
	t.Department = fallback
	return append(evs,
		ticket.NewEvent(ticket.EventStatus, actor, now, ticket.StatusData{From: ticket.StatusDispatched, To: ticket.StatusNew, Note: "declined by " + from}),
		ticket.NewEvent(ticket.EventRouted, "router", now, routedData{Department: fallback, Reason: "declined by " + from + ": " + note}),
	)
}

func (d *Desk) attempt(id string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.attempts[id]++
	return d.attempts[id]
}

func (d *Desk) clearAttempts(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.attempts, id)
}

// Acknowledged returns how many plugin acknowledgements the desk recorded.
func (d *Desk) Acknowledged() int64 { return d.acksTotal.Load() }
