package sdk_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/sdk"
	"github.com/switchboard-desk/switchboard/sdk/sdktest"
)

// recorder is a department that records what it receives and answers from
// function fields.
type recorder struct {
	mu       sync.Mutex
	tickets  []sdk.Ticket
	events   []sdk.Event
	settings []json.RawMessage

	reply     func(sdk.Ticket) (sdk.Reply, error)
	eventErr  error
	configErr error
	healthErr error
}

func (r *recorder) Info() sdk.Info {
	return sdk.Info{Name: "recorder", Version: "1.2.3", Description: "records calls"}
}

func (r *recorder) HandleTicket(_ context.Context, t sdk.Ticket) (sdk.Reply, error) {
	r.mu.Lock()
	r.tickets = append(r.tickets, t)
	r.mu.Unlock()
	if r.reply != nil {
		return r.reply(t)
	}
	return sdk.Reply{Accept: true}, nil
}

func (r *recorder) HandleEvent(_ context.Context, ev sdk.Event) error {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
	return r.eventErr
}

func (r *recorder) Configure(_ context.Context, s json.RawMessage) error {
	r.mu.Lock()
	r.settings = append(r.settings, s)
	r.mu.Unlock()
	return r.configErr
}

func (r *recorder) Health(context.Context) error { return r.healthErr }

func (r *recorder) last() (sdk.Ticket, sdk.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var t sdk.Ticket
	var ev sdk.Event
	if len(r.tickets) > 0 {
		t = r.tickets[len(r.tickets)-1]
	}
	if len(r.events) > 0 {
		ev = r.events[len(r.events)-1]
	}
	return t, ev
}

var (
	_ sdk.EventHandler  = (*recorder)(nil)
	_ sdk.Configurer    = (*recorder)(nil)
	_ sdk.HealthChecker = (*recorder)(nil)
)

func fullTicket() sdk.Ticket {
	return sdk.Ticket{
		ID: "T-42", Kind: "repair", Category: "hot-water", Severity: "serious", Tier: "vip",
		Title: "no hot water", Description: "dorm 3, second floor, since 7am",
		ReporterName: "Li Wei", ReporterContact: "+86 555 0100",
		Location: "north-campus/dorm-3", Asset: "boiler-2",
		Fields:  map[string]string{"room": "312", "floor": "2", "empty": ""},
		EventAt: time.Date(2026, 3, 4, 18, 30, 0, 123456789, time.UTC),
		Status:  "dispatched", Department: "engineering", Assignee: "Zhang San", Policy: "repair-serious",
		CreatedAt: time.Date(2026, 3, 4, 8, 1, 2, 3, time.UTC),
		Version:   7,
	}
}

func TestTicketRoundTrip(t *testing.T) {
	rec := &recorder{reply: func(t sdk.Ticket) (sdk.Reply, error) {
		return sdk.Reply{Accept: true, Assignee: "A " + t.ID, Note: "note for " + t.Title}, nil
	}}
	c := sdktest.Serve(t, rec)
	ctx := context.Background()

	noEventAt := fullTicket()
	noEventAt.EventAt = time.Time{}
	noFields := fullTicket()
	noFields.Fields = nil
	tests := []struct {
		name string
		in   sdk.Ticket
		want sdk.Ticket
	}{
		{"every field", fullTicket(), fullTicket()},
		{"zero EventAt stays zero", noEventAt, noEventAt},
		{"nil Fields", noFields, noFields},
		{"empty Fields arrive nil", func() sdk.Ticket { x := noFields; x.Fields = map[string]string{}; return x }(), noFields},
		{"zero ticket", sdk.Ticket{}, sdk.Ticket{}},
		{"unicode", sdk.Ticket{ID: "T-热水", Title: "热水器坏了", Fields: map[string]string{"楼": "三号"}},
			sdk.Ticket{ID: "T-热水", Title: "热水器坏了", Fields: map[string]string{"楼": "三号"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reply, err := c.HandleTicket(ctx, tc.in)
			if err != nil {
				t.Fatalf("HandleTicket: %v", err)
			}
			got, _ := rec.last()
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("plugin received\n%#v\nwant\n%#v", got, tc.want)
			}
			want := sdk.Reply{Accept: true, Assignee: "A " + tc.in.ID, Note: "note for " + tc.in.Title}
			if reply != want {
				t.Errorf("reply = %+v, want %+v", reply, want)
			}
		})
	}
}

func TestTimesKeepInstantAcrossZones(t *testing.T) {
	rec := &recorder{}
	c := sdktest.Serve(t, rec)
	shanghai := time.FixedZone("CST", 8*3600)
	in := sdk.Ticket{ID: "T-1", EventAt: time.Date(2026, 1, 2, 9, 0, 0, 5, shanghai)}
	if _, err := c.HandleTicket(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	got, _ := rec.last()
	if !got.EventAt.Equal(in.EventAt) {
		t.Errorf("EventAt = %v, want the instant %v", got.EventAt, in.EventAt)
	}
	if got.EventAt.Location() != time.UTC {
		t.Errorf("EventAt arrives in %v, want UTC", got.EventAt.Location())
	}
}

func TestEventRoundTrip(t *testing.T) {
	rec := &recorder{}
	c := sdktest.Serve(t, rec)
	at := time.Date(2026, 3, 4, 9, 0, 0, 42, time.UTC)
	tests := []struct {
		name string
		in   sdk.Event
	}{
		{"with data", sdk.Event{ID: "T-42/7", Seq: 1001, TicketID: "T-42", Type: "ticket.status_changed",
			Actor: "agent Chen", At: at, Data: json.RawMessage(`{"from":"new","to":"dispatched"}`), Ticket: fullTicket()}},
		{"no data", sdk.Event{ID: "T-42/8", Seq: 1002, TicketID: "T-42", Type: "sla.warning", Actor: "system", At: at, Ticket: fullTicket()}},
		{"zero event", sdk.Event{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := c.HandleEvent(context.Background(), tc.in); err != nil {
				t.Fatalf("HandleEvent: %v", err)
			}
			_, got := rec.last()
			if !reflect.DeepEqual(got, tc.in) {
				t.Errorf("plugin received\n%#v\nwant\n%#v", got, tc.in)
			}
		})
	}
}

func TestInfoConfigureHealth(t *testing.T) {
	rec := &recorder{}
	c := sdktest.Serve(t, rec)
	ctx := context.Background()

	info, err := c.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (sdk.Info{Name: "recorder", Version: "1.2.3", Description: "records calls"}); info != want {
		t.Errorf("Info = %+v, want %+v", info, want)
	}
	if err := c.Configure(ctx, sdk.Config{Settings: json.RawMessage(`{"roster":{"a":["b"]}}`)}); err != nil {
		t.Fatal(err)
	}
	if err := c.Configure(ctx, sdk.Config{}); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	got := rec.settings
	rec.mu.Unlock()
	if len(got) != 2 || string(got[0]) != `{"roster":{"a":["b"]}}` || got[1] != nil {
		t.Errorf("settings received = %q, want the JSON then nil", got)
	}
	if err := c.Health(ctx); err != nil {
		t.Errorf("Health = %v, want nil", err)
	}
}

func TestPluginErrorsNameThePlugin(t *testing.T) {
	boom := errors.New("roster is empty")
	rec := &recorder{
		reply:     func(sdk.Ticket) (sdk.Reply, error) { return sdk.Reply{}, boom },
		eventErr:  boom,
		configErr: boom,
		healthErr: errors.New("downstream lost"),
	}
	c := sdktest.Serve(t, rec)
	ctx := context.Background()
	tests := []struct {
		op   string
		call func() error
		msg  string
	}{
		{"HandleTicket", func() error { _, err := c.HandleTicket(ctx, sdk.Ticket{ID: "T-1"}); return err }, "roster is empty"},
		{"HandleEvent", func() error { return c.HandleEvent(ctx, sdk.Event{ID: "T-1/1"}) }, "roster is empty"},
		{"Configure", func() error { return c.Configure(ctx, sdk.Config{Settings: json.RawMessage(`{}`)}) }, "roster is empty"},
		{"Health", func() error { return c.Health(ctx) }, "downstream lost"},
	}
	for _, tc := range tests {
		t.Run(tc.op, func(t *testing.T) {
			err := tc.call()
			if err == nil {
				t.Fatal("want an error")
			}
			var pe *sdk.PluginError
			if !errors.As(err, &pe) || !sdk.IsPluginError(err) {
				t.Fatalf("error %v (%T) is not a *sdk.PluginError", err, err)
			}
			want := sdk.PluginError{Plugin: "recorder", Op: tc.op, Message: tc.msg}
			if *pe != want {
				t.Errorf("error = %+v, want %+v", *pe, want)
			}
			if !strings.Contains(err.Error(), `plugin "recorder"`) {
				t.Errorf("message %q does not name the plugin", err)
			}
		})
	}
}

func TestPanicBecomesPluginError(t *testing.T) {
	c := sdktest.Serve(t, &recorder{reply: func(sdk.Ticket) (sdk.Reply, error) { panic("nil roster") }})
	_, err := c.HandleTicket(context.Background(), sdk.Ticket{ID: "T-1"})
	if !sdk.IsPluginError(err) || !strings.Contains(err.Error(), "panic: nil roster") {
		t.Fatalf("err = %v, want a plugin error about the panic", err)
	}
	// The plugin still answers after the panic.
	if err := c.Health(context.Background()); err != nil {
		t.Fatalf("Health after panic: %v", err)
	}
}

func TestCancelledContextIsNotAPluginError(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	c := sdktest.Serve(t, &recorder{reply: func(sdk.Ticket) (sdk.Reply, error) {
		<-block
		return sdk.Reply{}, nil
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.HandleTicket(ctx, sdk.Ticket{ID: "T-1"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if sdk.IsPluginError(err) {
		t.Errorf("a timeout was classified as the plugin's error: %v", err)
	}
}

// minimal implements only Department: no events, settings or health.
type minimal struct{}

func (minimal) Info() sdk.Info { return sdk.Info{Name: "minimal"} }
func (minimal) HandleTicket(context.Context, sdk.Ticket) (sdk.Reply, error) {
	return sdk.Reply{Accept: true}, nil
}

func TestDepartmentWithoutOptionalCapabilities(t *testing.T) {
	c := sdktest.Serve(t, minimal{})
	ctx := context.Background()
	if err := c.HandleEvent(ctx, sdk.Event{ID: "T-1/2", Type: "ticket.note_added"}); err != nil {
		t.Errorf("HandleEvent on a plugin without EventHandler = %v, want an ack", err)
	}
	if err := c.Configure(ctx, sdk.Config{Settings: json.RawMessage(`{"ignored":true}`)}); err != nil {
		t.Errorf("Configure on a plugin without Configurer = %v, want nil", err)
	}
	if err := c.Health(ctx); err != nil {
		t.Errorf("Health = %v", err)
	}
	reply, err := c.HandleTicket(ctx, sdk.Ticket{ID: "T-1"})
	if err != nil || !reply.Accept {
		t.Errorf("HandleTicket = %+v, %v", reply, err)
	}
}
