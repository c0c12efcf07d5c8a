package desk

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// repeatPage is the page size of the scan for earlier complaints.
const repeatPage = 200

// RepeatRule is the [repeat] table as the desk applies it.
type RepeatRule struct {
	// Count is how many complaints make a repeat; 0 turns detection off.
	Count  int
	Window time.Duration
	Notify []string
}

// NewRepeatRule returns the rule of a [repeat] table after
// config.SetDefaults: count 0 is off; a zero window or an empty notify list
// (a table built without SetDefaults) takes config.DefaultRepeatWindow or
// [config.DefaultRepeatRole].
func NewRepeatRule(c config.Repeat) RepeatRule {
	r := RepeatRule{Count: c.Count, Window: c.Window.Duration, Notify: slices.Clone(c.Notify)}
	if r.Count < 0 {
		r.Count = 0
	}
	if r.Window <= 0 {
		r.Window = config.DefaultRepeatWindow
	}
	if len(r.Notify) == 0 {
		r.Notify = []string{config.DefaultRepeatRole}
	}
	return r
}

// defaultRepeat is the rule of a desk given no Directory: the defaults of
// the issue (3 complaints within 7 days go to the general manager).
var defaultRepeat = NewRepeatRule(config.Repeat{Count: config.DefaultRepeatCount})

// repeatOf looks for the complaints that make t, a new complaint created at
// now, a repeat: earlier complaints about the same location, or the same
// asset, created within the rule's window. Locations and assets compare
// case-insensitively; cancelled complaints do not count. If t is the
// Count-th or later complaint about its location or its asset, repeatOf sets
// t.Links to the earlier tickets (oldest first) and returns the
// complaint.repeated event; otherwise it returns nil.
//
// The scan reads the store's pages newest first and stops at the first
// ticket created before the window: a desk receives at most a few thousand
// tickets in a week, so this is a bounded read of recent rows, and needs no
// index of its own. Two repeats submitted at the same instant may each miss
// the other; the next one sees both.
func (d *Desk) repeatOf(ctx context.Context, t *ticket.Ticket, now time.Time) (*ticket.Event, error) {
	rule := d.directory().repeat
	if rule.Count == 0 || t.Kind != ticket.KindComplaint || (t.Location == "" && t.Asset == "") {
		return nil, nil
	}
	since := now.Add(-rule.Window)
	var byLocation, byAsset []ticket.Ticket
	f := store.Filter{Limit: repeatPage}
	for {
		page, err := d.store.List(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("desk: repeat complaints: %w", err)
		}
		for _, e := range page.Tickets {
			if e.CreatedAt.Before(since) {
				return d.repeatEvent(t, rule, byLocation, byAsset, now), nil
			}
			if e.Kind != ticket.KindComplaint || e.Status == ticket.StatusCancelled {
				continue
			}
			if same(t.Location, e.Location) {
				byLocation = append(byLocation, e)
			}
			if same(t.Asset, e.Asset) {
				byAsset = append(byAsset, e)
			}
		}
		if page.NextCursor == "" {
			return d.repeatEvent(t, rule, byLocation, byAsset, now), nil
		}
		f.Cursor = page.NextCursor
	}
}

// repeatEvent decides from the earlier complaints (newest first) whether t
// repeats, links them and builds the event.
func (d *Desk) repeatEvent(t *ticket.Ticket, rule RepeatRule, byLocation, byAsset []ticket.Ticket, now time.Time) *ticket.Event {
	data := ticket.RepeatData{Window: rule.Window.String(), Roles: slices.Clone(rule.Notify)}
	var earlier []ticket.Ticket
	if len(byLocation)+1 >= rule.Count {
		data.Location = t.Location
		earlier = append(earlier, byLocation...)
	}
	if len(byAsset)+1 >= rule.Count {
		data.Asset = t.Asset
		for _, e := range byAsset {
			if !slices.ContainsFunc(earlier, func(x ticket.Ticket) bool { return x.ID == e.ID }) {
				earlier = append(earlier, e)
			}
		}
	}
	if len(earlier) == 0 {
		return nil
	}
	slices.SortStableFunc(earlier, func(a, b ticket.Ticket) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for _, e := range earlier {
		data.Earlier = append(data.Earlier, e.ID)
	}
	data.Count = len(earlier) + 1
	data.People = d.people(rule.Notify)
	t.Links = append(t.Links, data.Earlier...)
	ev := ticket.NewEvent(ticket.EventRepeat, Actor, now, data)
	return &ev
}

// same reports whether a non-empty location or asset v names the same
// place or thing as w.
func same(v, w string) bool {
	return v != "" && strings.EqualFold(strings.TrimSpace(v), strings.TrimSpace(w))
}
