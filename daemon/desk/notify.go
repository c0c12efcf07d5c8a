package desk

import (
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/sdk"
)

// slaRetry is how long FireSLA waits before trying again after the store
// failed, so that a busy or full disk delays an escalation instead of
// losing it.
const slaRetry = 5 * time.Second

// FireSLA is the scheduler's callback: it fires every checkpoint of ticket
// id that is due, commits the resulting events, and schedules the next.
func (d *Desk) FireSLA(id string) {
	ctx := d.ctx
	t, evs, err := d.store.Update(ctx, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if !slaLive(t) {
			return nil, nil
		}
		now := d.now().UTC()
		// The calendar or the policy may have changed since this timer was
		// armed (a reload, or a restart with an edited config.toml, whose
		// background recompute has not reached this ticket yet): a
		// deadline is checked against the current rules before it fires,
		// so that a stale one never breaches. Recompute fires what is then
		// due itself.
		if r, ok := d.slaEngine().(recomputer); ok {
			return d.replanned(t, r.Recompute(t, now), now), nil
		}
		return d.engine().Fire(t, now), nil
	})
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			d.sched.Cancel(id)
			return
		}
		if ctx.Err() == nil {
			d.log.Error("sla: fire failed, will retry", "ticket", id, "retry_in", slaRetry, "error", err)
			d.sched.Schedule(id, d.now().Add(slaRetry))
		}
		return
	}
	if len(evs) == 0 {
		d.reschedule(&t) // woke early or nothing left: arm the next one
		return
	}
	for _, ev := range evs {
		d.log.Info("sla", "ticket", id, "event", ev.Type, "data", string(ev.Data))
	}
	d.committed(t, evs)
}

// slaLive reports whether a ticket's SLA clocks may fire: it is open and not
// resolved. A resolved ticket waits for the reporter's confirmation; its
// remaining checklist targets do not escalate unless it is reopened.
func slaLive(t *ticket.Ticket) bool {
	return t.Open() && t.Status != ticket.StatusResolved
}

// notifierBuffer bounds the events waiting for one department's plugin.
const notifierBuffer = 4096

// notifier delivers one department's events to its plugin, one at a time,
// in commit order.
type notifier struct {
	ch chan sdk.Event
}

// notify tells the ticket's department plugin about events it did not cause
// by its own reply. Events reach a running plugin in order; delivery is best
// effort: an event the plugin cannot take (it is down, or too far behind)
// is logged and not redelivered. Tickets themselves are delivered at least
// once, through dispatch.
func (d *Desk) notify(t ticket.Ticket, evs []ticket.Event) {
	if d.plugins == nil || t.Department == "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	n := d.notifiers[t.Department]
	for i := range evs {
		switch evs[i].Type {
		case ticket.EventCreated, ticket.EventRouted:
			continue // the plugin gets the ticket itself through dispatch
		}
		if evs[i].Actor == "plugin:"+t.Department {
			continue
		}
		if n == nil {
			n = &notifier{ch: make(chan sdk.Event, notifierBuffer)}
			d.notifiers[t.Department] = n
			d.workers.Add(1)
			go d.runNotifier(t.Department, n)
		}
		select {
		case n.ch <- toSDKEvent(&evs[i], &t):
		default:
			d.log.Warn("notify plugin: too far behind, event dropped", "department", t.Department, "event", evs[i].Type, "ticket", t.ID)
		}
	}
}

func (d *Desk) runNotifier(dept string, n *notifier) {
	defer d.workers.Done()
	for ev := range n.ch {
		err := d.plugins.HandleEvent(d.ctx, dept, ev)
		if err != nil && !errors.Is(err, pluginhost.ErrUnavailable) && d.ctx.Err() == nil {
			d.log.Warn("notify plugin", "department", dept, "event", ev.ID, "error", err)
		}
	}
}

func toSDKTicket(t *ticket.Ticket) sdk.Ticket {
	st := sdk.Ticket{
		ID: t.ID, Kind: string(t.Kind), Category: t.Category, Severity: t.Severity, Tier: t.Tier,
		Title: t.Title, Description: t.Description,
		ReporterName: t.Reporter.Name, ReporterContact: t.Reporter.Contact,
		Location: t.Location, Asset: t.Asset, Fields: t.Fields,
		Status: string(t.Status), Department: t.Department, Assignee: t.Assignee, Policy: t.Policy,
		CreatedAt: t.CreatedAt, Version: t.Version,
	}
	if t.EventAt != nil {
		st.EventAt = *t.EventAt
	}
	return st
}

func toSDKEvent(ev *ticket.Event, t *ticket.Ticket) sdk.Event {
	return sdk.Event{
		ID:  fmt.Sprintf("%s/%d", ev.TicketID, ev.Version),
		Seq: ev.Seq, TicketID: ev.TicketID, Type: ev.Type, Actor: ev.Actor, At: ev.At,
		Data: ev.Data, Ticket: toSDKTicket(t),
	}
}
