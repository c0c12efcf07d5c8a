// Package report computes the desk's SLA report: what the service desk
// sends the general manager each week, per department or per assignee.
//
// A report of the period [from, to) counts two kinds of figures:
//
//   - Received counts tickets by creation: those created in [from, to).
//   - Every other figure counts events by the time they happened: the
//     resolutions, SLA decisions (met or breached), breaches, responses and
//     repeat complaints that happened in [from, to), whenever their ticket
//     was created. A breach this week of a ticket created last week is in
//     this week's report; a breach next week of a ticket created this week
//     is in next week's.
//
// To find those events SLA reads the tickets created in [from − Lookback,
// to): a promise longer than Lookback that is decided in the period is
// missed. Histories are read as of to (events at or after to are ignored),
// so a report for a past week gives the same figures whenever it is asked
// for.
package report

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// Groupings of a report.
const (
	ByDepartment = "department"
	ByAssignee   = "assignee"
)

// Unassigned names the group of tickets nobody holds, in an assignee report.
const Unassigned = "(unassigned)"

// The targets whose compliance a report measures.
const (
	TargetResponse   = "response"
	TargetResolution = "resolution"
)

// Report is the SLA report of one period [From, To).
//
// Received counts the tickets created in the period; every other figure
// counts the events that happened in the period, on tickets created up to
// Lookback before From (see the package documentation).
type Report struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// By is "department" or "assignee".
	By string `json:"by"`
	// Groups are sorted by name.
	Groups []Group `json:"groups"`
	// Total is every group together (its Name is "total").
	Total Group `json:"total"`
}

// Group is the figures of one department or one assignee.
//
// In a department report a ticket's figures count for the department that
// held it at the end of the period. In an assignee report they count for the
// person who held it at the end of the period, except that a breach is
// listed under the person who held the ticket when it breached ("who lost
// the bonus"). A ticket with nothing in the period (created earlier, no
// event in it) counts nowhere.
//
// Received is by creation date; every other figure is by the time of its
// event, in [from, to), whenever the ticket was created.
type Group struct {
	Name string `json:"name"`
	// Received is the number of tickets created in the period.
	Received int `json:"received"`
	// Resolved is the number of tickets first resolved in the period
	// (created in it or before).
	Resolved int `json:"resolved"`
	// Response and Resolution are the compliance of the targets of those
	// names decided (met or breached) in the period.
	Response   Compliance `json:"response"`
	Resolution Compliance `json:"resolution"`
	// Breaches lists every target (of any name) that breached in the
	// period, in time order.
	Breaches []Breach `json:"breaches"`
	// TimeToRespond is from creation to the first acknowledgement (or a
	// later status reached without one), for the first acknowledgements
	// that happened in the period; TimeToResolve from creation to the
	// first resolution, for the first resolutions in the period.
	TimeToRespond Durations `json:"time_to_respond"`
	TimeToResolve Durations `json:"time_to_resolve"`
	// RepeatComplaints counts the complaint.repeated events of the
	// group's tickets that happened in the period.
	RepeatComplaints int `json:"repeat_complaints"`
}

// Compliance is how many promises of one kind were kept.
type Compliance struct {
	Met      int `json:"met"`
	Breached int `json:"breached"`
	// Percent is 100·met/(met+breached), rounded to 0.1; null when no
	// target was decided.
	Percent *float64 `json:"percent"`
}

// Breach is one broken promise.
type Breach struct {
	TicketID   string    `json:"ticket_id"`
	Target     string    `json:"target"`
	DueAt      time.Time `json:"due_at"`
	BreachedAt time.Time `json:"breached_at"`
	// Department and Assignee held the ticket when it breached; Assignee
	// is "" when nobody did.
	Department string `json:"department"`
	Assignee   string `json:"assignee"`
}

// Durations summarises a set of durations, in seconds.
type Durations struct {
	Count int `json:"count"`
	// MedianSeconds and P90Seconds are nearest-rank percentiles (the
	// median of an even count is the lower middle value); null when Count
	// is 0.
	MedianSeconds *float64 `json:"median_seconds"`
	P90Seconds    *float64 `json:"p90_seconds"`

	values []time.Duration // while counting
}

// Lookback is how long before a period's start SLA looks for the tickets
// whose events fall in the period. It is longer than any promise of the
// default desk (a day_of_month target can run about 31 days, an
// event_offset one up to a week after its event), so every target decided
// in the period belongs to a ticket SLA reads.
const Lookback = 60 * 24 * time.Hour

// pageSize is how many tickets SLA reads per List call.
const pageSize = 500

// listSlack is how far before from SLA keeps reading: List orders tickets
// by insertion, and a ticket's creation time is taken just before it is
// inserted, so insertion order and creation order may differ slightly.
const listSlack = time.Hour

// SLA computes the report of the period [from, to), grouped by by
// ("department", the default when empty, or "assignee"): tickets received
// in the period, and the events of the period on tickets created in
// [from − Lookback, to).
func SLA(ctx context.Context, st store.Store, from, to time.Time, by string) (Report, error) {
	if by == "" {
		by = ByDepartment
	}
	reps, err := SLAs(ctx, st, from, to, by)
	if err != nil {
		return Report{}, err
	}
	return reps[0], nil
}

// SLAs computes the reports of the period [from, to) for each grouping of
// bys ("department" or "assignee"), in that order, as SLA would one by one,
// but reading the tickets and their histories once.
func SLAs(ctx context.Context, st store.Store, from, to time.Time, bys ...string) ([]Report, error) {
	for _, by := range bys {
		if by != ByDepartment && by != ByAssignee {
			return nil, ticket.Invalid("by", "unknown grouping %q (department or assignee)", by)
		}
	}
	if !from.Before(to) {
		return nil, ticket.Invalid("from", "must be before to (from %s, to %s)",
			from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	tallies := make([]*tally, len(bys))
	for i, by := range bys {
		tallies[i] = &tally{by: by, groups: map[string]*Group{}, total: Group{Name: "total"}}
	}
	since := from.Add(-Lookback)
	cursor := ""
	for {
		page, err := st.List(ctx, store.Filter{Limit: pageSize, Cursor: cursor})
		if err != nil {
			return nil, fmt.Errorf("report: list tickets: %w", err)
		}
		older := false
		for i := range page.Tickets {
			t := &page.Tickets[i]
			if t.CreatedAt.Before(since.Add(-listSlack)) {
				older = true
			}
			if t.CreatedAt.Before(since) || !t.CreatedAt.Before(to) {
				continue
			}
			h, err := st.History(ctx, t.ID)
			if err != nil {
				return nil, fmt.Errorf("report: history of %s: %w", t.ID, err)
			}
			f := replay(t, h, from, to)
			if f.empty() {
				continue
			}
			for _, tl := range tallies {
				tl.add(&f)
			}
		}
		if older || page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	reps := make([]Report, len(tallies))
	for i, tl := range tallies {
		reps[i] = tl.finish(from, to)
	}
	return reps, nil
}

// tally accumulates the groups of one grouping of a report.
type tally struct {
	by     string
	groups map[string]*Group
	total  Group
}

func (tl *tally) group(name string) *Group {
	if g, ok := tl.groups[name]; ok {
		return g
	}
	g := &Group{Name: name}
	tl.groups[name] = g
	return g
}

// add counts one ticket's facts into its group and the total.
func (tl *tally) add(f *facts) {
	owner := f.department
	if tl.by == ByAssignee {
		owner = f.assignee
	}
	f.add(tl.group(nameOf(owner, tl.by)), tl.by == ByDepartment)
	f.add(&tl.total, true)
	if tl.by == ByAssignee {
		for _, b := range f.breaches {
			g := tl.group(nameOf(b.Assignee, tl.by))
			g.Breaches = append(g.Breaches, b)
		}
	}
}

// finish returns the report, groups sorted by name.
func (tl *tally) finish(from, to time.Time) Report {
	rep := Report{From: from, To: to, By: tl.by, Groups: []Group{}}
	names := make([]string, 0, len(tl.groups))
	for n := range tl.groups {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		rep.Groups = append(rep.Groups, tl.groups[n].finish())
	}
	rep.Total = tl.total.finish()
	return rep
}

func nameOf(owner, by string) string {
	if owner == "" && by == ByAssignee {
		return Unassigned
	}
	return owner
}

// facts are what one ticket contributes to the report of a period: its
// holders at the period's end, whether it was received in the period, and
// the events of the period.
type facts struct {
	department, assignee string
	received             bool
	respond, resolve     *time.Duration                // first response / resolution, if in the period
	decided              map[string]ticket.TargetState // target → first decision, if in the period
	breaches             []Breach
	repeats              int
}

// empty reports whether the ticket has nothing in the period.
func (f *facts) empty() bool {
	return !f.received && f.respond == nil && f.resolve == nil && len(f.decided) == 0 &&
		len(f.breaches) == 0 && f.repeats == 0
}

// replay reads a ticket's history up to (not including) to. Holders are
// tracked over the whole history; figures are kept for events at or after
// from only.
func replay(t *ticket.Ticket, h []ticket.Event, from, to time.Time) facts {
	f := facts{decided: map[string]ticket.TargetState{}}
	f.received = !t.CreatedAt.Before(from) && t.CreatedAt.Before(to)
	responded, resolved := false, false
	seen := map[string]bool{} // targets already decided, in the period or before
	for _, ev := range h {
		if !ev.At.Before(to) {
			continue
		}
		in := !ev.At.Before(from)
		since := ev.At.Sub(t.CreatedAt)
		switch ev.Type {
		case ticket.EventRouted:
			var d struct {
				Department string `json:"department"`
			}
			if json.Unmarshal(ev.Data, &d) == nil && d.Department != "" {
				f.department = d.Department
			}
		case ticket.EventAssigned:
			var d struct {
				To string `json:"to"`
			}
			if json.Unmarshal(ev.Data, &d) == nil {
				f.assignee = d.To
			}
		case ticket.EventStatus:
			var d ticket.StatusData
			if json.Unmarshal(ev.Data, &d) != nil {
				continue
			}
			if !responded && responds(d.To) {
				responded = true
				if in {
					f.respond = &since
				}
			}
			if !resolved && d.To == ticket.StatusResolved {
				resolved = true
				if in {
					f.resolve = &since
				}
			}
		case ticket.EventSLAMet, ticket.EventSLABreached:
			var d ticket.SLAData
			if json.Unmarshal(ev.Data, &d) != nil {
				continue
			}
			state := ticket.TargetMet
			if ev.Type == ticket.EventSLABreached {
				state = ticket.TargetBreached
				if in {
					f.breaches = append(f.breaches, Breach{TicketID: t.ID, Target: d.Target, DueAt: d.DueAt,
						BreachedAt: ev.At, Department: f.department, Assignee: f.assignee})
				}
			}
			if !seen[d.Target] {
				seen[d.Target] = true
				if in {
					f.decided[d.Target] = state
				}
			}
		case ticket.EventRepeat:
			if in {
				f.repeats++
			}
		}
	}
	if f.department == "" {
		f.department = t.Department
	}
	return f
}

// responds reports whether reaching s answers the reporter: acknowledged,
// or a later status reached without acknowledgement.
func responds(s ticket.Status) bool {
	switch s {
	case ticket.StatusAcknowledged, ticket.StatusInProgress, ticket.StatusWaiting,
		ticket.StatusResolved, ticket.StatusClosed, ticket.StatusReopened:
		return true
	}
	return false
}

// add counts f into g; withBreaches lists its breaches too.
func (f *facts) add(g *Group, withBreaches bool) {
	if f.received {
		g.Received++
	}
	if f.resolve != nil {
		g.Resolved++
	}
	count := func(c *Compliance, name string) {
		switch f.decided[name] {
		case ticket.TargetMet:
			c.Met++
		case ticket.TargetBreached:
			c.Breached++
		}
	}
	count(&g.Response, TargetResponse)
	count(&g.Resolution, TargetResolution)
	if f.respond != nil {
		g.TimeToRespond.add(*f.respond)
	}
	if f.resolve != nil {
		g.TimeToResolve.add(*f.resolve)
	}
	if withBreaches {
		g.Breaches = append(g.Breaches, f.breaches...)
	}
	g.RepeatComplaints += f.repeats
}
