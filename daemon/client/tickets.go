package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// CreateRequest is the body of POST /api/v1/tickets: what an agent submits.
// Severity and Tier default on the server ("minor", "general").
type CreateRequest struct {
	Kind        ticket.Kind     `json:"kind"`
	Category    string          `json:"category"`
	Severity    string          `json:"severity,omitempty"`
	Tier        string          `json:"tier,omitempty"`
	Title       string          `json:"title"`
	Description string          `json:"description,omitempty"`
	Reporter    ticket.Reporter `json:"reporter"`
	Location    string          `json:"location,omitempty"`
	Asset       string          `json:"asset,omitempty"`
	// Fields are free key/value fields (a dormitory, a ship's name).
	Fields map[string]string `json:"fields,omitempty"`
	// EventAt is the time of the event the request is about (a ship's
	// departure, a guest's arrival), for deadlines relative to it.
	EventAt *time.Time `json:"event_at,omitempty"`
}

// ListOptions filters GET /api/v1/tickets. Zero values filter nothing.
type ListOptions struct {
	Department string
	Status     ticket.Status
	// Open keeps only tickets that are not closed or cancelled.
	Open bool
	// Limit is the page size; 0 lets the server choose.
	Limit int
	// Cursor is the NextCursor of the previous page.
	Cursor string
}

func (o ListOptions) values() url.Values {
	q := url.Values{}
	if o.Department != "" {
		q.Set("department", o.Department)
	}
	if o.Status != "" {
		q.Set("status", string(o.Status))
	}
	if o.Open {
		q.Set("open", "true")
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.Cursor != "" {
		q.Set("cursor", o.Cursor)
	}
	return q
}

// CreateTicket submits a new ticket and returns it as stored (with its ID,
// department and SLA). A non-empty idempotencyKey makes a retry safe: the
// daemon answers a repeated key with the ticket the first attempt created.
// A key reused for a different submission is refused with an *APIError of
// status 422 and code wire.CodeIdempotencyReused, and nothing is stored.
func (c *Client) CreateTicket(ctx context.Context, req CreateRequest, idempotencyKey string) (ticket.Ticket, error) {
	var t ticket.Ticket
	err := c.do(ctx, http.MethodPost, "/tickets", nil, req, &t,
		map[string]string{wire.HeaderIdempotencyKey: idempotencyKey})
	return t, err
}

// Ticket returns ticket id with its whole history.
func (c *Client) Ticket(ctx context.Context, id string) (wire.TicketDetail, error) {
	var d wire.TicketDetail
	if id == "" {
		return d, errors.New("client: ticket id is empty")
	}
	err := c.do(ctx, http.MethodGet, "/tickets/"+url.PathEscape(id), nil, nil, &d, nil)
	return d, err
}

// Tickets returns one page of tickets matching o, newest first. Pass the
// page's NextCursor as o.Cursor for the next page.
func (c *Client) Tickets(ctx context.Context, o ListOptions) (wire.TicketList, error) {
	var l wire.TicketList
	err := c.do(ctx, http.MethodGet, "/tickets", o.values(), nil, &l, nil)
	return l, err
}

// AllTickets follows cursors from o and returns every matching ticket.
func (c *Client) AllTickets(ctx context.Context, o ListOptions) ([]ticket.Ticket, error) {
	var all []ticket.Ticket
	seen := map[string]bool{}
	for {
		page, err := c.Tickets(ctx, o)
		if err != nil {
			return all, err
		}
		all = append(all, page.Tickets...)
		if page.NextCursor == "" {
			return all, nil
		}
		if seen[page.NextCursor] {
			return all, errors.New("client: server repeated cursor " + strconv.Quote(page.NextCursor))
		}
		seen[page.NextCursor] = true
		o.Cursor = page.NextCursor
	}
}

// Transition moves ticket id to status to, recording note in its history,
// and returns the ticket after the move. An illegal move is an *APIError
// with status 409.
func (c *Client) Transition(ctx context.Context, id string, to ticket.Status, note string) (ticket.Ticket, error) {
	var t ticket.Ticket
	if id == "" {
		return t, errors.New("client: ticket id is empty")
	}
	err := c.do(ctx, http.MethodPost, "/tickets/"+url.PathEscape(id)+"/transitions", nil,
		wire.TransitionRequest{To: to, Note: note}, &t, nil)
	return t, err
}

// Departments returns every department with its plugin's state.
func (c *Client) Departments(ctx context.Context) ([]wire.Department, error) {
	var l wire.DepartmentList
	err := c.do(ctx, http.MethodGet, "/departments", nil, nil, &l, nil)
	return l.Departments, err
}
