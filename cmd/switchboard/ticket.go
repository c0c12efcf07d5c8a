package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// Exit codes of the client commands.
const (
	exitOK    = 0
	exitAPI   = 1 // the API refused, or the daemon could not be reached
	exitUsage = 2
)

const ticketUsage = `Usage: switchboard ticket COMMAND [flags]

Commands:
  create       submit a new ticket
  show ID      a ticket's fields, SLA targets and history
  list         tickets, newest first
  transition   move a ticket in its life cycle: transition ID --to STATUS
  note         add a note to a ticket's history: note ID --note TEXT
  assign       give a ticket to someone: assign ID --to NAME [--note TEXT]
  escalate     raise a ticket to the next level of its escalation chain:
               escalate ID --reason TEXT
  watch        print events as they happen, until interrupted

Common flags (every command):
  --addr ADDR       daemon address, host:port or URL (env SWITCHBOARD_ADDR,
                    else [server] listen in --config, else 127.0.0.1:7480)
  --token TOKEN     API token (env SWITCHBOARD_TOKEN, else DATA_DIR/admin.token)
  --config FILE     config file to find the address and token (config.toml)
  --data-dir DIR    data directory holding admin.token
  --as NAME         your name, recorded as the actor in the history
  --json            raw JSON output, for scripts

Run 'switchboard ticket COMMAND -h' for a command's flags.
`

// ticketCmd runs `switchboard ticket ...`: the commands agents and leads use
// against a running daemon. It returns the process exit code.
func ticketCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return newCLI(stdout, stderr).run(ctx, args)
}

// newCLI returns the client commands' view of the real world: the process
// environment, clock and time zone.
func newCLI(stdout, stderr io.Writer) *ticketCLI {
	return &ticketCLI{out: stdout, errw: stderr, getenv: os.Getenv, now: time.Now, loc: time.Local,
		retry: time.Second, defaultConfig: "config.toml"}
}

// ticketCLI holds what the ticket commands need from the outside world, so
// that tests can fix the clock and the time zone.
type ticketCLI struct {
	out, errw io.Writer
	getenv    func(string) string
	now       func() time.Time
	loc       *time.Location
	// retry is the first wait before watch reconnects; it doubles to 30s.
	retry time.Duration
	// defaultConfig is the --config default, "config.toml".
	defaultConfig string
}

func (c *ticketCLI) run(ctx context.Context, args []string) int {
	return c.dispatch(ctx, args, "ticket", ticketUsage, map[string]func(context.Context, []string) int{
		"create": c.create, "show": c.show, "list": c.list,
		"transition": c.transition, "note": c.note, "assign": c.assign,
		"escalate": c.escalate, "watch": c.watch,
	})
}

// dispatch runs the command args[0] of `switchboard GROUP`, or prints the
// group's usage for help, no command or an unknown one.
func (c *ticketCLI) dispatch(ctx context.Context, args []string, group, usage string, cmds map[string]func(context.Context, []string) int) int {
	if len(args) == 0 {
		fmt.Fprint(c.errw, usage)
		return exitUsage
	}
	if f, ok := cmds[args[0]]; ok {
		return f(ctx, args[1:])
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprint(c.out, usage)
		return exitOK
	}
	fmt.Fprintf(c.errw, "switchboard %s: unknown command %q\n\n%s", group, args[0], usage)
	return exitUsage
}

// fieldsFlag collects repeated --field key=value.
type fieldsFlag map[string]string

func (f fieldsFlag) String() string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k+"="+f[k])
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

func (f fieldsFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("want key=value, got %q", v)
	}
	f[strings.TrimSpace(k)] = val
	return nil
}

// parseEventAt reads --event-at: RFC 3339, or "2006-01-02 15:04" (or with
// a T) in the local time zone.
func (c *ticketCLI) parseEventAt(v string) (time.Time, error) {
	if t, ok := c.parseTime(v); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("invalid value %q for flag -event-at: want RFC 3339, e.g. 2026-11-24T18:00:00+08:00", v)
}

func (c *ticketCLI) create(ctx context.Context, args []string) int {
	cmd := c.newCommand("ticket", "create", "create --kind KIND --category C --title T [flags]")
	var req client.CreateRequest
	var kind, eventAt, key string
	fields := fieldsFlag{}
	fs := cmd.fs
	fs.StringVar(&kind, "kind", "", "complaint, repair or request (required)")
	fs.StringVar(&req.Category, "category", "", "category, e.g. valve (required)")
	fs.StringVar(&req.Severity, "severity", "", "minor, serious, major or critical (default minor)")
	fs.StringVar(&req.Tier, "tier", "", "customer tier: general, member or vip (default general)")
	fs.StringVar(&req.Title, "title", "", "one-line summary (required)")
	fs.StringVar(&req.Description, "description", "", "what the reporter said")
	fs.StringVar(&req.Reporter.Name, "reporter-name", "", "who reported it")
	fs.StringVar(&req.Reporter.Contact, "reporter-contact", "", "how to reach the reporter")
	fs.StringVar(&req.Location, "location", "", "where, e.g. Dorm 3")
	fs.StringVar(&req.Asset, "asset", "", "which machine or asset")
	fs.Var(fields, "field", "free field key=value (repeatable)")
	fs.StringVar(&eventAt, "event-at", "", "time of the event the request is about (RFC 3339)")
	fs.StringVar(&key, "idempotency-key", "", "makes a retried create return the first ticket")
	if _, code, ok := c.parse(cmd, args, 0); !ok {
		return code
	}
	req.Kind = ticket.Kind(kind)
	if len(fields) > 0 {
		req.Fields = fields
	}
	if eventAt != "" {
		t, err := c.parseEventAt(eventAt)
		if err != nil {
			return c.usageError(cmd, err.Error())
		}
		req.EventAt = &t
	}
	api, s, code, ok := c.connect(cmd)
	if !ok {
		return code
	}
	t, err := api.CreateTicket(ctx, req, key)
	if err != nil {
		return c.fail(s, err)
	}
	if cmd.common.json {
		return c.printJSON(t)
	}
	var sla []string
	for _, tg := range t.SLA {
		sla = append(sla, c.targetLine(tg))
	}
	fmt.Fprintf(c.out, "Created %s (%s/%s, %s) → %s, assigned: %s, SLA: %s\n",
		t.ID, t.Kind, t.Category, t.Severity, dash(t.Department), dash(t.Assignee), dash(strings.Join(sla, ", ")))
	return exitOK
}

func (c *ticketCLI) show(ctx context.Context, args []string) int {
	cmd := c.newCommand("ticket", "show", "show ID [flags]")
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
	if cmd.common.json {
		return c.printJSON(d)
	}
	c.printTicket(d)
	return exitOK
}

func (c *ticketCLI) printTicket(d wire.TicketDetail) {
	t := d.Ticket
	fmt.Fprintf(c.out, "%s  %s\n\n", t.ID, t.Title)
	tw := c.newTable()
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "  %s:\t%s\n", k, v)
		}
	}
	row("Status", string(t.Status))
	row("Kind", fmt.Sprintf("%s/%s", t.Kind, t.Category))
	row("Severity", fmt.Sprintf("%s (tier %s)", t.Severity, t.Tier))
	row("Department", dash(t.Department))
	row("Assignee", dash(t.Assignee))
	row("Policy", t.Policy)
	reporter := t.Reporter.Name
	if t.Reporter.Contact != "" {
		reporter = strings.TrimSpace(reporter + " <" + t.Reporter.Contact + ">")
	}
	row("Reporter", reporter)
	row("Location", t.Location)
	row("Asset", t.Asset)
	if t.EventAt != nil {
		row("Event at", c.when(*t.EventAt))
	}
	row("Created", c.when(t.CreatedAt))
	row("Updated", c.when(t.UpdatedAt))
	keys := make([]string, 0, len(t.Fields))
	for k := range t.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		row("Field "+k, t.Fields[k])
	}
	c.flush(tw)
	if t.Description != "" {
		fmt.Fprintf(c.out, "\n  %s\n", strings.ReplaceAll(strings.TrimSpace(t.Description), "\n", "\n  "))
	}

	fmt.Fprintf(c.out, "\nSLA\n")
	if len(t.SLA) == 0 {
		fmt.Fprintln(c.out, "  (no targets)")
	} else {
		tw = c.newTable()
		fmt.Fprintln(tw, "  TARGET\tSTATE\tDUE\tMET")
		for _, tg := range t.SLA {
			met := "-"
			if tg.MetAt != nil {
				met = c.when(*tg.MetAt)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", tg.Name, tg.State, c.when(tg.DueAt), met)
		}
		c.flush(tw)
	}

	fmt.Fprintf(c.out, "\nHistory\n")
	tw = c.newTable()
	fmt.Fprintln(tw, "  TIME\tACTOR\tTYPE\tDETAILS")
	for _, ev := range d.History {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", ev.At.In(c.loc).Format("2006-01-02 15:04:05"),
			dash(ev.Actor), ev.Type, client.EventSummary(ev, c.loc))
	}
	c.flush(tw)
}

func (c *ticketCLI) list(ctx context.Context, args []string) int {
	cmd := c.newCommand("ticket", "list", "list [--department D] [--status S] [--open] [--limit N] [--all] [flags]")
	var o client.ListOptions
	var status string
	var all bool
	cmd.fs.StringVar(&o.Department, "department", "", "only this department's tickets")
	cmd.fs.StringVar(&status, "status", "", "only tickets in this status")
	cmd.fs.BoolVar(&o.Open, "open", false, "only open tickets (not closed or cancelled)")
	cmd.fs.IntVar(&o.Limit, "limit", 0, "page size (default: the server's)")
	cmd.fs.StringVar(&o.Cursor, "cursor", "", "continue from a previous page")
	cmd.fs.BoolVar(&all, "all", false, "follow cursors to list every matching ticket")
	if _, code, ok := c.parse(cmd, args, 0); !ok {
		return code
	}
	if status != "" && !ticket.Status(status).Valid() {
		return c.usageError(cmd, fmt.Sprintf("unknown status %q (one of %s)", status, ticket.StatusNames()))
	}
	if o.Limit < 0 {
		return c.usageError(cmd, "--limit must not be negative")
	}
	o.Status = ticket.Status(status)
	api, s, code, ok := c.connect(cmd)
	if !ok {
		return code
	}
	var page wire.TicketList
	var err error
	if all {
		page.Tickets, err = api.AllTickets(ctx, o)
	} else {
		page, err = api.Tickets(ctx, o)
	}
	if err != nil {
		return c.fail(s, err)
	}
	if cmd.common.json {
		if page.Tickets == nil {
			page.Tickets = []ticket.Ticket{}
		}
		return c.printJSON(page)
	}
	tw := c.newTable()
	fmt.Fprintln(tw, "ID\tSTATUS\tDEPARTMENT\tASSIGNEE\tKIND/CATEGORY\tNEXT DUE\tTITLE")
	for _, t := range page.Tickets {
		next := "-"
		if tg := client.NextDue(t); tg != nil {
			next = c.targetShort(*tg)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s/%s\t%s\t%s\n", t.ID, t.Status, dash(t.Department),
			dash(t.Assignee), t.Kind, t.Category, next, client.Truncate(oneLine(t.Title), 60))
	}
	c.flush(tw)
	if len(page.Tickets) == 0 {
		fmt.Fprintln(c.errw, "no tickets match")
	}
	if page.NextCursor != "" {
		fmt.Fprintf(c.errw, "more tickets: add --all, or --cursor %s for the next page\n", page.NextCursor)
	}
	return exitOK
}

func (c *ticketCLI) transition(ctx context.Context, args []string) int {
	cmd := c.newCommand("ticket", "transition", "transition ID --to STATUS [--note TEXT] [flags]")
	var to, note string
	cmd.fs.StringVar(&to, "to", "", "the new status: "+ticket.StatusNames())
	cmd.fs.StringVar(&note, "note", "", "why, recorded in the history")
	pos, code, ok := c.parse(cmd, args, 1)
	if !ok {
		return code
	}
	if to == "" {
		return c.usageError(cmd, "--to is required")
	}
	if !ticket.Status(to).Valid() {
		return c.usageError(cmd, fmt.Sprintf("unknown status %q (one of %s)", to, ticket.StatusNames()))
	}
	api, s, code, ok := c.connect(cmd)
	if !ok {
		return code
	}
	t, err := api.Transition(ctx, pos[0], ticket.Status(to), note)
	if err != nil {
		return c.fail(s, err)
	}
	if cmd.common.json {
		return c.printJSON(t)
	}
	fmt.Fprintf(c.out, "%s is now %s (department: %s, assigned: %s)\n", t.ID, t.Status, dash(t.Department), dash(t.Assignee))
	return exitOK
}

// when writes t as local "2006-01-02 15:04 (in 14m)".
func (c *ticketCLI) when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%s (%s)", t.In(c.loc).Format("2006-01-02 15:04"), client.Relative(t, c.now()))
}

// targetLine describes a target for the create summary.
func (c *ticketCLI) targetLine(tg ticket.Target) string {
	switch tg.State {
	case ticket.TargetMet:
		return tg.Name + " met"
	case ticket.TargetBreached:
		return fmt.Sprintf("%s BREACHED, was due %s", tg.Name, c.when(tg.DueAt))
	default:
		return fmt.Sprintf("%s due %s", tg.Name, c.when(tg.DueAt))
	}
}

// targetShort describes a target for the NEXT DUE column.
func (c *ticketCLI) targetShort(tg ticket.Target) string {
	rel := client.Relative(tg.DueAt, c.now())
	switch tg.State {
	case ticket.TargetBreached:
		return fmt.Sprintf("%s BREACHED %s", tg.Name, strings.TrimPrefix(rel, "in "))
	case ticket.TargetWarning:
		return fmt.Sprintf("%s %s (warning)", tg.Name, rel)
	default:
		return tg.Name + " " + rel
	}
}

// table is an aligned table printed by flush.
type table struct {
	*tabwriter.Writer
	buf *bytes.Buffer
}

func (c *ticketCLI) newTable() table {
	var buf bytes.Buffer
	return table{tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0), &buf}
}

// flush aligns the table and prints it without trailing blanks.
func (c *ticketCLI) flush(t table) {
	t.Flush()
	for _, line := range strings.SplitAfter(t.buf.String(), "\n") {
		if line != "" {
			fmt.Fprintln(c.out, strings.TrimRight(line, " \n"))
		}
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
