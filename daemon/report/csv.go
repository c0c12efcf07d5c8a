package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// CSVHeader is the header row WriteCSV writes.
var CSVHeader = []string{
	"from", "to", "by", "group", "received", "resolved",
	"response_met", "response_breached", "response_pct",
	"resolution_met", "resolution_breached", "resolution_pct",
	"respond_median_s", "respond_p90_s", "resolve_median_s", "resolve_p90_s",
	"repeat_complaints", "breaches", "breach_details",
}

// WriteCSV writes the reports as one CSV table: a header, then one row per
// group of each report followed by its total. An empty cell is a figure
// with no data (no target decided, no duration measured). Breach details
// read "TICKET target (assignee at breach)", separated by "; ".
func WriteCSV(w io.Writer, reps ...Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	for _, r := range reps {
		for _, g := range append(append([]Group{}, r.Groups...), r.Total) {
			if err := cw.Write(csvRow(r, g)); err != nil {
				return fmt.Errorf("report: write csv: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: write csv: %w", err)
	}
	return nil
}

func csvRow(r Report, g Group) []string {
	details := make([]string, len(g.Breaches))
	for i, b := range g.Breaches {
		who := b.Assignee
		if who == "" {
			who = "unassigned"
		}
		details[i] = fmt.Sprintf("%s %s (%s)", b.TicketID, b.Target, who)
	}
	return []string{
		r.From.Format(timeLayout), r.To.Format(timeLayout), r.By, g.Name,
		strconv.Itoa(g.Received), strconv.Itoa(g.Resolved),
		strconv.Itoa(g.Response.Met), strconv.Itoa(g.Response.Breached), num(g.Response.Percent),
		strconv.Itoa(g.Resolution.Met), strconv.Itoa(g.Resolution.Breached), num(g.Resolution.Percent),
		num(g.TimeToRespond.MedianSeconds), num(g.TimeToRespond.P90Seconds),
		num(g.TimeToResolve.MedianSeconds), num(g.TimeToResolve.P90Seconds),
		strconv.Itoa(g.RepeatComplaints), strconv.Itoa(len(g.Breaches)), strings.Join(details, "; "),
	}
}

const timeLayout = "2006-01-02T15:04:05Z07:00"

// num formats an optional figure; nil is the empty string.
func num(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
