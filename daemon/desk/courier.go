package desk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// Delivery to plugins goes through the store's durable outbox: every ticket
// offered to a department and every event its plugin must hear of is an
// outbox item, written in the same transaction as the change it comes from
// (see outboxFor), and removed only when the plugin has acknowledged it. A
// courier per department reads its outbox in order and hands the items to
// the plugin host, many in flight at once, but never two of one ticket: the
// next item of a ticket goes only after the previous one's acknowledgement,
// so a plugin sees each ticket's items in order. When the plugin dies, the
// items it held are read again from the outbox and delivered to the next
// process with the same event ids.

// Courier tuning.
const (
	// courierWindow bounds the items a courier holds (in flight, or queued
	// behind an earlier item of the same ticket).
	courierWindow = 4096
	// courierSenders is the number of concurrent deliveries per department.
	courierSenders = 128
	// courierRead is the outbox page size.
	courierRead = 512
	// recordBatch bounds the answers and acknowledgements recorded in one
	// store write.
	recordBatch = 512
	// stallRetry is how often a courier whose plugin was unavailable reads
	// its outbox again even when no restart was reported.
	stallRetry = 5 * time.Second
	// maxStallRetry caps the backoff of those reads.
	maxStallRetry = 2 * time.Minute
)

// courier delivers one department's outbox.
type courier struct {
	d    *Desk
	dept string
	wake chan struct{}
	work chan held
	// done carries delivered items to the recorder, which removes them
	// from the outbox, records offers' answers, in batches.
	done    chan delivery
	senders sync.WaitGroup

	mu      sync.Mutex
	gen     uint64                        // bumped by reset: older generations' items are not handed out again; their answers are still recorded
	cursor  int64                         // highest outbox seq read
	taken   int                           // items held
	tickets map[string][]store.OutboxItem // per ticket: the item in flight, then those waiting behind it
	stalled bool                          // an item found the plugin unavailable
}

// delivery is an item the plugin has taken, with its answer if it was an
// offer.
type delivery struct {
	held
	answer *answer
}

// held is an outbox item in the hands of a sender.
type held struct {
	item store.OutboxItem
	gen  uint64
}

// courier returns dept's courier, starting it on first use.
func (d *Desk) courierFor(dept string) *courier {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c := d.couriers[dept]; c != nil || d.closed {
		return c
	}
	c := &courier{
		d: d, dept: dept,
		wake:    make(chan struct{}, 1),
		work:    make(chan held, courierWindow),
		done:    make(chan delivery, courierWindow),
		tickets: map[string][]store.OutboxItem{},
	}
	d.couriers[dept] = c
	d.workers.Add(2 + courierSenders)
	c.senders.Add(courierSenders)
	go c.run()
	go c.record()
	for i := 0; i < courierSenders; i++ {
		go c.send()
	}
	return c
}

// kick wakes dept's courier: its outbox has new items.
func (d *Desk) kick(dept string) {
	if c := d.courierFor(dept); c != nil {
		c.nudge()
	}
}

func (c *courier) nudge() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// reset forgets what the courier holds and reads the outbox again from the
// start: the plugin restarted, and what the old process held without
// acknowledging must go to the new one.
func (c *courier) reset() {
	c.mu.Lock()
	c.gen++
	c.cursor = 0
	c.taken = 0
	c.stalled = false
	c.tickets = map[string][]store.OutboxItem{}
	c.mu.Unlock()
	c.nudge()
}

// run reads the outbox and hands out items while the window has room.
func (c *courier) run() {
	defer c.d.workers.Done()
	retry := time.NewTicker(stallRetry)
	defer retry.Stop()
	// A plugin that stays down (failed) is looked at less and less often.
	wait, waited := stallRetry, time.Duration(0)
	for {
		more, err := c.fill()
		if err != nil && c.d.ctx.Err() == nil {
			c.d.log.Error("outbox: read", "department", c.dept, "error", err)
		}
		if more && err == nil {
			continue
		}
		select {
		case <-c.d.stop:
			return
		case <-c.wake:
		case <-retry.C:
			c.mu.Lock()
			stalled := c.stalled
			c.mu.Unlock()
			if !stalled {
				wait, waited = stallRetry, 0
				continue
			}
			if waited += stallRetry; waited >= wait {
				wait, waited = min(2*wait, maxStallRetry), 0
				c.reset()
			}
		}
	}
}

// fill reads one page of the outbox after the cursor and hands out every
// item whose ticket has none in flight. It reports whether a full page was
// read (there may be more).
func (c *courier) fill() (bool, error) {
	ob := c.d.outbox
	c.mu.Lock()
	room := courierWindow - c.taken
	after, gen := c.cursor, c.gen
	c.mu.Unlock()
	if room <= 0 {
		return false, nil
	}
	items, err := ob.Outbox(c.d.ctx, c.dept, after, min(room, courierRead))
	if err != nil || len(items) == 0 {
		return false, err
	}
	var out []held
	c.mu.Lock()
	if c.gen != gen {
		c.mu.Unlock()
		return true, nil // reset meanwhile: read again from the start
	}
	for _, it := range items {
		c.cursor = it.Seq
		c.taken++
		q := c.tickets[it.TicketID]
		c.tickets[it.TicketID] = append(q, it)
		if len(q) == 0 {
			out = append(out, held{item: it, gen: gen})
		}
	}
	c.mu.Unlock()
	for _, h := range out {
		select {
		case c.work <- h:
		case <-c.d.stop:
			return false, nil
		}
	}
	return len(items) == min(room, courierRead), nil
}

// send delivers items until the desk stops.
func (c *courier) send() {
	defer c.d.workers.Done()
	defer c.senders.Done()
	for {
		select {
		case <-c.d.stop:
			return
		case h := <-c.work:
			c.mu.Lock()
			stale := h.gen != c.gen
			c.mu.Unlock()
			if !stale { // an item from before a reset is read again
				c.deliverItem(h)
			}
		}
	}
}

// outcome of one delivery attempt.
type outcome int

const (
	delivered   outcome = iota // done: remove the item, send the ticket's next
	unavailable                // the plugin is down: the item waits for it
	retryLater                 // the plugin failed on it: send it again later
)

func (c *courier) deliverItem(h held) {
	res, delay, a := c.d.deliverOutboxItem(c.d.ctx, c.dept, h.item)
	switch res {
	case delivered:
		// The recorder takes it, even while the desk stops.
		c.done <- delivery{held: h, answer: a}
	case unavailable:
		c.mu.Lock()
		if h.gen == c.gen {
			c.stalled = true
		}
		c.mu.Unlock()
	case retryLater:
		c.retry(h, delay)
	}
}

// record writes what the plugin took, in batches: every answer to an
// offer and the removal of every delivered item from the outbox, in one
// store write (OutboxStore.UpdateEach), then hands out the next item of
// each ticket. Until that write, a crash means the items are delivered
// again, and the plugin drops them by id. At stop, what is queued is still
// written.
func (c *courier) record() {
	defer c.d.workers.Done()
	for {
		var first delivery
		select {
		case first = <-c.done:
		case <-c.d.stop:
			// The senders finish the items in hand (or give up when the
			// desk's context ends); their answers are written too.
			finished := make(chan struct{})
			go func() { c.senders.Wait(); close(finished) }()
			for {
				select {
				case dl := <-c.done:
					c.write(c.collect(dl))
				case <-finished:
					for {
						select {
						case dl := <-c.done:
							c.write(c.collect(dl))
						default:
							return
						}
					}
				}
			}
		}
		c.write(c.collect(first))
	}
}

// collect takes first and whatever else is queued, up to recordBatch.
func (c *courier) collect(first delivery) []delivery {
	batch := []delivery{first}
	for len(batch) < recordBatch {
		select {
		case dl := <-c.done:
			batch = append(batch, dl)
		default:
			return batch
		}
	}
	return batch
}

// write records one batch and releases its tickets' next items.
func (c *courier) write(batch []delivery) {
	var (
		ids     []string
		owned   []int64
		answers []*delivery
		acks    = make([]int64, 0, len(batch))
	)
	for i := range batch {
		if batch[i].answer == nil {
			acks = append(acks, batch[i].item.Seq)
			continue
		}
		// An offer leaves the outbox only with its answer written.
		ids = append(ids, batch[i].item.TicketID)
		owned = append(owned, batch[i].item.Seq)
		answers = append(answers, &batch[i])
	}
	// Not the desk's context: answers received before a stop are still
	// written, so that they are not delivered again.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := c.d.outbox.UpdateEach(ctx, ids, owned, func(i int, t *ticket.Ticket) ([]ticket.Event, error) {
		return c.d.answered(t, c.dept, answers[i].answer)
	}, acks)
	if err != nil {
		// Nothing was written. Each item is written alone, so that one
		// that cannot be written does not hold up the others; one that
		// fails alone stays in the outbox and goes to the plugin again
		// after a backoff (it drops it by id).
		if len(batch) > 1 {
			c.d.log.Warn("dispatch: record plugin answers: writing them one by one", "department", c.dept, "items", len(batch), "error", err)
			for _, dl := range batch {
				c.write([]delivery{dl})
			}
			return
		}
		dl := batch[0]
		n := c.d.attempt(attemptKey(dl.item))
		c.d.log.Error("dispatch: record plugin answer", "department", c.dept, "ticket", dl.item.TicketID, "attempt", n, "error", err)
		c.retry(dl.held, c.d.backoff(n))
		return
	}
	failed := map[*delivery]bool{}
	for i, r := range res {
		switch {
		case r.Err != nil && !errors.Is(r.Err, store.ErrNotFound):
			// The answer could not be applied: its offer stays, and it
			// counts as a failed delivery (retried with backoff, then
			// the fallback department).
			failed[answers[i]] = true
			dl := answers[i]
			switch out, delay := c.d.deliveryFailed(ctx, c.dept, dl.item, fmt.Errorf("recording the plugin's answer: %w", r.Err)); out {
			case retryLater:
				c.retry(dl.held, delay)
			case delivered: // sent to the fallback department
				if err := c.d.outbox.AckOutbox(ctx, []int64{dl.item.Seq}); err != nil {
					c.d.log.Error("outbox: remove a rerouted offer", "department", c.dept, "ticket", ids[i], "error", err)
				}
				c.release(dl.held)
			}
		case len(r.Events) > 0:
			if answers[i].answer.reply.Accept {
				c.d.acksTotal.Add(1)
			}
			c.d.committed(r.Ticket, r.Events)
		}
	}
	for i := range batch {
		if !failed[&batch[i]] {
			c.release(batch[i].held)
		}
	}
}

// retry hands h out again after delay, unless a reset came meanwhile.
func (c *courier) retry(h held, delay time.Duration) {
	time.AfterFunc(delay, func() {
		c.mu.Lock()
		current := h.gen == c.gen
		c.mu.Unlock()
		if current && !c.d.stopping() {
			select {
			case c.work <- h:
			case <-c.d.stop:
			}
		}
	})
}

// release forgets a recorded item and hands out the next item of its
// ticket.
func (c *courier) release(h held) {
	c.mu.Lock()
	var next *held
	if h.gen == c.gen {
		c.taken--
		q := c.tickets[h.item.TicketID]
		if len(q) > 0 && q[0].Seq == h.item.Seq {
			q = q[1:]
		}
		if len(q) == 0 {
			delete(c.tickets, h.item.TicketID)
		} else {
			c.tickets[h.item.TicketID] = q
			next = &held{item: q[0], gen: h.gen}
		}
	}
	c.mu.Unlock()
	if next != nil {
		c.handOut(*next)
	}
	c.nudge()
}

// handOut queues h for a sender without blocking the caller (the
// recorder, which senders wait for).
func (c *courier) handOut(h held) {
	select {
	case c.work <- h:
	default:
		go func() {
			select {
			case c.work <- h:
			case <-c.d.stop:
			}
		}()
	}
}

// outboxFor is the desk's store.OutboxFunc: it decides which department's
// plugin must hear of an event. A routing to a department while the ticket
// waits for one is an offer of the ticket; every other change is told to
// the ticket's department, except the ticket's creation (the offer carries
// the ticket), the desk's own bookkeeping (Quiet events) and what the
// department's plugin did itself.
func outboxFor(t *ticket.Ticket, ev *ticket.Event) (string, bool) {
	if ev.Quiet || t.Department == "" {
		return "", false
	}
	switch ev.Type {
	case ticket.EventCreated:
		return "", false
	case ticket.EventRouted:
		if needsDispatch(t) {
			return t.Department, true
		}
	case ticket.EventStatus:
		// A person sent the ticket back to new (one the fallback declined,
		// say): it is offered again.
		var sd ticket.StatusData
		if needsDispatch(t) && json.Unmarshal(ev.Data, &sd) == nil && sd.To == ticket.StatusNew {
			return t.Department, true
		}
	}
	if ev.Actor == pluginActor(t.Department) {
		return "", false
	}
	return t.Department, false
}

// pluginActor is the actor name of a department's plugin in histories.
func pluginActor(dept string) string { return "plugin:" + dept }

// kickFor wakes the couriers of the departments a commit put items in the
// outbox for.
func (d *Desk) kickFor(t *ticket.Ticket, evs []ticket.Event) {
	var last string
	for i := range evs {
		if dept, _ := outboxFor(t, &evs[i]); dept != "" && dept != last {
			d.kick(dept)
			last = dept
		}
	}
}

// startCouriers starts a courier for every department with items waiting.
func (d *Desk) startCouriers(ctx context.Context) (int, error) {
	pending, err := d.outbox.OutboxPending(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for dept, count := range pending {
		n += count
		d.kick(dept)
	}
	return n, nil
}

// Redeliver reads dept's outbox again from the start and delivers every
// item still unacknowledged. The daemon calls it when the department's
// plugin (re)starts, so that the new process gets what the old one held.
func (d *Desk) Redeliver(_ context.Context, dept string) error {
	if c := d.courierFor(dept); c != nil {
		c.reset()
	}
	return nil
}

var errNoOutbox = errors.New("desk: the store has no outbox (store.OutboxStore)")
