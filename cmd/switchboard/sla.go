package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

const slaUsage = `Usage: switchboard sla COMMAND [flags]

Commands:
  due          when would a ticket fall due? Asks the daemon's SLA engine:
               due --policy NAME --start T [--event T] [--pause FROM/TO ...]
               or due --kind K [--category C --severity S --tier T] --start T ...
  explain ID   a live ticket's clocks: per target its kind, calendar, start,
               pauses, warning and due times, state and escalation steps taken
  replan ID    set a new planned time for a target and tell the stakeholders:
               replan ID --target resolution --due T --reason TEXT
  met ID       mark a target met, e.g. a checklist step no status change
               reaches: met ID --target room_check [--note TEXT]

Times are RFC 3339 (2026-11-24T09:00:00+08:00) or "2026-11-24 09:00" in the
local time zone. The common flags of 'switchboard ticket' apply (--addr,
--token, --config, --data-dir, --as, --json).
`

// slaCmd runs `switchboard sla ...` against a running daemon and returns
// the process exit code.
func slaCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return newCLI(stdout, stderr).runSLA(ctx, args)
}

func (c *ticketCLI) runSLA(ctx context.Context, args []string) int {
	return c.dispatch(ctx, args, "sla", slaUsage, map[string]func(context.Context, []string) int{
		"due": c.slaDue, "explain": c.slaExplain, "replan": c.slaReplan, "met": c.slaMet,
	})
}

// parseWhen reads a time flag: RFC 3339, or "2006-01-02 15:04" (or with a
// T, or with seconds) in the local time zone.
func (c *ticketCLI) parseWhen(flagName, v string) (time.Time, error) {
	if t, ok := c.parseTime(strings.TrimSpace(v)); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--%s %q: want RFC 3339 (2026-11-24T09:00:00+08:00) or \"2026-11-24 09:00\"", flagName, v)
}

// parseTime reads RFC 3339, or "2006-01-02 15:04" (or with a T, or with
// seconds) in the CLI's time zone.
func (c *ticketCLI) parseTime(v string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, true
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, v, c.loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// pausesFlag collects repeated --pause FROM/TO.
type pausesFlag struct {
	c     *ticketCLI
	spans []wire.Span
}

func (p *pausesFlag) String() string { return fmt.Sprint(len(p.spans), " pauses") }

func (p *pausesFlag) Set(v string) error {
	from, to, ok := strings.Cut(v, "/")
	if !ok {
		return fmt.Errorf("want FROM/TO, e.g. 2026-11-24T10:00:00+08:00/2026-11-24T12:00:00+08:00, got %q", v)
	}
	f, err := p.c.parseWhen("pause", from)
	if err != nil {
		return err
	}
	t, err := p.c.parseWhen("pause", to)
	if err != nil {
		return err
	}
	p.spans = append(p.spans, wire.Span{From: &f, To: &t})
	return nil
}

func (c *ticketCLI) slaDue(ctx context.Context, args []string) int {
	cmd := c.newCommand("sla", "due", "due (--policy NAME | --kind K [--category C] [--severity S] [--tier T]) [--start T] [--event T] [--pause FROM/TO ...] [flags]")
	var q wire.DueRequest
	var kind, start, event string
	pauses := &pausesFlag{c: c}
	fs := cmd.fs
	fs.StringVar(&q.Policy, "policy", "", "the policy by name, e.g. repair.serious")
	fs.StringVar(&kind, "kind", "", "or select the policy as for a new ticket: complaint, repair or request")
	fs.StringVar(&q.Category, "category", "", "the ticket's category, with --kind")
	fs.StringVar(&q.Severity, "severity", "", "the ticket's severity, with --kind (default minor)")
	fs.StringVar(&q.Tier, "tier", "", "the customer tier, with --kind (default general)")
	fs.StringVar(&start, "start", "", "when the clocks start (default now)")
	fs.StringVar(&event, "event", "", "the ticket's event time (a ship's departure, a guest's arrival)")
	fs.Var(pauses, "pause", "a span waiting on the reporter, FROM/TO (repeatable, in order)")
	if _, code, ok := c.parse(cmd, args, 0); !ok {
		return code
	}
	q.Kind = ticket.Kind(kind)
	if q.Policy == "" && kind == "" {
		return c.usageError(cmd, "--policy or --kind is required")
	}
	st := c.now()
	if start != "" {
		var err error
		if st, err = c.parseWhen("start", start); err != nil {
			return c.usageError(cmd, err.Error())
		}
	}
	q.Start = &st
	if event != "" {
		ev, err := c.parseWhen("event", event)
		if err != nil {
			return c.usageError(cmd, err.Error())
		}
		q.EventAt = &ev
	}
	q.Pauses = pauses.spans
	api, s, code, ok := c.connect(cmd)
	if !ok {
		return code
	}
	res, err := api.Due(ctx, q)
	if err != nil {
		return c.fail(s, err)
	}
	if cmd.common.json {
		// Exactly the API's answer: compact, as the daemon writes it.
		b, err := json.Marshal(res)
		if err != nil {
			return c.fail(s, err)
		}
		fmt.Fprintf(c.out, "%s\n", b)
		return exitOK
	}
	if res.Policy == "" {
		fmt.Fprintf(c.out, "No policy selects a %s ticket: it would have no SLA.\n", describeFields(q))
		return exitOK
	}
	fmt.Fprintf(c.out, "Policy %s, clocks start %s\n", res.Policy, c.at(st))
	for _, p := range q.Pauses {
		fmt.Fprintf(c.out, "  paused %s → %s (%s)\n", c.at(*p.From), c.at(*p.To), client.Span(p.To.Sub(*p.From)))
	}
	fmt.Fprintln(c.out)
	tw := c.newTable()
	fmt.Fprintln(tw, "TARGET\tWARN\tDUE\tAFTER")
	for _, tg := range res.Targets {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", tg.Name, c.at(tg.WarnAt), c.at(tg.DueAt), signedSpan(tg.DueAt.Sub(st)))
	}
	c.flush(tw)
	return exitOK
}

func describeFields(q wire.DueRequest) string {
	parts := []string{string(q.Kind)}
	for _, v := range []string{q.Category, q.Severity, q.Tier} {
		if v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, "/")
}

// at writes t in the CLI's zone with its weekday: "Tue 2026-11-24 09:00".
func (c *ticketCLI) at(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(c.loc).Format("Mon 2006-01-02 15:04")
}

// signedSpan writes d as "2h05m", or "-2h30m" before the start.
func signedSpan(d time.Duration) string {
	if d < 0 {
		return "-" + client.Span(-d)
	}
	return client.Span(d)
}

func (c *ticketCLI) slaReplan(ctx context.Context, args []string) int {
	cmd := c.newCommand("sla", "replan", "replan ID --target NAME --due T --reason TEXT [flags]")
	var r wire.ReplanRequest
	var due string
	cmd.fs.StringVar(&r.Target, "target", "resolution", "the target to re-plan")
	cmd.fs.StringVar(&due, "due", "", "the new planned time (required)")
	cmd.fs.StringVar(&r.Reason, "reason", "", "why, told to the policy's stakeholders (required)")
	pos, code, ok := c.parse(cmd, args, 1)
	if !ok {
		return code
	}
	switch {
	case due == "":
		return c.usageError(cmd, "--due is required")
	case strings.TrimSpace(r.Reason) == "":
		return c.usageError(cmd, "--reason is required")
	}
	at, err := c.parseWhen("due", due)
	if err != nil {
		return c.usageError(cmd, err.Error())
	}
	r.DueAt = &at
	api, s, code, ok := c.connect(cmd)
	if !ok {
		return code
	}
	t, err := api.Replan(ctx, pos[0], r)
	if err != nil {
		return c.fail(s, err)
	}
	if cmd.common.json {
		return c.printJSON(t)
	}
	if tg := t.Target(r.Target); tg != nil {
		fmt.Fprintf(c.out, "%s %s now due %s (warning %s)\n", t.ID, tg.Name, c.at(tg.DueAt), c.at(tg.WarnAt))
	}
	return exitOK
}

func (c *ticketCLI) slaMet(ctx context.Context, args []string) int {
	cmd := c.newCommand("sla", "met", "met ID --target NAME [--note TEXT] [flags]")
	var target, note string
	cmd.fs.StringVar(&target, "target", "", "the target met, e.g. room_check (required)")
	cmd.fs.StringVar(&note, "note", "", "what was done, recorded in the history")
	pos, code, ok := c.parse(cmd, args, 1)
	if !ok {
		return code
	}
	target = strings.TrimSpace(target)
	if target == "" {
		return c.usageError(cmd, "--target is required")
	}
	api, s, code, ok := c.connect(cmd)
	if !ok {
		return code
	}
	t, err := api.MeetTarget(ctx, pos[0], target, note)
	if err != nil {
		return c.fail(s, err)
	}
	if cmd.common.json {
		return c.printJSON(t)
	}
	if tg := t.Target(target); tg != nil && tg.MetAt != nil {
		if tg.State == ticket.TargetBreached {
			fmt.Fprintf(c.out, "%s %s met late %s (was due %s, breached)\n", t.ID, tg.Name, c.at(*tg.MetAt), c.at(tg.DueAt))
		} else {
			fmt.Fprintf(c.out, "%s %s met %s (due %s)\n", t.ID, tg.Name, c.at(*tg.MetAt), c.at(tg.DueAt))
		}
	}
	return exitOK
}

// explainJSON is the output of `sla explain --json`.
type explainJSON struct {
	ID      string          `json:"id"`
	Status  ticket.Status   `json:"status"`
	Policy  string          `json:"policy"`
	Targets []ticket.Target `json:"targets"`
	Pauses  []ticket.Pause  `json:"pauses"`
	// Events are the SLA events of the history: warnings, breaches,
	// targets met, escalations, re-plans, stakeholders told, repeats.
	Events []ticket.Event `json:"events"`
}

// slaEvent reports whether an event belongs to a ticket's SLA story.
func slaEvent(typ string) bool {
	switch typ {
	case ticket.EventSLAWarning, ticket.EventSLABreached, ticket.EventSLAMet, ticket.EventEscalated,
		ticket.EventReplanned, ticket.EventStakeholders, ticket.EventRepeat:
		return true
	}
	return false
}

func (c *ticketCLI) slaExplain(ctx context.Context, args []string) int {
	cmd := c.newCommand("sla", "explain", "explain ID [flags]")
	pos, code, ok := c.parse(cmd, args, 1)
	if !ok {
		return code
	}
	api, s, code, ok := c.connect(cmd)
	if !ok {
		return code
	}
	d, err := api.Ticket(ctx, pos[0])
	if err != nil {
		return c.fail(s, err)
	}
	x := explainJSON{ID: d.ID, Status: d.Status, Policy: d.Policy, Targets: d.SLA, Pauses: d.Pauses, Events: []ticket.Event{}}
	if x.Targets == nil {
		x.Targets = []ticket.Target{}
	}
	if x.Pauses == nil {
		x.Pauses = []ticket.Pause{}
	}
	for _, ev := range d.History {
		if slaEvent(ev.Type) {
			x.Events = append(x.Events, ev)
		}
	}
	if cmd.common.json {
		return c.printJSON(x)
	}
	c.printExplain(x, d.Title)
	return exitOK
}

func (c *ticketCLI) printExplain(x explainJSON, title string) {
	fmt.Fprintf(c.out, "%s  %s\n", x.ID, title)
	if x.Policy == "" {
		fmt.Fprintf(c.out, "No SLA policy: the ticket has no clocks (status %s).\n", x.Status)
		return
	}
	fmt.Fprintf(c.out, "Policy %s, status %s\n", x.Policy, x.Status)
	for _, tg := range x.Targets {
		fmt.Fprintf(c.out, "\n%s: %s\n", tg.Name, strings.ToUpper(string(tg.State)))
		tw := c.newTable()
		row := func(k, v string) { fmt.Fprintf(tw, "  %s\t%s\n", k, v) }
		clock := dash(tg.Kind)
		if tg.Calendar != "" {
			clock += " on calendar " + tg.Calendar
		}
		row("clock", clock)
		row("started", c.at(tg.Start))
		row("warn", c.at(tg.WarnAt))
		row("due", fmt.Sprintf("%s (%s)", c.at(tg.DueAt), client.Relative(tg.DueAt, c.now())))
		if tg.MetAt != nil {
			row("met", c.at(*tg.MetAt))
		}
		if tg.Escalation != "" {
			row("chain", tg.Escalation)
		}
		row("fired", dash(strings.Join(tg.Fired, ", ")))
		c.flush(tw)
	}
	fmt.Fprintf(c.out, "\nPaused\n")
	if len(x.Pauses) == 0 {
		fmt.Fprintln(c.out, "  (never)")
	}
	for _, p := range x.Pauses {
		if p.To == nil {
			fmt.Fprintf(c.out, "  %s → waiting now (%s so far)\n", c.at(p.From), client.Span(c.now().Sub(p.From)))
			continue
		}
		fmt.Fprintf(c.out, "  %s → %s (%s)\n", c.at(p.From), c.at(*p.To), client.Span(p.To.Sub(p.From)))
	}
	fmt.Fprintf(c.out, "\nSLA history\n")
	if len(x.Events) == 0 {
		fmt.Fprintln(c.out, "  (nothing yet)")
		return
	}
	tw := c.newTable()
	for _, ev := range x.Events {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", c.at(ev.At), ev.Type, dash(ev.Actor), c.slaSummary(ev))
	}
	c.flush(tw)
}

// slaSummary describes the SLA events EventSummary has no words for:
// re-plans, stakeholders told and repeat complaints.
func (c *ticketCLI) slaSummary(ev ticket.Event) string {
	switch ev.Type {
	case ticket.EventReplanned:
		var d ticket.ReplanData
		if json.Unmarshal(ev.Data, &d) == nil {
			return fmt.Sprintf("%s %s → %s: %s", d.Target, c.at(d.FromDueAt), c.at(d.ToDueAt), d.Reason)
		}
	case ticket.EventStakeholders:
		var d ticket.StakeholdersData
		if json.Unmarshal(ev.Data, &d) == nil {
			return fmt.Sprintf("%s: %s", whom(d.People, d.Roles), d.Reason)
		}
	case ticket.EventRepeat:
		var d ticket.RepeatData
		if json.Unmarshal(ev.Data, &d) == nil {
			about := strings.TrimSpace(d.Location + " " + d.Asset)
			if w, err := time.ParseDuration(d.Window); err == nil {
				d.Window = client.Span(w)
			}
			return fmt.Sprintf("complaint %d about %s within %s (earlier %s) → %s",
				d.Count, about, d.Window, strings.Join(d.Earlier, ", "), whom(d.People, d.Roles))
		}
	}
	return client.EventSummary(ev, c.loc)
}

// whom names the people told, or the roles when no one holds them.
func whom(people, roles []string) string {
	if len(people) > 0 {
		return strings.Join(people, ", ")
	}
	return strings.Join(roles, ", ")
}
