package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/client/clienttest"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

const token = "s3cret"

var now = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func newDesk(t *testing.T) (*clienttest.Server, *client.Client) {
	t.Helper()
	srv := clienttest.New(t, token)
	srv.Now = func() time.Time { return now }
	return srv, client.New(srv.URL, token, client.WithActor("Wang Fang"))
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestCreateTicketEncodesBody(t *testing.T) {
	srv, c := newDesk(t)
	at := time.Date(2026, 11, 25, 18, 0, 0, 0, time.FixedZone("CST", 8*3600))
	req := client.CreateRequest{
		Kind: ticket.KindRepair, Category: "valve", Severity: "serious", Tier: "vip",
		Title: "Valve broken", Description: "Dorm 3 hot water valve leaks",
		Reporter: ticket.Reporter{Name: "Li Wei", Contact: "138-0000"},
		Location: "Dorm 3", Asset: "V-17", Fields: map[string]string{"floor": "2"}, EventAt: &at,
	}
	got, err := c.CreateTicket(ctx(t), req, "key-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "SB-1" || got.Department != "engineering" || len(got.SLA) != 2 {
		t.Fatalf("created ticket = %+v", got)
	}
	r := srv.LastRequest()
	if r.Method != "POST" || r.Path != "/api/v1/tickets" {
		t.Fatalf("request = %s %s", r.Method, r.Path)
	}
	for h, want := range map[string]string{
		"Authorization": "Bearer " + token, wire.HeaderIdempotencyKey: "key-1",
		wire.HeaderActor: "Wang Fang", "Content-Type": "application/json",
	} {
		if v := r.Header.Get(h); v != want {
			t.Errorf("header %s = %q, want %q", h, v, want)
		}
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"kind": "repair", "category": "valve", "severity": "serious", "tier": "vip",
		"title": "Valve broken", "description": "Dorm 3 hot water valve leaks",
		"reporter": map[string]any{"name": "Li Wei", "contact": "138-0000"},
		"location": "Dorm 3", "asset": "V-17", "fields": map[string]any{"floor": "2"},
		"event_at": "2026-11-25T18:00:00+08:00",
	}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("body = %v\nwant %v", body, want)
	}
}

func TestCreateTicketOmitsEmptyOptionalKeys(t *testing.T) {
	srv, c := newDesk(t)
	if _, err := c.CreateTicket(ctx(t), client.CreateRequest{Kind: "complaint", Category: "noise", Title: "Loud"}, ""); err != nil {
		t.Fatal(err)
	}
	r := srv.LastRequest()
	if r.Header.Get(wire.HeaderIdempotencyKey) != "" {
		t.Error("empty idempotency key was sent")
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"severity", "tier", "description", "location", "asset", "fields", "event_at"} {
		if _, ok := body[k]; ok {
			t.Errorf("empty %q was sent: %s", k, r.Body)
		}
	}
}

func TestCreateTicketIdempotent(t *testing.T) {
	_, c := newDesk(t)
	req := client.CreateRequest{Kind: "repair", Category: "valve", Title: "Leak"}
	a, err := c.CreateTicket(ctx(t), req, "same")
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.CreateTicket(ctx(t), req, "same")
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != b.ID {
		t.Errorf("replay created %s, first was %s", b.ID, a.ID)
	}
	req.Title = "Burst"
	_, err = c.CreateTicket(ctx(t), req, "same")
	var ae *client.APIError
	want := `Idempotency-Key "same" was already used for ` + a.ID + ` with a different request`
	if !errors.As(err, &ae) || ae.Status != 422 || ae.Code != wire.CodeIdempotencyReused || ae.Message != want {
		t.Errorf("same key, another submission: %v; want a 422 %s %q", err, wire.CodeIdempotencyReused, want)
	}
}

func TestAPIErrors(t *testing.T) {
	srv, c := newDesk(t)
	if _, err := c.CreateTicket(ctx(t), client.CreateRequest{Kind: "repair", Category: "valve", Title: "Leak"}, ""); err != nil {
		t.Fatal(err)
	}
	bad := client.New(srv.URL, "wrong")
	tests := []struct {
		name    string
		call    func() error
		status  int
		code    string
		message string
	}{
		{"missing title", func() error {
			_, err := c.CreateTicket(ctx(t), client.CreateRequest{Kind: "repair", Category: "valve"}, "")
			return err
		}, 400, wire.CodeInvalid, "title: is required"},
		{"unknown kind", func() error {
			_, err := c.CreateTicket(ctx(t), client.CreateRequest{Kind: "praise", Category: "x", Title: "y"}, "")
			return err
		}, 400, wire.CodeInvalid, `kind: unknown kind "praise"`},
		{"not found", func() error { _, err := c.Ticket(ctx(t), "SB-99"); return err }, 404, wire.CodeNotFound, `ticket "SB-99" not found`},
		{"illegal transition", func() error {
			_, err := c.Transition(ctx(t), "SB-1", ticket.StatusClosed, "")
			return err
		}, 409, wire.CodeConflict, `cannot move a ticket from "new" to "closed"`},
		{"bad token", func() error { _, err := bad.Departments(ctx(t)); return err }, 401, wire.CodeUnauthorized, "bearer token"},
		{"bad limit", func() error { _, err := c.Tickets(ctx(t), client.ListOptions{Limit: 9999}); return err }, 400, wire.CodeInvalid, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var ae *client.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v (%T), want *APIError", err, err)
			}
			if ae.Status != tt.status || ae.Code != tt.code || !strings.Contains(ae.Message, tt.message) {
				t.Errorf("got %+v, want %d %s %q", ae, tt.status, tt.code, tt.message)
			}
			if !strings.Contains(err.Error(), tt.message) || !strings.Contains(err.Error(), tt.code) {
				t.Errorf("Error() = %q lacks message or code", err)
			}
		})
	}
	if !client.IsNotFound(tests[2].call()) {
		t.Error("IsNotFound(404) = false")
	}
}

func TestNonJSONErrorAndNetworkError(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream proxy exploded", http.StatusBadGateway)
	}))
	defer plain.Close()
	_, err := client.New(plain.URL, "").Departments(ctx(t))
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != 502 || ae.Code != "" || ae.Message != "upstream proxy exploded" {
		t.Fatalf("err = %#v", err)
	}
	if want := "upstream proxy exploded (HTTP 502 bad gateway)"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}

	closed := httptest.NewServer(http.NotFoundHandler())
	url := closed.URL
	closed.Close()
	_, err = client.New(url, "").Departments(ctx(t))
	if err == nil || errors.As(err, &ae) || !strings.HasPrefix(err.Error(), "client: ") {
		t.Errorf("network error = %v", err)
	}
}

func TestBadBaseURL(t *testing.T) {
	for _, u := range []string{"127.0.0.1:7480", "ftp://x", "http://", "http://a b"} {
		_, err := client.New(u, "").Departments(ctx(t))
		if err == nil || !strings.Contains(err.Error(), "bad base URL") {
			t.Errorf("New(%q): err = %v", u, err)
		}
	}
}

func TestBaseURLPathPrefixKept(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.EscapedPath()
		w.Write([]byte(`{"departments":[]}`))
	}))
	defer srv.Close()
	if _, err := client.New(srv.URL+"/desk/", "").Departments(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if got != "/desk/api/v1/departments" {
		t.Errorf("path = %q", got)
	}
	if _, err := client.New(srv.URL, "").Ticket(ctx(t), "a/b c"); err != nil {
		t.Fatal(err)
	}
	if got != "/api/v1/tickets/a%2Fb%20c" {
		t.Errorf("escaped id path = %q", got)
	}
	if _, err := client.New(srv.URL, "").Ticket(ctx(t), ""); err == nil || !strings.Contains(err.Error(), "id is empty") {
		t.Errorf("empty id: err = %v", err)
	}
}

func TestShowListTransitionDepartments(t *testing.T) {
	srv, c := newDesk(t)
	for i, cat := range []string{"valve", "invoice", "valve"} {
		if _, err := c.CreateTicket(ctx(t), client.CreateRequest{Kind: "repair", Category: cat, Title: "t" + string(rune('0'+i))}, ""); err != nil {
			t.Fatal(err)
		}
	}
	moved, err := c.Transition(ctx(t), "SB-1", ticket.StatusDispatched, "sent to Zhang")
	if err != nil || moved.Status != ticket.StatusDispatched {
		t.Fatalf("transition: %v %+v", err, moved)
	}
	var tr map[string]any
	json.Unmarshal(srv.LastRequest().Body, &tr)
	if !reflect.DeepEqual(tr, map[string]any{"to": "dispatched", "note": "sent to Zhang"}) {
		t.Errorf("transition body = %v", tr)
	}
	d, err := c.Ticket(ctx(t), "SB-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.History) != 3 || d.History[2].Type != ticket.EventStatus || d.History[2].Actor != "Wang Fang" {
		t.Errorf("history = %+v", d.History)
	}

	l, err := c.Tickets(ctx(t), client.ListOptions{Department: "engineering", Open: true, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if q := srv.LastRequest().Query; q != "department=engineering&limit=1&open=true" {
		t.Errorf("query = %q", q)
	}
	if len(l.Tickets) != 1 || l.Tickets[0].ID != "SB-3" || l.NextCursor == "" {
		t.Fatalf("page 1 = %+v", l)
	}
	all, err := c.AllTickets(ctx(t), client.ListOptions{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tk := range all {
		ids = append(ids, tk.ID)
	}
	if !reflect.DeepEqual(ids, []string{"SB-3", "SB-2", "SB-1"}) {
		t.Errorf("all ids = %v", ids)
	}

	ds, err := c.Departments(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 3 || ds[0].Name != "engineering" || ds[0].OpenTickets != 2 {
		t.Errorf("departments = %+v", ds)
	}
}
