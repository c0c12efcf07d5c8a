package sdk_test

import (
	"context"
	"errors"
	"os/exec"
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
