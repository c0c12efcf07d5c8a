package client_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// slaServer answers the SLA endpoints with canned bodies and records what
// it received.
func slaServer(t *testing.T, status int, answer string) (*client.Client, *http.Request, *[]byte) {
	t.Helper()
	var got http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = *r
		body, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return client.New(srv.URL, token, client.WithActor("Wang Fang")), &got, &body
}

func TestDue(t *testing.T) {
	c, req, body := slaServer(t, 200,
		`{"policy":"repair.serious","targets":[{"name":"resolution","due_at":"2026-11-25T10:00:00Z","warn_at":"2026-11-25T04:36:00Z"}]}`)
	start := time.Date(2026, 11, 24, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	from, to := start.Add(time.Hour), start.Add(2*time.Hour)
	res, err := c.Due(ctx(t), wire.DueRequest{Policy: "repair.serious", Start: &start, Pauses: []wire.Span{{From: &from, To: &to}}})
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != "POST" || req.URL.Path != "/api/v1/sla/due" || req.Header.Get("Authorization") != "Bearer "+token {
		t.Errorf("request %s %s", req.Method, req.URL.Path)
	}
	want := `{"policy":"repair.serious","start":"2026-11-24T15:00:00+08:00","pauses":[{"from":"2026-11-24T16:00:00+08:00","to":"2026-11-24T17:00:00+08:00"}]}`
	if string(*body) != want {
		t.Errorf("body\n%s\nwant\n%s", *body, want)
	}
	if res.Policy != "repair.serious" || len(res.Targets) != 1 || !res.Targets[0].DueAt.Equal(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("answer %+v", res)
	}

	c, _, _ = slaServer(t, 400, `{"error":{"code":"invalid_request","message":"event_at: is required by policy finance.voyage_bill"}}`)
	_, err = c.Due(ctx(t), wire.DueRequest{Policy: "finance.voyage_bill", Start: &start})
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != 400 || ae.Message != "event_at: is required by policy finance.voyage_bill" {
		t.Errorf("err = %v", err)
	}
}

func TestReplan(t *testing.T) {
	c, req, body := slaServer(t, 200, `{"id":"SB-7","sla":[{"target":"resolution","due_at":"2026-11-26T04:00:00Z"}]}`)
	due := time.Date(2026, 11, 26, 4, 0, 0, 0, time.UTC)
	tk, err := c.Replan(ctx(t), "SB 7", wire.ReplanRequest{Target: "resolution", DueAt: &due, Reason: "parts arrive Thursday"})
	if err != nil {
		t.Fatal(err)
	}
	if req.URL.EscapedPath() != "/api/v1/tickets/SB%207/replan" || req.Header.Get(wire.HeaderActor) != "Wang Fang" {
		t.Errorf("request %s, actor %q", req.URL.EscapedPath(), req.Header.Get(wire.HeaderActor))
	}
	var sent wire.ReplanRequest
	if err := json.Unmarshal(*body, &sent); err != nil || sent.Target != "resolution" || !sent.DueAt.Equal(due) || sent.Reason != "parts arrive Thursday" {
		t.Errorf("sent %s (%v)", *body, err)
	}
	if tk.ID != "SB-7" || !tk.Target("resolution").DueAt.Equal(due) {
		t.Errorf("ticket %+v", tk)
	}
	if _, err := c.Replan(ctx(t), "", wire.ReplanRequest{}); err == nil {
		t.Error("empty id accepted")
	}

	c, _, _ = slaServer(t, 409, `{"error":{"code":"target_settled","message":"ticket SB-7: target \"response\" is already met"}}`)
	_, err = c.Replan(ctx(t), "SB-7", wire.ReplanRequest{Target: "response", DueAt: &due, Reason: "x"})
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != 409 || ae.Code != wire.CodeTargetSettled {
		t.Errorf("err = %v", err)
	}
}
