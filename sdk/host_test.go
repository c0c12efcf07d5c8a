package sdk_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/sdk"
	"github.com/switchboard-desk/switchboard/sdk/sdktest"
)

// callHost is an sdk.Host that records every call as one line and answers
// with a ticket whose Title echoes the call, or with err when set.
type callHost struct {
	name  string
	mu    sync.Mutex
	calls []string
	err   error
}

func (h *callHost) answer(id, line string) (sdk.Ticket, error) {
	h.mu.Lock()
	h.calls = append(h.calls, line)
	err := h.err
	h.mu.Unlock()
	if err != nil {
		return sdk.Ticket{}, err
	}
	return sdk.Ticket{ID: id, Title: h.name + ": " + line, Version: 3}, nil
}

func (h *callHost) Calls() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.calls...)
}

func (h *callHost) Ticket(_ context.Context, id string) (sdk.Ticket, error) {
	return h.answer(id, "Ticket "+id)
}

func (h *callHost) AddNote(_ context.Context, id, note string) (sdk.Ticket, error) {
	return h.answer(id, fmt.Sprintf("AddNote %s %q", id, note))
}

func (h *callHost) Transition(_ context.Context, id, status, note string) (sdk.Ticket, error) {
	return h.answer(id, fmt.Sprintf("Transition %s %s %q", id, status, note))
}

func (h *callHost) Assign(_ context.Context, id, assignee, note string) (sdk.Ticket, error) {
	return h.answer(id, fmt.Sprintf("Assign %s %s %q", id, assignee, note))
}

func (h *callHost) Replan(_ context.Context, id, target string, at time.Time, reason string) (sdk.Ticket, error) {
	return h.answer(id, fmt.Sprintf("Replan %s %q %s %q", id, target, at.Format(time.RFC3339Nano), reason))
}

func (h *callHost) CreateTicket(_ context.Context, nt sdk.NewTicket, key string) (sdk.Ticket, error) {
	return h.answer("T-new", fmt.Sprintf("CreateTicket %+v %q", nt, key))
}

func (h *callHost) Escalate(_ context.Context, id, reason string) (sdk.Ticket, error) {
	return h.answer(id, fmt.Sprintf("Escalate %s %q", id, reason))
}

// hostDept is a HostUser whose HandleTicket runs the host call named by
// the ticket's Kind and reports the outcome in its reply's note.
type hostDept struct {
	minimal
	mu     sync.Mutex
	host   sdk.Host
	events []string // "UseHost" and "Configure", in order
}

func (d *hostDept) UseHost(h sdk.Host) {
	d.mu.Lock()
	d.host = h
	d.events = append(d.events, "UseHost")
	d.mu.Unlock()
}

func (d *hostDept) Configure(context.Context, json.RawMessage) error { return nil }

var replanAt = time.Date(2026, 3, 5, 9, 0, 0, 7, time.UTC)

func (d *hostDept) HandleTicket(ctx context.Context, t sdk.Ticket) (sdk.Reply, error) {
	d.mu.Lock()
	h := d.host
	d.mu.Unlock()
	if h == nil {
		return sdk.Reply{}, errors.New("no host")
	}
	var got sdk.Ticket
	var err error
	switch t.Kind {
	case "Ticket":
		got, err = h.Ticket(ctx, t.ID)
	case "AddNote":
		got, err = h.AddNote(ctx, t.ID, "boiler checked")
	case "Transition":
		got, err = h.Transition(ctx, t.ID, "in_progress", "on it")
	case "Assign":
		got, err = h.Assign(ctx, t.ID, "Zhang San", "on duty")
	case "Replan":
		got, err = h.Replan(ctx, t.ID, "resolution", replanAt, "part on order")
	case "CreateTicket":
		got, err = h.CreateTicket(ctx, sdk.NewTicket{
			Kind: "repair", Title: "inspection", Fields: map[string]string{"volume": "12"},
			EventAt: replanAt,
		}, "inspection-2026-03-05")
	case "Escalate":
		got, err = h.Escalate(ctx, t.ID, "needs a contractor")
	default:
		return sdk.Reply{}, fmt.Errorf("unknown op %q", t.Kind)
	}
	if err != nil {
		var he *sdk.HostError
		if !errors.As(err, &he) {
			return sdk.Reply{Note: fmt.Sprintf("not a HostError: %T %v", err, err)}, nil
		}
		return sdk.Reply{Note: fmt.Sprintf("error op=%s code=%s msg=%s", he.Op, he.Code, he.Message)}, nil
	}
	return sdk.Reply{Accept: true, Note: fmt.Sprintf("%s v%d", got.Title, got.Version)}, nil
}

func TestHostCallsThroughTheBroker(t *testing.T) {
	h := &callHost{name: "host"}
	d := &hostDept{}
	c := sdktest.Run(t, d, sdktest.Options{Department: "engineering", Host: h})
	d.mu.Lock()
	if got := strings.Join(d.events, ","); got != "UseHost" {
		t.Errorf("department saw %q, want UseHost", got)
	}
	d.mu.Unlock()
	tests := []struct {
		op   string
		call string
	}{
		{"Ticket", `Ticket T-1`},
		{"AddNote", `AddNote T-1 "boiler checked"`},
		{"Transition", `Transition T-1 in_progress "on it"`},
		{"Assign", `Assign T-1 Zhang San "on duty"`},
		{"Replan", `Replan T-1 "resolution" 2026-03-05T09:00:00.000000007Z "part on order"`},
		{"CreateTicket", `CreateTicket {Kind:repair Category: Severity: Tier: Title:inspection Description: ReporterName: ReporterContact: Location: Asset: Fields:map[volume:12] EventAt:2026-03-05 09:00:00.000000007 +0000 UTC} "inspection-2026-03-05"`},
		{"Escalate", `Escalate T-1 "needs a contractor"`},
	}
	for _, tc := range tests {
		t.Run(tc.op, func(t *testing.T) {
			before := len(h.Calls())
			reply, err := c.HandleTicket(context.Background(), sdk.Ticket{ID: "T-1", Kind: tc.op})
			if err != nil {
				t.Fatal(err)
			}
			calls := h.Calls()[before:]
			if len(calls) != 1 || calls[0] != tc.call {
				t.Fatalf("host received %q, want [%q]", calls, tc.call)
			}
			if want := "host: " + tc.call + " v3"; !reply.Accept || reply.Note != want {
				t.Errorf("plugin got back %+v, want the note %q", reply, want)
			}
		})
	}
}

func TestHostErrorsReachThePluginWithTheirCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"not found", &sdk.HostError{Op: "AddNote", Code: sdk.HostNotFound, Message: "no ticket T-1"}, "code=not_found msg=no ticket T-1"},
		{"permission denied", &sdk.HostError{Op: "AddNote", Code: sdk.HostPermissionDenied, Message: "T-1 is finance's"}, "code=permission_denied msg=T-1 is finance's"},
		{"invalid", &sdk.HostError{Op: "AddNote", Code: sdk.HostInvalid, Message: "note is empty"}, "code=invalid msg=note is empty"},
		{"conflict", &sdk.HostError{Op: "AddNote", Code: sdk.HostConflict, Message: "T-1 is closed"}, "code=conflict msg=T-1 is closed"},
		{"unavailable", &sdk.HostError{Op: "AddNote", Code: sdk.HostUnavailable, Message: "stopping"}, "code=unavailable msg=stopping"},
		{"internal", &sdk.HostError{Op: "AddNote", Code: sdk.HostInternal, Message: "disk full"}, "code=internal msg=disk full"},
		{"wrapped", fmt.Errorf("store: %w", &sdk.HostError{Op: "AddNote", Code: sdk.HostConflict, Message: "closed"}), "code=conflict msg=closed"},
		{"plain error", errors.New("database is locked"), "code=internal msg=database is locked"},
		{"context error", context.DeadlineExceeded, "code=unavailable msg=context deadline exceeded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &callHost{err: tc.err}
			c := sdktest.Run(t, &hostDept{}, sdktest.Options{Host: h})
			reply, err := c.HandleTicket(context.Background(), sdk.Ticket{ID: "T-1", Kind: "AddNote"})
			if err != nil {
				t.Fatal(err)
			}
			if want := "error op=AddNote " + tc.want; reply.Note != want {
				t.Errorf("plugin saw %q, want %q", reply.Note, want)
			}
		})
	}
}

func TestConfigureAgainReplacesTheHost(t *testing.T) {
	first, second := &callHost{name: "first"}, &callHost{name: "second"}
	d := &hostDept{}
	c := sdktest.Run(t, d, sdktest.Options{Host: first})
	ctx := context.Background()
	if err := c.Configure(ctx, sdk.Config{Host: second}); err != nil {
		t.Fatal(err)
	}
	reply, err := c.HandleTicket(ctx, sdk.Ticket{ID: "T-2", Kind: "Ticket"})
	if err != nil {
		t.Fatal(err)
	}
	if reply.Note != "second: Ticket T-2 v3" {
		t.Errorf("reply %q, want the second host's answer", reply.Note)
	}
	if n := len(first.Calls()); n != 0 {
		t.Errorf("the first host got %d calls after it was replaced", n)
	}
	d.mu.Lock()
	if got := strings.Join(d.events, ","); got != "UseHost,UseHost" {
		t.Errorf("department saw %q, want UseHost twice", got)
	}
	d.mu.Unlock()
}

func TestNoHostWithoutConfigHost(t *testing.T) {
	d := &hostDept{}
	c := sdktest.Run(t, d, sdktest.Options{Department: "engineering"})
	if _, err := c.HandleTicket(context.Background(), sdk.Ticket{ID: "T-1", Kind: "Ticket"}); err == nil || !strings.Contains(err.Error(), "no host") {
		t.Errorf("HandleTicket without a host = %v, want the department's 'no host' error", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.events) != 0 {
		t.Errorf("UseHost was called without a Host: %v", d.events)
	}
}

// orderHostDept records UseHost and Configure in order.
type orderHostDept struct {
	hostDept
}

func (d *orderHostDept) Configure(context.Context, json.RawMessage) error {
	d.mu.Lock()
	d.events = append(d.events, "Configure")
	d.mu.Unlock()
	return nil
}

func TestUseHostComesBeforeConfigure(t *testing.T) {
	d := &orderHostDept{}
	sdktest.Run(t, d, sdktest.Options{Host: &callHost{}})
	d.mu.Lock()
	defer d.mu.Unlock()
	if want := []string{"UseHost", "Configure"}; !reflect.DeepEqual(d.events, want) {
		t.Errorf("calls = %v, want %v", d.events, want)
	}
}
