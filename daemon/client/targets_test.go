package client_test

import (
	"errors"
	"testing"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

func TestMeetTarget(t *testing.T) {
	c, req, body := slaServer(t, 200, `{"id":"SB-7","sla":[{"target":"room_check","state":"met","met_at":"2026-11-24T09:10:00Z"}]}`)
	tk, err := c.MeetTarget(ctx(t), "SB 7", "room check", "room 1208 checked")
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != "POST" || req.URL.EscapedPath() != "/api/v1/tickets/SB%207/targets/room%20check/met" || req.Header.Get(wire.HeaderActor) != "Wang Fang" {
		t.Errorf("request %s %s, actor %q", req.Method, req.URL.EscapedPath(), req.Header.Get(wire.HeaderActor))
	}
	if string(*body) != `{"note":"room 1208 checked"}` {
		t.Errorf("body %s", *body)
	}
	if tg := tk.Target("room_check"); tk.ID != "SB-7" || tg == nil || tg.State != ticket.TargetMet || tg.MetAt == nil {
		t.Errorf("ticket %+v", tk)
	}
	if _, err := c.MeetTarget(ctx(t), "SB-7", "room_check", ""); err != nil || string(*body) != `{}` {
		t.Errorf("without a note: body %s (%v)", *body, err)
	}
	if _, err := c.MeetTarget(ctx(t), "", "room_check", ""); err == nil {
		t.Error("empty id accepted")
	}
	if _, err := c.MeetTarget(ctx(t), "SB-7", "", ""); err == nil {
		t.Error("empty target accepted")
	}

	c, _, _ = slaServer(t, 409, `{"error":{"code":"target_settled","message":"ticket SB-7: target \"room_check\" is already met at 2026-11-24T09:10:00Z"}}`)
	_, err = c.MeetTarget(ctx(t), "SB-7", "room_check", "")
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != 409 || ae.Code != wire.CodeTargetSettled {
		t.Errorf("err = %v", err)
	}
}
