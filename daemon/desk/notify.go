package desk

import (
	"errors"
	"fmt"
	"time"

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

// SDKTicket is a ticket as a department plugin sees it.
func SDKTicket(t *ticket.Ticket) sdk.Ticket {
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
	for _, tg := range t.SLA {
		st.Targets = append(st.Targets, sdk.Target{Name: tg.Name, WarnAt: tg.WarnAt, DueAt: tg.DueAt, State: string(tg.State)})
	}
	return st
}

func toSDKEvent(ev *ticket.Event, t *ticket.Ticket) sdk.Event {
	return sdk.Event{
		ID:  fmt.Sprintf("%s/%d", ev.TicketID, ev.Version),
		Seq: ev.Seq, TicketID: ev.TicketID, Type: ev.Type, Actor: ev.Actor, At: ev.At,
		Data: ev.Data, Ticket: SDKTicket(t),
	}
}
