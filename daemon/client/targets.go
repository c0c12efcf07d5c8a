package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// meetRequest is the body of POST /tickets/{id}/targets/{name}/met.
type meetRequest struct {
	Note string `json:"note,omitempty"`
}

// MeetTarget marks one SLA target of ticket id met
// (POST /api/v1/tickets/{id}/targets/{target}/met), with an optional note
// for the history, and returns the ticket after it: the way to tick off a
// checklist step such as room_check. A target met after its deadline stays
// breached, with its met_at set. A target already met, or a closed or
// cancelled ticket, is an *APIError with status 409
// (wire.CodeTargetSettled); an unknown target, 400.
func (c *Client) MeetTarget(ctx context.Context, id, target, note string) (ticket.Ticket, error) {
	var t ticket.Ticket
	switch {
	case id == "":
		return t, errors.New("client: ticket id is empty")
	case target == "":
		return t, errors.New("client: target name is empty")
	}
	path := "/tickets/" + url.PathEscape(id) + "/targets/" + url.PathEscape(target) + "/met"
	err := c.do(ctx, http.MethodPost, path, nil, meetRequest{Note: note}, &t, nil)
	return t, err
}
