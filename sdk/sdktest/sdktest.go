// Package sdktest runs Switchboard department plugins in tests, without the
// daemon and through the real protocol.
//
// [Run] runs a department in the test process over real go-plugin gRPC and
// configures it as the daemon does (Capabilities, then Configure with the
// department, its settings and a Host to call back); [Build] and
// [StartWith] build a plugin's main package and run it as a real process,
// configured the same way. Both give an [sdk.Client], the host's view of the
// plugin. With the fake [Host] of this package, a test sees every call the
// plugin made back into the desk:
//
//	func TestDepartment(t *testing.T) {
//		h := sdktest.NewHost()
//		c := sdktest.Run(t, mydept.New(), sdktest.Options{Department: "facilities", Host: h})
//		reply, err := c.HandleTicket(context.Background(), sdk.Ticket{ID: "T-1", Kind: "repair"})
//		...
//		calls := h.Calls()
//	}
//
// [Serve] and [Start] are the same without the configuration step.
package sdktest

import (
	"context"
	"encoding/json"
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

// Options are what [Run] and [StartWith] hand the plugin after start, as
// the daemon hands it a department's configuration.
type Options struct {
	// Department is the department the plugin serves (Config.Department).
	Department string
	// Settings are the department's settings as JSON; nil for none.
	Settings json.RawMessage
	// Host, when not nil, is served to the plugin through go-plugin's
	// broker, as the daemon serves itself: a HostUser plugin's calls
	// reach it. sdktest.NewHost gives a fake that records them.
	Host sdk.Host
}

// configTimeout bounds the Capabilities and Configure calls of Run and
// StartWith.
const configTimeout = 30 * time.Second

// configure does what the daemon does after a plugin starts: it asks for
// the plugin's capabilities, then configures it with o. It fails the test
// on an error.
func configure(t testing.TB, who string, c sdk.Client, o Options) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), configTimeout)
	defer cancel()
	if _, err := c.Capabilities(ctx); err != nil {
		t.Fatalf("%s: Capabilities: %v", who, err)
	}
	if err := c.Configure(ctx, sdk.Config{Department: o.Department, Settings: o.Settings, Host: o.Host}); err != nil {
		t.Fatalf("%s: Configure: %v", who, err)
	}
}

// Run runs d in process behind a real go-plugin gRPC server, as [Serve]
// does, then asks for its capabilities and configures it with o (serving
// o.Host to it through the broker), failing the test on an error. The
// server and client stop when the test ends.
func Run(t testing.TB, d sdk.Department, o Options) sdk.Client {
	t.Helper()
	c := Serve(t, d)
	configure(t, "sdktest.Run", c, o)
	return c
}

// StartWith runs the plugin binary bin (with args) as a real process, as
// [Start] does, then asks for its capabilities and configures it with o
// (serving o.Host to it through the broker), failing the test on an
// error. The process is killed when the test ends.
func StartWith(t testing.TB, bin string, o Options, args ...string) sdk.Client {
	t.Helper()
	c := Start(t, bin, args...)
	configure(t, "sdktest.StartWith "+bin, c, o)
	return c
}

// Build compiles the main package pkg (an import path or a directory, as
// for `go build`) into a temporary directory and returns the binary's path.
// It runs the go command of the test's environment from the current
// directory, so a relative pkg is relative to the test's package.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	name := filepath.Base(strings.TrimSuffix(pkg, "/"))
	if name == "." || name == ".." || name == string(filepath.Separator) {
		name = "plugin"
	}
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
