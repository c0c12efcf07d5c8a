package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// Due asks the daemon's SLA engine when a ticket's targets would fall due
// (POST /api/v1/sla/due), without creating one: by q.Policy, or by the
// ticket fields of q, from q.Start, with q's event time and pauses. A bad
// question (no start, an unknown policy, an event time the policy needs) is
// an *APIError with status 400 whose message names the field.
func (c *Client) Due(ctx context.Context, q wire.DueRequest) (wire.DueResponse, error) {
	var r wire.DueResponse
	err := c.do(ctx, http.MethodPost, "/sla/due", nil, q, &r, nil)
	return r, err
}

// Replan sets a new planned time for one unmet target of ticket id
// (POST /api/v1/tickets/{id}/replan) and returns the ticket after it. The
// policy's stakeholders are told r.Reason. A target already met or breached
// is an *APIError with status 409 (wire.CodeTargetSettled); an unknown
// target, 400.
func (c *Client) Replan(ctx context.Context, id string, r wire.ReplanRequest) (ticket.Ticket, error) {
	var t ticket.Ticket
	if id == "" {
		return t, errors.New("client: ticket id is empty")
	}
	err := c.do(ctx, http.MethodPost, "/tickets/"+url.PathEscape(id)+"/replan", nil, r, &t, nil)
	return t, err
}
