package sla

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
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

// The keys of a target's warning and breach checkpoints in
// ticket.Target.Fired. Escalation levels have keys from LevelKey.
const (
	KeyWarning = "warning"
	KeyBreach  = "breach"
)

// Checkpoint is one moment in a target's life at which the engine acts.
type Checkpoint struct {
	Kind CheckpointKind
	At   time.Time
	// Key identifies the checkpoint in ticket.Target.Fired: KeyWarning,
	// KeyBreach, or the level's key (see LevelKey). It does not depend on
	// the level's position in its chain.
	Key string
	// Level is the chain level told, for CheckpointEscalation. Its Number
	// is its current position in the chain, for display only.
	Level escalate.Level
}

// LevelKey returns the identity of an escalation level in its chain:
//
//	"level:" + name + "@" + at + "+" + after
//
// with after written by time.Duration.String, e.g.
// "level:general manager@breach+4h0m0s" or "level:technician@warning+0s".
// Level names need not be unique in a chain (config validation does not
// require it), hence the anchor and delay in the key: the key is stable when
// levels are added, removed or reordered, while renaming a level or changing
// its anchor or delay makes it a new level, which fires once when its time
// has come. Changing only who a level notifies keeps its identity.
//
// Checkpoints tells apart levels of one chain that are identical in name,
// anchor and delay by appending "#2", "#3"... to the second, third... of
// them in chain order.
func LevelKey(l escalate.Level) string {
	return "level:" + l.Name + "@" + l.At + "+" + l.After.String()
}

// Checkpoints lists tg's checkpoints in the order they fire: the warning at
// WarnAt, the breach at DueAt, and each level of tg's escalation chain at
// its anchor (WarnAt or DueAt) plus its delay, measured on the target's
// clock (business time for after_business and the day-based kinds, real
// time for the others: "4h after breach" of a business target is 4 working
// hours). Checkpoints at the same time fire in that order: the warning,
// the warning's levels, the breach, the breach's levels. Each has a key
// unique among them; tg.Fired lists the keys of those already fired.
//
// The levels come from the engine's current chain; a chain unknown to the
// engine (removed by a reload) contributes no levels.
func (e *Engine) Checkpoints(tg ticket.Target) []Checkpoint {
	levels := e.esc.Levels(tg.Escalation)
	keys := levelKeys(levels)
	cps := make([]Checkpoint, 0, 2+len(levels))
	for _, anchor := range []struct {
		kind CheckpointKind
		at   string
		t    time.Time
	}{{CheckpointWarning, escalate.AtWarning, tg.WarnAt}, {CheckpointBreach, escalate.AtBreach, tg.DueAt}} {
		cps = append(cps, Checkpoint{Kind: anchor.kind, At: anchor.t, Key: string(anchor.kind)})
		for i, l := range levels {
			if l.At != anchor.at {
				continue
			}
			at := anchor.t
			if l.After > 0 {
				at = shift(tg.Kind, e.targetCalendar("", tg.Calendar), at, l.After).UTC()
			}
			cps = append(cps, Checkpoint{Kind: CheckpointEscalation, At: at, Key: keys[i], Level: l})
		}
	}
	sort.SliceStable(cps, func(i, j int) bool { return cps[i].At.Before(cps[j].At) })
	return cps
}

// levelKeys returns the key of each level, LevelKey with "#n" appended to
// the n-th level (n >= 2) of the same LevelKey.
func levelKeys(levels []escalate.Level) []string {
	keys := make([]string, len(levels))
	seen := make(map[string]int, len(levels))
	for i, l := range levels {
		k := LevelKey(l)
		seen[k]++
		if n := seen[k]; n > 1 {
			k += "#" + strconv.Itoa(n)
		}
		keys[i] = k
	}
	return keys
}

// finished reports whether a target fires no more checkpoints: it was met,
// or its milestone was reached after it breached (MetAt set on a breached
// target).
func finished(tg *ticket.Target) bool { return tg.State == ticket.TargetMet || tg.MetAt != nil }

// unfired returns tg's checkpoints whose keys are not in tg.Fired, in firing
// order.
func (e *Engine) unfired(tg *ticket.Target) []Checkpoint {
	cps := e.Checkpoints(*tg)
	if len(tg.Fired) == 0 {
		return cps
	}
	out := cps[:0]
	for _, cp := range cps {
		if !slices.Contains(tg.Fired, cp.Key) {
			out = append(out, cp)
		}
	}
	return out
}

// due is one checkpoint ready to fire.
type due struct {
	target int // index in t.SLA
	cp     Checkpoint
}

// Fire fires every checkpoint whose time is at or before now and whose key
// is not in its target's Fired, of every target of an open ticket that is
// not finished, in time order (ties: in target order, then checkpoint
// order), and records each key in Fired, so a second call with the same now
// fires nothing. After a downtime every overdue checkpoint fires, each once.
//
// Since Fired records identities, a reload that edits the chain never fires
// a level twice: a level added after its time has passed fires at the next
// call, once; a removed level never fires; reordered levels keep what they
// fired. Events are stamped now, actor "sla": sla.warning and sla.breached
// carry ticket.SLAData, escalated carries ticket.EscalationData with the
// level's current position, followed by the events of the level's actions
// (see WithChains).
//
// While the ticket waits on its reporter (Paused) its clocks stand still and
// Fire fires nothing; on resume Observe moves the deadlines and fires what
// is then due.
func (e *Engine) Fire(t *ticket.Ticket, now time.Time) []ticket.Event {
	if !t.Open() || Paused(t) {
		return nil
	}
	var ready []due
	for i := range t.SLA {
		tg := &t.SLA[i]
		if finished(tg) {
			continue
		}
		for _, cp := range e.unfired(tg) {
			if cp.At.After(now) {
				break
			}
			ready = append(ready, due{target: i, cp: cp})
		}
	}
	sort.SliceStable(ready, func(a, b int) bool { return ready[a].cp.At.Before(ready[b].cp.At) })

	var evs []ticket.Event
	for _, d := range ready {
		tg := &t.SLA[d.target]
		tg.Fired = append(tg.Fired, d.cp.Key)
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
			evs = append(evs, e.act(t, tg, d.cp.Level, now)...)
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

// Next returns the time of the earliest checkpoint not yet fired (its key
// not in Fired) over every unfinished target of an open ticket; false when
// there is none (the ticket is closed or cancelled, waits on its reporter,
// or every target is met or fully escalated). The time may be past, for a
// level added by a reload after its time, or a deadline moved into the past
// by Recompute: such a checkpoint is due at once.
func (e *Engine) Next(t *ticket.Ticket) (time.Time, bool) {
	if !t.Open() || Paused(t) {
		return time.Time{}, false
	}
	var next time.Time
	found := false
	for i := range t.SLA {
		tg := &t.SLA[i]
		if finished(tg) {
			continue
		}
		cps := e.unfired(tg)
		if len(cps) == 0 {
			continue
		}
		if at := cps[0].At; !found || at.Before(next) {
			next, found = at, true
		}
	}
	return next, found
}
