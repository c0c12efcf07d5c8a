package desk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// Timers at scale (issue #4: a million open tickets, timers rebuilt in
// seconds).
//
// When the store is a store.TimerStore, the desk installs its nextDue as the
// store's NextDueFunc, so every commit stores the ticket's next SLA
// checkpoint beside it, computed by the engine in force. Start then rebuilds
// every timer from that index alone (store.TimerStore.Timers: no ticket is
// decoded), in due order, so what fell due during a downtime is raised at
// once in deadline order; tickets awaiting their department come from the
// status index. If some ticket's time is not known (a file from before the
// index), Start checks every open ticket at once instead, as CheckTimers
// does, which stores the missing times.
//
// The stored times are those of the rules they were computed under. A rule
// that changes when checkpoints fall due without touching the ticket (a level
// added to a chain, a calendar edited, while running or while the daemon was
// down) makes them stale, so:
//
//   - Rearm (after a reload) checks every open ticket at once with
//     CheckTimers: it computes the next checkpoint under the new rules,
//     reschedules the tickets whose time moved and rewrites their stored
//     time. Until it has passed a ticket, that ticket keeps its old timer.
//   - Start runs the same check in the background after the rebuild, paced
//     to use an eighth of one core, so that a config changed while the
//     daemon was down is caught up within minutes at a million tickets,
//     without delaying the start or the checkpoints falling due meanwhile.
//
// With any other store, Start and Rearm read every open ticket (Store.Open).

// FireWorkers is how many FireSLA calls the SLA scheduler should run at
// once (sla.WithWorkers(desk.FireWorkers)). Each call waits for its commit,
// and the store commits every write waiting in one transaction, so the calls
// in flight bound how many checkpoints one commit raises. Measured with
// 1,000,000 open tickets, 2,000 checkpoints falling due per second and 500
// new tickets per second (TestScale): 4 workers raise them 10 s late at p99,
// 32 workers 0.33 s.
const FireWorkers = 32

// timerFixBatch is how many stored times CheckTimers rewrites per write.
const timerFixBatch = 512

// checkPace: the background check sleeps checkSleep times as long as it
// worked, after every checkChunk tickets: a duty cycle of 1/8 of one core,
// about 4 minutes for a million tickets on a 2-core machine, so that it
// leaves the CPU to the store's single writer, on which raising checkpoints
// on time depends.
const (
	checkChunk = 256
	checkSleep = 7
)

// errStopped ends a background check when the desk stops.
var errStopped = errors.New("desk: stopped")

// nextDue is the store's NextDueFunc: the next checkpoint of an open ticket
// under the rules in force.
func (d *Desk) nextDue(t *ticket.Ticket) (time.Time, bool) {
	if !t.Open() {
		return time.Time{}, false
	}
	return d.engine().Next(t)
}

// rebuildTimers schedules every stored timer of ts. It returns how many
// tickets it scheduled and how many have no known time (those it leaves to
// CheckTimers).
func (d *Desk) rebuildTimers(ctx context.Context, ts store.TimerStore) (n, unknown int, err error) {
	err = ts.Timers(ctx, func(tm store.Timer) error {
		if !tm.Known {
			unknown++
			return nil
		}
		n++
		if d.sched != nil {
			d.sched.Schedule(tm.TicketID, tm.At)
		}
		return nil
	})
	return n, unknown, err
}

// CheckTimers checks every open ticket's stored timer against the rules in
// force: where the engine's next checkpoint differs from the stored one, the
// ticket is rescheduled and its stored time rewritten (unless the ticket was
// written meanwhile, which stored a fresh one). It returns how many tickets
// it checked and how many had moved. With a store that keeps no timers it
// reschedules every open ticket and reports them all as checked.
func (d *Desk) CheckTimers(ctx context.Context) (checked, moved int, err error) {
	return d.checkTimers(ctx, false)
}

// checkTimers is CheckTimers; paced, it yields the CPU between chunks and
// ends with errStopped when the desk stops.
func (d *Desk) checkTimers(ctx context.Context, paced bool) (checked, moved int, err error) {
	ts, ok := d.store.(store.TimerStore)
	if !ok {
		err = d.store.Open(ctx, func(t ticket.Ticket) error {
			checked++
			d.reschedule(&t)
			return nil
		})
		return checked, checked, err
	}
	fixes := make([]store.Timer, 0, timerFixBatch)
	flush := func() error {
		if len(fixes) == 0 {
			return nil
		}
		_, err := ts.FixTimers(ctx, fixes)
		fixes = fixes[:0]
		return err
	}
	working := time.Now()
	err = ts.OpenTimers(ctx, func(t ticket.Ticket, stored store.Timer) error {
		checked++
		if at, _ := d.nextDue(&t); !stored.Known || !at.Equal(stored.At) {
			moved++
			d.reschedule(&t)
			fixes = append(fixes, store.Timer{TicketID: t.ID, Version: t.Version, Known: true, At: at})
			if len(fixes) == timerFixBatch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if !paced || checked%checkChunk != 0 {
			return nil
		}
		pause := checkSleep * time.Since(working)
		select {
		case <-d.stop:
			return errStopped
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		working = time.Now()
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return checked, moved, fmt.Errorf("desk: check timers: %w", err)
	}
	return checked, moved, nil
}

// checkInBackground runs a paced CheckTimers after Start.
func (d *Desk) checkInBackground() {
	defer d.workers.Done()
	began := time.Now()
	checked, moved, err := d.checkTimers(d.ctx, true)
	switch {
	case errors.Is(err, errStopped) || d.ctx.Err() != nil:
		return
	case err != nil:
		d.log.Error("background timer check failed; stored timers may be stale until the next reload or restart", "checked", checked, "error", err)
	case moved > 0:
		d.log.Info("timer check: checkpoints moved by rules changed since they were stored", "checked", checked, "moved", moved, "took", time.Since(began).Round(time.Millisecond))
	default:
		d.log.Debug("timer check: every stored timer is current", "checked", checked, "took", time.Since(began).Round(time.Millisecond))
	}
}
