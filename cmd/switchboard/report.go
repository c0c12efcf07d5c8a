package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/report"
)

const reportUsage = `Usage: switchboard report sla --from DATE --to DATE [--by department|assignee] [--json|--csv] [flags]

The SLA report of the tickets created from --from (included) to --to (not
included): tickets received and resolved, response and resolution
compliance, breaches with who held the ticket, median and p90 times to
respond and to resolve, repeat complaints; per department or per assignee.

A date (2026-11-16) is local midnight; a time may be given in RFC 3339
(2026-11-16T00:00:00+08:00).

Flags:
  --from DATE       start of the period (required)
  --to DATE         end of the period, excluded (required)
  --by GROUPING     department (default) or assignee
  --json            the report as JSON, as the API returns it
  --csv             the report as CSV
  --addr ADDR       daemon address, host:port or URL (env SWITCHBOARD_ADDR,
                    else [server] listen in --config, else 127.0.0.1:7480)
  --token TOKEN     API token (env SWITCHBOARD_TOKEN, else DATA_DIR/admin.token)
  --config FILE     config file to find the address and token (config.toml)
  --data-dir DIR    data directory holding admin.token
`

// reportCmd runs `switchboard report ...`. It returns the process exit code.
func reportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return (&reportCLI{ticketCLI: newCLI(stdout, stderr)}).run(ctx, args)
}

// reportCLI is the report commands; it shares the ticket commands' way of
// finding the daemon and reporting errors.
type reportCLI struct {
	*ticketCLI
}

func (c *reportCLI) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.errw, reportUsage)
		return exitUsage
	}
	switch args[0] {
	case "sla":
		return c.sla(ctx, args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(c.out, reportUsage)
		return exitOK
	}
	fmt.Fprintf(c.errw, "switchboard report: unknown report %q (sla)\n\n%s", args[0], reportUsage)
	return exitUsage
}

func (c *reportCLI) sla(ctx context.Context, args []string) int {
	cmd := &command{fs: flag.NewFlagSet("switchboard report sla", flag.ContinueOnError), group: "report", usage: "sla"}
	fs := cmd.fs
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	f := &cmd.common
	fs.StringVar(&f.addr, "addr", "", "")
	fs.StringVar(&f.token, "token", "", "")
	fs.StringVar(&f.config, "config", c.defaultConfig, "")
	fs.StringVar(&f.dataDir, "data-dir", "", "")
	fs.BoolVar(&f.json, "json", false, "")
	var fromS, toS, by string
	var asCSV bool
	fs.StringVar(&fromS, "from", "", "")
	fs.StringVar(&toS, "to", "", "")
	fs.StringVar(&by, "by", "department", "")
	fs.BoolVar(&asCSV, "csv", false, "")
	usageErr := func(msg string) int {
		fmt.Fprintf(c.errw, "switchboard report sla: %s\n\n%s", msg, reportUsage)
		return exitUsage
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(c.out, reportUsage)
			return exitOK
		}
		return usageErr(err.Error())
	}
	if fs.NArg() > 0 {
		return usageErr(fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	from, err := c.parseWhen("from", fromS)
	if err != nil {
		return usageErr(err.Error())
	}
	to, err := c.parseWhen("to", toS)
	if err != nil {
		return usageErr(err.Error())
	}
	switch {
	case !from.Before(to):
		return usageErr("--from must be before --to")
	case by != report.ByDepartment && by != report.ByAssignee:
		return usageErr(fmt.Sprintf("--by: unknown grouping %q (department or assignee)", by))
	case f.json && asCSV:
		return usageErr("--json and --csv exclude each other")
	}
	cl, s, code, ok := c.connect(cmd)
	if !ok {
		return code
	}
	rep, err := cl.SLAReport(ctx, from, to, by)
	if err != nil {
		return c.fail(s, err)
	}
	switch {
	case f.json:
		return c.printJSON(rep)
	case asCSV:
		if err := report.WriteCSV(c.out, rep); err != nil {
			fmt.Fprintf(c.errw, "switchboard: %v\n", err)
			return exitAPI
		}
		return exitOK
	}
	c.printReport(rep)
	return exitOK
}

// parseWhen reads --from or --to: a date (local midnight) or RFC 3339.
func (c *reportCLI) parseWhen(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, fmt.Errorf("--%s is required (a date, e.g. 2026-11-16, or RFC 3339)", name)
	}
	if t, err := time.ParseInLocation("2006-01-02", v, c.loc); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--%s: invalid value %q: want a date (2026-11-16) or RFC 3339 (2026-11-16T00:00:00+08:00)", name, v)
}

// printReport writes the report as a table, then its breaches.
func (c *reportCLI) printReport(rep report.Report) {
	layout := "2006-01-02 15:04 MST"
	fmt.Fprintf(c.out, "SLA report by %s, %s to %s\n\n", rep.By, rep.From.In(c.loc).Format(layout), rep.To.In(c.loc).Format(layout))
	tw := tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.ToUpper(rep.By)+"\tRECEIVED\tRESOLVED\tRESPONSE\tRESOLUTION\tRESPOND p50/p90\tRESOLVE p50/p90\tREPEATS\tBREACHES")
	groups := append(append([]report.Group{}, rep.Groups...), rep.Total)
	for _, g := range groups {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%d\t%d\n", g.Name, g.Received, g.Resolved,
			compliance(g.Response), compliance(g.Resolution), durations(g.TimeToRespond), durations(g.TimeToResolve),
			g.RepeatComplaints, len(g.Breaches))
	}
	tw.Flush()
	if len(rep.Total.Breaches) == 0 {
		fmt.Fprintln(c.out, "\nNo breaches.")
		return
	}
	fmt.Fprintln(c.out, "\nBreaches:")
	tw = tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  TICKET\tTARGET\tBREACHED\tDEPARTMENT\tHELD BY")
	for _, b := range rep.Total.Breaches {
		who := b.Assignee
		if who == "" {
			who = "(nobody)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", b.TicketID, b.Target, b.BreachedAt.In(c.loc).Format("2006-01-02 15:04"), b.Department, who)
	}
	tw.Flush()
}

// compliance reads "75.0% (3/4)", or "-" when nothing was decided.
func compliance(cp report.Compliance) string {
	if cp.Percent == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f%% (%d/%d)", *cp.Percent, cp.Met, cp.Met+cp.Breached)
}

// durations reads "5m / 20m", or "-" when nothing was measured.
func durations(d report.Durations) string {
	if d.MedianSeconds == nil || d.P90Seconds == nil {
		return "-"
	}
	sec := func(s float64) string { return client.Span(time.Duration(s * float64(time.Second))) }
	return sec(*d.MedianSeconds) + " / " + sec(*d.P90Seconds)
}
