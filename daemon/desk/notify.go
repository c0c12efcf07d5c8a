package desk

import (
	"errors"
	"fmt"

	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/sdk"
)

// FireSLA is the scheduler's callback: it fires every checkpoint of ticket
// id that is due, commits the resulting events, and schedules the next.
func (d *Desk) FireSLA(id string) {
	ctx := d.ctx
	t, evs, err := d.store.Update(ctx, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
		if !t.Open() {
			return nil, nil
		}
		return d.engine().Fire(t, d.now().UTC()), nil
	})
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			d.sched.Cancel(id)
			return
		}
		if ctx.Err() == nil {
			d.log.Error("sla: fire", "ticket", id, "error", err)
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

// notify tells the ticket's department plugin about events it did not cause
// by its own reply. Delivery is best effort here: a plugin that is down
// misses events (it still gets every ticket through dispatch).
func (d *Desk) notify(t ticket.Ticket, evs []ticket.Event) {
	if d.plugins == nil || t.Department == "" {
		return
	}
	var out []sdk.Event
	for i := range evs {
		switch evs[i].Type {
		case ticket.EventCreated, ticket.EventRouted:
			continue // the plugin gets the ticket itself through dispatch
		}
		if evs[i].Actor == "plugin:"+t.Department {
			continue
		}
		out = append(out, toSDKEvent(&evs[i], &t))
	}
	if len(out) == 0 {
		return
	}
	d.mu.Lock()
	closed := d.closed
	if !closed {
		d.wg.Add(1)
	}
	d.mu.Unlock()
	if closed {
		return
	}
	go func() {
		defer d.wg.Done()
		for _, ev := range out {
			err := d.plugins.HandleEvent(d.ctx, t.Department, ev)
			if err != nil && !errors.Is(err, pluginhost.ErrUnavailable) && d.ctx.Err() == nil {
				d.log.Warn("notify plugin", "department", t.Department, "event", ev.ID, "error", err)
			}
		}
	}()
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
