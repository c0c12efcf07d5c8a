package desk

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// A ticket waits for its department while it is new or dispatched: new
// until the desk hands it over, dispatched until the plugin accepts it.
// Both are durable states, so a ticket whose plugin is down is delivered
// when the plugin comes back, and one in flight during a crash is delivered
// again (plugins are idempotent by ticket id).
func needsDispatch(t *ticket.Ticket) bool {
	return t.Status == ticket.StatusNew || t.Status == ticket.StatusDispatched
}

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
			d.wg.Add(1)
			go d.worker(dept, q)
		}
	}
	d.mu.Unlock()
	q.push(id)
}

// Redeliver queues every ticket of dept still waiting for its plugin. The
// daemon calls it when the department's plugin (re)starts.
func (d *Desk) Redeliver(ctx context.Context, dept string) error {
	for _, st := range []ticket.Status{ticket.StatusDispatched, ticket.StatusNew} {
		f := store.Filter{Department: dept, Status: st, Limit: 500}
		for {
			page, err := d.store.List(ctx, f)
			if err != nil {
				return err
			}
			// List is newest first; deliver oldest first.
			for i := len(page.Tickets) - 1; i >= 0; i-- {
				d.enqueue(dept, page.Tickets[i].ID)
			}
			if page.NextCursor == "" {
				break
			}
			f.Cursor = page.NextCursor
		}
	}
	return nil
}

func (d *Desk) worker(dept string, q *queue) {
	defer d.wg.Done()
	for {
		id, ok := q.pop()
		if !ok {
			select {
			case <-q.wake:
				continue
			case <-d.ctx.Done():
				return
			}
		}
		d.deliver(d.ctx, dept, id)
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
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, pluginhost.ErrUnavailable) {
			// Delivered by Redeliver when the plugin is back.
			d.log.Debug("dispatch: plugin unavailable, ticket waits", "department", dept, "ticket", id, "error", err)
			return
		}
		d.log.Warn("dispatch: plugin failed, will retry", "department", dept, "ticket", id, "error", err)
		d.retryLater(dept, id)
		return
	}
	actor := "plugin:" + dept
	after, err := d.update(ctx, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if t.Department != dept || !needsDispatch(t) {
			return nil, nil // someone else moved it meanwhile
		}
		var evs []ticket.Event
		if t.Status == ticket.StatusNew {
			ev, err := d.move(t, ticket.StatusDispatched, "", "desk")
			if err != nil {
				return nil, err
			}
			ev[0].At = sent
			evs = ev
		}
		if !reply.Accept {
			dec, err := d.decline(t, reply.Note, actor)
			return append(evs, dec...), err
		}
		ack, err := d.move(t, ticket.StatusAcknowledged, reply.Note, actor)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ack...)
		if reply.Assignee != "" && reply.Assignee != t.Assignee {
			prev := t.Assignee
			t.Assignee = reply.Assignee
			data := map[string]string{"to": reply.Assignee}
			if prev != "" {
				data["from"] = prev
			}
			evs = append(evs, ticket.NewEvent(ticket.EventAssigned, actor, d.now(), data))
		}
		return evs, nil
	})
	if err != nil {
		d.log.Error("dispatch: record plugin reply", "department", dept, "ticket", id, "error", err)
		return
	}
	if after.Status == ticket.StatusNew && after.Department != dept {
		d.enqueue(after.Department, id) // declined: on to the fallback
		return
	}
	d.acksTotal.Add(1)
}

// decline records a plugin's refusal and sends the ticket to the fallback
// department, unless it already is the fallback, where it stays dispatched
// for a person to pick up.
func (d *Desk) decline(t *ticket.Ticket, note, actor string) ([]ticket.Event, error) {
	now := d.now().UTC()
	fallback := d.rules.Load().fallback
	evs := []ticket.Event{ticket.NewEvent(ticket.EventNote, actor, now, map[string]string{
		"note": "declined: " + note,
	})}
	if fallback == "" || t.Department == fallback {
		return evs, nil
	}
	from := t.Department
	t.Status = ticket.StatusNew
	t.Department = fallback
	evs = append(evs,
		ticket.NewEvent(ticket.EventStatus, actor, now, ticket.StatusData{From: ticket.StatusDispatched, To: ticket.StatusNew, Note: "declined by " + from}),
		ticket.NewEvent(ticket.EventRouted, "router", now, routedData{Department: fallback, Reason: "declined by " + from + ": " + note}),
	)
	return evs, nil
}

func (d *Desk) retryLater(dept, id string) {
	time.AfterFunc(d.opts.RetryDelay, func() { d.enqueue(dept, id) })
}

// Acknowledged returns how many plugin acknowledgements the desk recorded.
func (d *Desk) Acknowledged() int64 { return d.acksTotal.Load() }
