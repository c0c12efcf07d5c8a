package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

func post(t *testing.T, a *agentProc, path, body string, header map[string]string) (int, []byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", a.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+a.Token)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

// TestAPIRejectsBadInput sends each kind of bad submission to the real
// daemon: each is a 400 naming what was wrong, and nothing is stored.
func TestAPIRejectsBadInput(t *testing.T) {
	a := newAgent(t, testConfig)
	tests := []struct {
		name, body, want string
	}{
		{"unknown kind", `{"kind":"praise","category":"x","title":"t"}`, "kind"},
		{"missing title", `{"kind":"repair","category":"valve"}`, "title"},
		{"malformed JSON", `{"kind":"repair",`, "JSON"},
		{"unknown field", `{"kind":"repair","category":"valve","title":"t","priority":1}`, "priority"},
		{"server field", `{"kind":"repair","category":"valve","title":"t","status":"closed"}`, "status"},
		{"bad time", `{"kind":"request","category":"voyage_bill","title":"t","event_at":"tomorrow"}`, "event_at"},
		{"oversized body", `{"kind":"repair","category":"valve","title":"t","description":"` + strings.Repeat("x", 70<<10) + `"}`, "65536"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body, _ := post(t, a, "/api/v1/tickets", tt.body, nil)
			var e wire.ErrorBody
			if code != 400 || json.Unmarshal(body, &e) != nil || e.Error.Code != wire.CodeInvalid {
				t.Fatalf("status %d body %s, want 400 invalid_request", code, body)
			}
			if !strings.Contains(e.Error.Message, tt.want) {
				t.Errorf("message %q does not name %q", e.Error.Message, tt.want)
			}
		})
	}
	list, err := a.client().Tickets(ctxT(t, 5*time.Second), clientList())
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Tickets) != 0 {
		t.Errorf("bad submissions stored %d tickets", len(list.Tickets))
	}

	// Without the token: 401. An idempotent retry: the same ticket.
	req, _ := http.NewRequest("GET", a.URL+"/api/v1/tickets", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("no token: %d, want 401", resp.StatusCode)
	}
	good := `{"kind":"repair","category":"valve","title":"Valve","reporter":{"name":"Liu"}}`
	c1, b1, _ := post(t, a, "/api/v1/tickets", good, map[string]string{"Idempotency-Key": "call-42"})
	c2, b2, h2 := post(t, a, "/api/v1/tickets", good, map[string]string{"Idempotency-Key": "call-42"})
	var t1, t2 struct{ ID string }
	json.Unmarshal(b1, &t1)
	json.Unmarshal(b2, &t2)
	if c1 != 201 || c2 != 200 || t1.ID == "" || t1.ID != t2.ID || h2.Get(wire.HeaderReplayed) != "true" {
		t.Errorf("idempotent retry: %d %s then %d %s (replayed=%q)", c1, t1.ID, c2, t2.ID, h2.Get(wire.HeaderReplayed))
	}

	// The same key with a different submission: 422 naming the key and the
	// first ticket, and no new ticket.
	before, err := a.client().Tickets(ctxT(t, 5*time.Second), clientList())
	if err != nil {
		t.Fatal(err)
	}
	changed := `{"kind":"repair","category":"valve","title":"Valve burst","reporter":{"name":"Liu"}}`
	c3, b3, h3 := post(t, a, "/api/v1/tickets", changed, map[string]string{"Idempotency-Key": "call-42"})
	var e wire.ErrorBody
	want := `Idempotency-Key "call-42" was already used for ` + t1.ID + ` with a different request`
	if c3 != 422 || json.Unmarshal(b3, &e) != nil || e.Error.Code != wire.CodeIdempotencyReused || e.Error.Message != want {
		t.Errorf("reused key, different body: %d %s; want 422 %s %q", c3, b3, wire.CodeIdempotencyReused, want)
	}
	if h3.Get(wire.HeaderReplayed) != "" {
		t.Errorf("the refusal is marked replayed")
	}
	after, err := a.client().Tickets(ctxT(t, 5*time.Second), clientList())
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Tickets) != len(before.Tickets) {
		t.Errorf("the refused submission stored a ticket: %d tickets, then %d", len(before.Tickets), len(after.Tickets))
	}
	for _, tk := range after.Tickets {
		if tk.Title == "Valve burst" {
			t.Errorf("the refused submission is stored as %s", tk.ID)
		}
	}
}

func clientList() client.ListOptions { return client.ListOptions{Limit: 100} }
