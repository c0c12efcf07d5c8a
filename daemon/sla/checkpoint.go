package sla

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/escalate"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// CheckpointKind says what a checkpoint does when it fires.
type CheckpointKind string

// The kinds of checkpoint.
const (
	// CheckpointWarning moves the target to warning (sla.warning event).
	CheckpointWarning CheckpointKind = "warning"
	// CheckpointBreach moves the target to breached (sla.breached event).
	CheckpointBreach CheckpointKind = "breach"
	// CheckpointEscalation tells one level of the target's chain
	// (escalated event).
	CheckpointEscalation CheckpointKind = "escalation"
)

// Checkpoint is one moment in a target's life at which the engine acts.
type Checkpoint struct {
	Kind CheckpointKind
	At   time.Time
	// Level is the chain level told, for CheckpointEscalation.
	Level escalate.Level
}

// Checkpoints lists tg's checkpoints in the order they fire: the warning at
// WarnAt, the breach at DueAt, and each level of tg's escalation chain at
// its anchor (WarnAt or DueAt) plus its delay. Checkpoints at the same time
// fire in that order: the warning, the warning's levels, the breach, the
// breach's levels. tg.Stage counts how many of them have fired.
//
// A chain unknown to the engine (removed by a reload) contributes no levels.
func (e *Engine) Checkpoints(tg ticket.Target) []Checkpoint {
	levels := e.esc.Levels(tg.Escalation)
	cps := make([]Checkpoint, 0, 2+len(levels))
	for _, anchor := range []struct {
		kind CheckpointKind
		at   string
		t    time.Time
	}{{CheckpointWarning, escalate.AtWarning, tg.WarnAt}, {CheckpointBreach, escalate.AtBreach, tg.DueAt}} {
		cps = append(cps, Checkpoint{Kind: anchor.kind, At: anchor.t})
		for _, l := range levels {
			if l.At != anchor.at {
				continue
			}
			at := anchor.t
			if l.After > 0 {
				at = e.cal.Add(at, l.After).UTC()
			}
			cps = append(cps, Checkpoint{Kind: CheckpointEscalation, At: at, Level: l})
		}
	}
	sort.SliceStable(cps, func(i, j int) bool { return cps[i].At.Before(cps[j].At) })
	return cps
}

// finished reports whether a target fires no more checkpoints: it was met,
// or its milestone was reached after it breached (MetAt set on a breached
// target).
func finished(tg *ticket.Target) bool { return tg.State == ticket.TargetMet || tg.MetAt != nil }

// due is one checkpoint ready to fire.
type due struct {
	target int // index in t.SLA
	stage  int // index in the target's checkpoints
	cp     Checkpoint
}

// Fire fires every checkpoint whose time is at or before now, of every
// target of an open ticket that is not finished, in time order (ties: in
// target order, then checkpoint order). Each advances its target's Stage, so
// a second call with the same now fires nothing. After a downtime every
// overdue checkpoint fires, each once. Events are stamped now, actor "sla":
// sla.warning and sla.breached carry ticket.SLAData, escalated carries
// ticket.EscalationData.
func (e *Engine) Fire(t *ticket.Ticket, now time.Time) []ticket.Event {
	if !t.Open() {
		return nil
	}
	var ready []due
	for i := range t.SLA {
		tg := &t.SLA[i]
		if finished(tg) {
			continue
		}
		cps := e.Checkpoints(*tg)
		for j := tg.Stage; j < len(cps) && !cps[j].At.After(now); j++ {
			ready = append(ready, due{target: i, stage: j, cp: cps[j]})
		}
	}
	sort.SliceStable(ready, func(a, b int) bool { return ready[a].cp.At.Before(ready[b].cp.At) })

	var evs []ticket.Event
	for _, d := range ready {
		tg := &t.SLA[d.target]
		tg.Stage = d.stage + 1
		switch d.cp.Kind {
		case CheckpointWarning:
			if tg.State == ticket.TargetPending {
				tg.State = ticket.TargetWarning
			}
			evs = append(evs, ticket.NewEvent(ticket.EventSLAWarning, Actor, now,
				ticket.SLAData{Target: tg.Name, DueAt: tg.DueAt}))
		case CheckpointBreach:
			tg.State = ticket.TargetBreached
			evs = append(evs, ticket.NewEvent(ticket.EventSLABreached, Actor, now,
				ticket.SLAData{Target: tg.Name, DueAt: tg.DueAt}))
		case CheckpointEscalation:
			evs = append(evs, ticket.NewEvent(ticket.EventEscalated, Actor, now,
				d.cp.Level.Data(tg.Name, reason(tg, d.cp.Level))))
		}
	}
	return evs
}

// reason explains why a level is told, e.g. "resolution target breached at
// 2026-03-02T12:00:00Z, still not met 4h later".
func reason(tg *ticket.Target, l escalate.Level) string {
	var s string
	if l.At == escalate.AtWarning {
		s = fmt.Sprintf("%s target nearing its deadline %s (warning at %s)", tg.Name,
			tg.DueAt.UTC().Format(time.RFC3339), tg.WarnAt.UTC().Format(time.RFC3339))
	} else {
		s = fmt.Sprintf("%s target breached at %s", tg.Name, tg.DueAt.UTC().Format(time.RFC3339))
	}
	if l.After > 0 {
		s += fmt.Sprintf(", still not met %s later", shortDuration(l.After))
	}
	return s
}

// shortDuration writes d without zero minutes and seconds: 4h, 1h30m, 90s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Next returns the time of the earliest checkpoint not yet fired over every
// unfinished target of an open ticket; false when there is none (the ticket
// is closed or cancelled, or every target is met or fully escalated).
func (e *Engine) Next(t *ticket.Ticket) (time.Time, bool) {
	if !t.Open() {
		return time.Time{}, false
	}
	var next time.Time
	found := false
	for i := range t.SLA {
		tg := &t.SLA[i]
		if finished(tg) {
			continue
		}
		cps := e.Checkpoints(*tg)
		if tg.Stage >= len(cps) {
			continue
		}
		if at := cps[tg.Stage].At; !found || at.Before(next) {
			next, found = at, true
		}
	}
	return next, found
}
