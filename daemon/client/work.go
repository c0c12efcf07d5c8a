package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// noteRequest is the body of POST /tickets/{id}/notes.
type noteRequest struct {
	Note string `json:"note"`
}

// assignRequest is the body of POST /tickets/{id}/assign.
type assignRequest struct {
	Assignee string `json:"assignee"`
	Note     string `json:"note,omitempty"`
}

// escalateRequest is the body of POST /tickets/{id}/escalate.
type escalateRequest struct {
	Reason string `json:"reason"`
}

// AddNote records note in the history of ticket id
// (POST /api/v1/tickets/{id}/notes) and returns the ticket. A closed or
// cancelled ticket is an *APIError with status 409 (wire.CodeTargetSettled);
// an empty or too long note, 400.
func (c *Client) AddNote(ctx context.Context, id, note string) (ticket.Ticket, error) {
	var t ticket.Ticket
	if id == "" {
		return t, errors.New("client: ticket id is empty")
	}
	err := c.do(ctx, http.MethodPost, "/tickets/"+url.PathEscape(id)+"/notes", nil, noteRequest{Note: note}, &t, nil)
	return t, err
}

// Assign gives ticket id to assignee (POST /api/v1/tickets/{id}/assign),
// with an optional note for the history, and returns the ticket. A closed
// or cancelled ticket is an *APIError with status 409; an empty assignee,
// 400.
func (c *Client) Assign(ctx context.Context, id, assignee, note string) (ticket.Ticket, error) {
	var t ticket.Ticket
	if id == "" {
		return t, errors.New("client: ticket id is empty")
	}
	err := c.do(ctx, http.MethodPost, "/tickets/"+url.PathEscape(id)+"/assign", nil,
		assignRequest{Assignee: assignee, Note: note}, &t, nil)
	return t, err
}

// Escalate raises ticket id by hand to the next level of its escalation
// chain (POST /api/v1/tickets/{id}/escalate), telling that level's people
// reason, and returns the ticket; the escalated event in its history names
// the level reached. A closed or cancelled ticket is an *APIError with
// status 409; an empty reason, 400.
func (c *Client) Escalate(ctx context.Context, id, reason string) (ticket.Ticket, error) {
	var t ticket.Ticket
	if id == "" {
		return t, errors.New("client: ticket id is empty")
	}
	err := c.do(ctx, http.MethodPost, "/tickets/"+url.PathEscape(id)+"/escalate", nil,
		escalateRequest{Reason: reason}, &t, nil)
	return t, err
}
