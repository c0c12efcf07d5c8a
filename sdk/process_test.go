package sdk_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/switchboard-desk/switchboard/sdk"
	"github.com/switchboard-desk/switchboard/sdk/sdktest"
)

// TestRealProcess builds sdk/internal/testplugin and talks to it as the
// daemon does: plugin.NewClient with the SDK's handshake and plugin set.
func TestRealProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := sdktest.Build(t, "./internal/testplugin")

	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  sdk.Handshake,
		Plugins:          sdk.PluginSet(),
		Cmd:              exec.Command(bin),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		StartTimeout:     time.Minute,
	})
	defer client.Kill()
	rpc, err := client.Client()
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	raw, err := rpc.Dispense(sdk.PluginName)
	if err != nil {
		t.Fatalf("dispense: %v", err)
	}
	c, ok := raw.(sdk.Client)
	if !ok {
		t.Fatalf("dispensed %T, want sdk.Client", raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	info, err := c.Info(ctx)
	if err != nil || info.Name != "testplugin" || info.Version != "0.0.1" {
		t.Fatalf("Info = %+v, %v", info, err)
	}
	reply, err := c.HandleTicket(ctx, sdk.Ticket{ID: "T-7", Kind: "repair", Location: "north-campus/dorm-3"})
	if err != nil {
		t.Fatalf("HandleTicket: %v", err)
	}
	if want := (sdk.Reply{Accept: true, Assignee: "tester", Note: "T-7 repair north-campus/dorm-3"}); reply != want {
		t.Errorf("reply = %+v, want %+v", reply, want)
	}
	_, err = c.HandleTicket(ctx, sdk.Ticket{ID: "fail"})
	if !sdk.IsPluginError(err) || !strings.Contains(err.Error(), `plugin "testplugin"`) {
		t.Errorf("err = %v, want a plugin error naming testplugin", err)
	}
	if err := c.Health(ctx); err != nil {
		t.Errorf("Health: %v", err)
	}

	// A dead process is a transport error, retryable, not the plugin's.
	client.Kill()
	err = c.Health(ctx)
	if !errors.Is(err, sdk.ErrUnavailable) || sdk.IsPluginError(err) {
		t.Errorf("Health after kill = %v, want a transport error wrapping ErrUnavailable", err)
	}
}

// TestWrongHandshakeIsRefused starts the plugin with a different protocol
// version; the host must refuse it rather than talk past it.
func TestWrongHandshakeIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := sdktest.Build(t, "./internal/testplugin")
	hs := sdk.Handshake
	hs.ProtocolVersion = sdk.ProtocolVersion + 1
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  hs,
		Plugins:          sdk.PluginSet(),
		Cmd:              exec.Command(bin),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		StartTimeout:     time.Minute,
	})
	defer client.Kill()
	if _, err := client.Client(); err == nil {
		t.Fatal("a plugin of another protocol version was accepted")
	}
}

// TestRunByHand runs the plugin binary without a host: it must exit with
// an explanation instead of hanging.
func TestRunByHand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := sdktest.Build(t, "./internal/testplugin")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin).CombinedOutput()
	if err == nil {
		t.Fatalf("plugin run by hand exited 0; output %s", out)
	}
	if !strings.Contains(string(out), "plugin") {
		t.Errorf("output %q does not explain itself", out)
	}
}

// TestSDKTestStart uses the harness's own process helper.
func TestSDKTestStart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	c := sdktest.Start(t, sdktest.Build(t, "./internal/testplugin"))
	reply, err := c.HandleTicket(context.Background(), sdk.Ticket{ID: "T-8", Kind: "request"})
	if err != nil || !reply.Accept || reply.Assignee != "tester" {
		t.Fatalf("HandleTicket = %+v, %v", reply, err)
	}
}

// TestRealProcessHostAndStream runs testplugin as a real process, serves it
// a Host through the broker, with AutoMTLS off and on, and drives it
// through the work stream: its host call must reach the test's host.
func TestRealProcessHostAndStream(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := sdktest.Build(t, "./internal/testplugin")
	for _, mtls := range []bool{false, true} {
		t.Run(fmt.Sprintf("AutoMTLS=%v", mtls), func(t *testing.T) {
			client := plugin.NewClient(&plugin.ClientConfig{
				HandshakeConfig:  sdk.Handshake,
				Plugins:          sdk.PluginSet(),
				Cmd:              exec.Command(bin),
				AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
				AutoMTLS:         mtls,
				StartTimeout:     time.Minute,
			})
			defer client.Kill()
			rpc, err := client.Client()
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			raw, err := rpc.Dispense(sdk.PluginName)
			if err != nil {
				t.Fatal(err)
			}
			c := raw.(sdk.Client)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()

			caps, err := c.Capabilities(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if want := (sdk.Capabilities{Deliver: true, Events: true, Health: true, Host: true}); caps != want {
				t.Errorf("Capabilities = %+v, want %+v", caps, want)
			}
			h := &callHost{name: "daemon"}
			if err := c.Configure(ctx, sdk.Config{Department: "engineering", Host: h}); err != nil {
				t.Fatal(err)
			}

			// A unary call that uses the host.
			reply, err := c.HandleTicket(ctx, sdk.Ticket{ID: "T-1", Kind: "host-note"})
			if err != nil {
				t.Fatal(err)
			}
			if reply.Note != "noted v3" {
				t.Errorf("reply note = %q, want %q", reply.Note, "noted v3")
			}

			// The stream: an item that uses the host, one the plugin
			// refuses, an event.
			s, err := c.OpenStream(ctx)
			if err != nil {
				t.Fatal(err)
			}
			items := []sdk.Delivery{
				{ID: 1, Ticket: &sdk.Ticket{ID: "T-2", Kind: "host-note"}},
				{ID: 2, Ticket: &sdk.Ticket{ID: "fail"}},
				{ID: 3, Event: &sdk.Event{ID: "T-2/4", TicketID: "T-2", Type: "ticket.note_added"}},
			}
			for _, d := range items {
				if err := s.Send(d); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.CloseSend(); err != nil {
				t.Fatal(err)
			}
			got := map[uint64]sdk.Ack{}
			for _, a := range recvAll(t, s) {
				got[a.ID] = a
			}
			want := map[uint64]sdk.Ack{
				1: {ID: 1, Reply: sdk.Reply{Accept: true, Note: "noted v3"}},
				2: {ID: 2, Err: "refusing ticket fail"},
				3: {ID: 3},
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("acks = %+v, want %+v", got, want)
			}
			calls := h.Calls()
			wantCalls := []string{`AddNote T-1 "seen by testplugin"`, `AddNote T-2 "seen by testplugin"`}
			if !reflect.DeepEqual(calls, wantCalls) {
				t.Errorf("host received %q, want %q", calls, wantCalls)
			}

			// A refusal of the host reaches the plugin with its code.
			h.mu.Lock()
			h.err = &sdk.HostError{Op: "AddNote", Code: sdk.HostPermissionDenied, Message: "T-3 is finance's"}
			h.mu.Unlock()
			reply, err = c.HandleTicket(ctx, sdk.Ticket{ID: "T-3", Kind: "host-note"})
			if err != nil {
				t.Fatal(err)
			}
			if want := "host error permission_denied: host AddNote: permission_denied: T-3 is finance's"; reply.Note != want {
				t.Errorf("reply note = %q, want %q", reply.Note, want)
			}

			// A stream whose plugin dies ends with a retryable error.
			s, err = c.OpenStream(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Send(sdk.Delivery{ID: 1, Ticket: &sdk.Ticket{ID: "T-4"}}); err != nil {
				t.Fatal(err)
			}
			if a, err := s.Recv(); err != nil || a.ID != 1 {
				t.Fatalf("Recv = %+v, %v", a, err)
			}
			client.Kill()
			if _, err := s.Recv(); !errors.Is(err, sdk.ErrUnavailable) || sdk.IsPluginError(err) {
				t.Errorf("Recv after the plugin died = %v, want an error wrapping ErrUnavailable", err)
			}
		})
	}
}

// TestSDKTestStartWith configures a real process through the harness.
func TestSDKTestStartWith(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	h := &callHost{name: "fake"}
	c := sdktest.StartWith(t, sdktest.Build(t, "./internal/testplugin"), sdktest.Options{Department: "engineering", Host: h})
	reply, err := c.HandleTicket(context.Background(), sdk.Ticket{ID: "T-9", Kind: "host-note"})
	if err != nil || reply.Note != "noted v3" {
		t.Fatalf("HandleTicket = %+v, %v", reply, err)
	}
	if calls := h.Calls(); len(calls) != 1 || calls[0] != `AddNote T-9 "seen by testplugin"` {
		t.Errorf("host received %q", calls)
	}
}
