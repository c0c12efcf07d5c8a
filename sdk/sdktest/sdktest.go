// Package sdktest runs Switchboard department plugins in tests, without the
// daemon and through the real protocol.
//
// [Serve] runs a department in the test process over real go-plugin gRPC;
// [Build] and [Start] build a plugin's main package and run it as a real
// process, as the daemon would. Both give an [sdk.Client], the host's view of
// the plugin:
//
//	func TestDepartment(t *testing.T) {
//		c := sdktest.Serve(t, mydept.New())
//		reply, err := c.HandleTicket(context.Background(), sdk.Ticket{ID: "T-1", Kind: "repair"})
//		...
//	}
package sdktest

import (
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/switchboard-desk/switchboard/sdk"
)

// Serve runs d in process behind a real go-plugin gRPC server and returns
// a client connected to it. The server and client stop when the test ends.
func Serve(t testing.TB, d sdk.Department) sdk.Client {
	t.Helper()
	if d == nil {
		t.Fatal("sdktest.Serve: nil department")
	}
	client, server := plugin.TestPluginGRPCConn(t, false, plugin.PluginSet{
		sdk.PluginName: &sdk.GRPCPlugin{Impl: d},
	})
	t.Cleanup(func() {
		// Stop the server first: closing the client first asks the server
		// to stop itself, which races with a second Stop in go-plugin.
		server.Stop()
		_ = client.Close()
	})
	raw, err := client.Dispense(sdk.PluginName)
	if err != nil {
		t.Fatalf("sdktest.Serve: dispense: %v", err)
	}
	c, ok := raw.(sdk.Client)
	if !ok {
		t.Fatalf("sdktest.Serve: dispensed %T, not an sdk.Client", raw)
	}
	return c
}

// Build compiles the main package pkg (an import path or a directory, as
// for `go build`) into a temporary directory and returns the binary's path.
// It runs the go command of the test's environment from the current
// directory, so a relative pkg is relative to the test's package.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	name := filepath.Base(strings.TrimSuffix(pkg, "/"))
	bin := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sdktest.Build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// Start runs the plugin binary bin (with args) as a real process, completes
// the go-plugin handshake and returns a client for it. The plugin's log
// goes to the test log. The process is killed when the test ends.
func Start(t testing.TB, bin string, args ...string) sdk.Client {
	t.Helper()
	logs := &testWriter{t: t}
	t.Cleanup(logs.stop) // runs after Kill below: cleanups run last-in first-out
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  sdk.Handshake,
		Plugins:          sdk.PluginSet(),
		Cmd:              exec.Command(bin, args...),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		StartTimeout:     time.Minute,
		Logger: hclog.New(&hclog.LoggerOptions{
			Name:   "sdktest",
			Level:  hclog.Debug,
			Output: logs,
		}),
	})
	t.Cleanup(client.Kill)
	rpc, err := client.Client()
	if err != nil {
		t.Fatalf("sdktest.Start %s: %v", bin, err)
	}
	raw, err := rpc.Dispense(sdk.PluginName)
	if err != nil {
		t.Fatalf("sdktest.Start %s: dispense: %v", bin, err)
	}
	c, ok := raw.(sdk.Client)
	if !ok {
		t.Fatalf("sdktest.Start %s: dispensed %T, not an sdk.Client", bin, raw)
	}
	return c
}

// testWriter sends log lines to the test log until stopped; logging after
// a test has ended would panic.
type testWriter struct {
	t       testing.TB
	mu      sync.Mutex
	stopped bool
}

// Write logs p unless the test has ended.
func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stopped {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testWriter) stop() {
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
}
