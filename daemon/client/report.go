package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/report"
)

// SLAReport returns the SLA report of the tickets created in [from, to),
// grouped by by: "department" (also when empty) or "assignee".
func (c *Client) SLAReport(ctx context.Context, from, to time.Time, by string) (report.Report, error) {
	var rep report.Report
	if from.IsZero() || to.IsZero() {
		return rep, errors.New("client: report: from and to are required")
	}
	q := url.Values{}
	q.Set("from", from.Format(time.RFC3339))
	q.Set("to", to.Format(time.RFC3339))
	if by != "" {
		q.Set("by", by)
	}
	err := c.do(ctx, http.MethodGet, "/reports/sla", q, nil, &rep, nil)
	return rep, err
}
