package engineering

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/switchboard-desk/switchboard/plugins/internal/kit"
	"github.com/switchboard-desk/switchboard/sdk"
)

// CannotFixPrefix starts a technician's note reporting a fault they cannot
// fix; the ticket is escalated.
const CannotFixPrefix = "cannot fix"

// ReplanReason is the reason given when a major fault is re-planned to the
// next day; the desk passes it on to the policy's stakeholders.
const ReplanReason = "major fault: parts ordered, repair re-planned to next day"

// ReplanHour is the hour of the next day, campus time, to which a major
// fault's resolution is re-planned.
const ReplanHour = 12

var (
	logOnce sync.Once
	log     hclog.Logger
)

// logger is the plugin's log: JSON on stderr, which the daemon forwards.
func logger() hclog.Logger {
	logOnce.Do(func() { log = sdk.NewLogger("engineering") })
	return log
}

// HandleEvent implements sdk.EventHandler: it escalates what the
// technicians cannot fix, re-plans major faults, and works the readings a
// technician notes on an inspection. Each event is handled once by its id.
func (d *Department) HandleEvent(ctx context.Context, ev sdk.Event) error {
	if d.seen.Has(ev.ID) || kit.Own(ev) {
		return nil
	}
	if err := d.event(ctx, ev); err != nil {
		return err
	}
	d.seen.Add(ev.ID)
	return nil
}

func (d *Department) event(ctx context.Context, ev sdk.Event) error {
	cfg := d.settings.Get().withDefaults()
	t := ev.Ticket
	switch ev.Type {
	case kit.EventBreached:
		if !*cfg.EscalateOnBreach {
			return nil
		}
		sla := kit.SLAOf(ev)
		reason := fmt.Sprintf("%s target breached", orNone(sla.Target))
		if !sla.DueAt.IsZero() {
			reason += " (due " + sla.DueAt.In(cfg.loc).Format("2006-01-02 15:04 MST") + ")"
		}
		replan := sla.Target == "" || sla.Target == "resolution"
		return d.escalate(ctx, cfg, ev, reason+": not fixed in time", replan)
	case kit.EventNote, kit.EventStatus:
		note := strings.TrimSpace(reported(ev))
		if _, ok := cutPrefixFold(note, CannotFixPrefix); ok {
			return d.escalate(ctx, cfg, ev, fmt.Sprintf("%s reports: %s", orSomeone(ev.Actor), note), true)
		}
		if r, ok := readingsFromNote(note); ok && t.Category == CategoryInspection && kit.Open(t.Status) {
			_, _, err := d.work(ctx, cfg, t, r)
			return err
		}
	}
	return nil
}

// escalate raises an escalation of ev's ticket with the reason and, when
// replan is set and the fault is major or critical, re-plans its
// resolution to the next day at noon, campus time. Each step is done once
// per event.
func (d *Department) escalate(ctx context.Context, cfg settings, ev sdk.Event, reason string, replan bool) error {
	h := d.host.Get()
	t := ev.Ticket
	if h == nil || !kit.Open(t.Status) {
		return nil
	}
	err := d.seen.Once(ev.ID+"/escalate", func() error {
		_, err := h.Escalate(ctx, t.ID, reason)
		return d.soft(err, "escalate", t.ID)
	})
	if err != nil || !replan || (t.Severity != "major" && t.Severity != "critical") {
		return err
	}
	at := ev.At
	if at.IsZero() {
		at = time.Now()
	}
	planned := NextDayNoon(at, cfg.loc)
	if tg, ok := t.Target("resolution"); ok && !tg.DueAt.Before(planned) {
		// The promise already runs to the next day or later: re-planning
		// would bring it forward. The escalation above is the news.
		return nil
	}
	return d.seen.Once(ev.ID+"/replan", func() error {
		_, err := h.Replan(ctx, t.ID, "resolution", planned, ReplanReason)
		return d.soft(err, "re-plan", t.ID)
	})
}

// reported is what a person wrote with an event: a note's text, or the
// note given with a transition (a technician may report "cannot fix" as
// they move the ticket to waiting).
func reported(ev sdk.Event) string {
	if sc, ok := kit.StatusOf(ev); ok {
		return sc.Note
	}
	return kit.NoteOf(ev)
}

// NextDayNoon returns 12:00 of the day after at's day in loc: the time a
// major fault that cannot be fixed today is re-planned to.
func NextDayNoon(at time.Time, loc *time.Location) time.Time {
	local := at.In(loc)
	return time.Date(local.Year(), local.Month(), local.Day()+1, ReplanHour, 0, 0, 0, loc)
}

func orSomeone(actor string) string {
	if actor == "" {
		return "a technician"
	}
	return actor
}
