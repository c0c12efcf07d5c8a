package desk

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// recomputer is the part of the SLA engine that computes the deadlines of
// a ticket again under the current calendars and policies.
type recomputer interface {
	Recompute(t *ticket.Ticket, now time.Time) []ticket.Event
}

// Recompute computes every open ticket's unmet deadlines again from their
// start and pauses under the current rules, and commits the ones that moved
// (an sla.replanned event each; a deadline moved into the past fires at
// once). The agent calls it on start and after a reload, so that a holiday
// announced in config.toml moves the deadlines it touches. Tickets whose
// deadlines do not move are not written.
func (d *Desk) Recompute(ctx context.Context) (moved int, err error) {
	r, ok := d.slaEngine().(recomputer)
	if !ok {
		return 0, nil
	}
	var ids []string
	err = d.store.Open(ctx, func(t ticket.Ticket) error {
		// A dry run on the copy read from the store decides whether the
		// ticket needs a write at all.
		if len(r.Recompute(&t, d.now().UTC())) > 0 {
			ids = append(ids, t.ID)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("desk: recompute deadlines: %w", err)
	}
	for _, id := range ids {
		_, err := d.update(ctx, id, func(t *ticket.Ticket) ([]ticket.Event, error) {
			if !t.Open() {
				return nil, nil
			}
			now := d.now().UTC()
			return d.replanned(t, r.Recompute(t, now), now), nil
		})
		if err != nil {
			return moved, err
		}
		moved++
	}
	return moved, nil
}
