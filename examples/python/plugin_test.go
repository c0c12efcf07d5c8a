// Package python_test runs the Python department plugin as a real process
// under go-plugin's own client, as the daemon does (gRPC, no AutoMTLS), with
// a fake Host service served through the broker. The end-to-end test with
// the daemon is daemon/e2e/python_test.go.
package python_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/switchboard-desk/switchboard/sdk"
	pb "github.com/switchboard-desk/switchboard/sdk/proto/departmentv1"
)

// python is Debian's interpreter, with python3-grpcio, python3-protobuf and
// python3-grpc-tools; the python3 first on PATH may be another one.
const python = "/usr/bin/python3"

// script is the plugin under test, run in place.
var script, _ = filepath.Abs("switchboard_plugin.py")

// requirePython skips the test when Debian's python3 or its gRPC modules
// are missing.
func requirePython(t *testing.T) {
	t.Helper()
	out, err := exec.Command(python, "-c", "import grpc, google.protobuf, grpc_tools").CombinedOutput()
	if err != nil {
		t.Skipf("%s with grpc, protobuf and grpc_tools is needed (apt-get install python3-grpcio python3-protobuf python3-grpc-tools): %v: %s",
			python, err, bytes.TrimSpace(out))
	}
}

// stubs is one directory of generated stubs shared by the package's tests,
// so that the source tree stays clean; the first plugin start generates
// them there.
var stubs string

func TestMain(m *testing.M) {
	var err error
	if stubs, err = os.MkdirTemp("", "pydesk-stubs-"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(stubs)
	os.Exit(code)
}

// conn is the host's side of a plugin connection: the raw gRPC connection
// and go-plugin's broker.
type conn struct {
	broker *plugin.GRPCBroker
	cc     *grpc.ClientConn
}

// rawPlugin dispenses a conn instead of an sdk.Client, so that the test
// speaks the wire protocol itself.
type rawPlugin struct{ plugin.NetRPCUnsupportedPlugin }

func (rawPlugin) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error {
	return errors.New("host side only")
}

func (rawPlugin) GRPCClient(_ context.Context, b *plugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	return &conn{broker: b, cc: cc}, nil
}

// startPlugin runs the script under go-plugin as the daemon does and
// returns the client and the connection.
func startPlugin(t *testing.T) (*plugin.Client, *conn) {
	t.Helper()
	requirePython(t)
	var logs syncBuffer
	cmd := exec.Command(script)
	cmd.Env = append(os.Environ(), "SWITCHBOARD_PY_STUBS="+stubs)
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  sdk.Handshake,
		Plugins:          plugin.PluginSet{sdk.PluginName: rawPlugin{}},
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Debug}),
		StartTimeout:     30 * time.Second,
	})
	t.Cleanup(func() {
		client.Kill()
		if t.Failed() {
			t.Logf("plugin log:\n%s", logs.String())
		}
	})
	rpc, err := client.Client()
	if err != nil {
		t.Fatalf("start %s: %v", script, err)
	}
	raw, err := rpc.Dispense(sdk.PluginName)
	if err != nil {
		t.Fatalf("dispense: %v", err)
	}
	if err := rpc.Ping(); err != nil {
		t.Fatalf("go-plugin ping (grpc.health.v1 for service \"plugin\"): %v", err)
	}
	return client, raw.(*conn)
}

// TestResolvesThroughHost walks the daemon's call order: Describe,
// Capabilities, Configure with a Host served through the broker, then a
// ticket, which the plugin accepts and resolves through the Host once the
// host stops refusing.
func TestResolvesThroughHost(t *testing.T) {
	_, c := startPlugin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dept := pb.NewDepartmentClient(c.cc)

	desc, err := dept.Describe(ctx, &pb.DescribeRequest{})
	if err != nil {
		t.Fatalf("Describe: %v", err)
	}
	if desc.GetName() != "pydesk" || desc.GetProtocolVersion() != sdk.ProtocolVersion {
		t.Errorf("Describe = name %q protocol %d, want pydesk and %d", desc.GetName(), desc.GetProtocolVersion(), sdk.ProtocolVersion)
	}
	caps, err := dept.Capabilities(ctx, &pb.CapabilitiesRequest{HostProtocolVersion: sdk.ProtocolVersion})
	if err != nil {
		t.Fatalf("Capabilities: %v", err)
	}
	if got := strings.Join(caps.GetCapabilities(), ","); got != "host" {
		t.Errorf("Capabilities = %q, want host", got)
	}

	// Bad settings are the plugin's own error, marked by the trailer.
	var trailer metadata.MD
	_, err = dept.Configure(ctx, &pb.ConfigureRequest{Department: "pydesk", Settings: []byte(`{"x":`)}, grpc.Trailer(&trailer))
	if err == nil || !strings.Contains(status.Convert(err).Message(), "settings are not JSON") {
		t.Errorf("Configure with bad settings: error %v, want one about the settings", err)
	}
	if got := trailer.Get("switchboard-plugin-error"); len(got) != 1 || got[0] != "pydesk" {
		t.Errorf("Configure with bad settings: trailer switchboard-plugin-error = %q, want [pydesk]", got)
	}

	host := &fakeHost{refuse: 3}
	id := c.broker.NextId()
	go c.broker.AcceptAndServe(id, func(opts []grpc.ServerOption) *grpc.Server {
		s := grpc.NewServer(opts...)
		pb.RegisterHostServer(s, host)
		return s
	})
	if _, err := dept.Configure(ctx, &pb.ConfigureRequest{Department: "pydesk", HostServiceId: id, Settings: []byte(`{"x":1}`)}); err != nil {
		t.Fatalf("Configure: %v", err)
	}

	reply, err := dept.HandleTicket(ctx, &pb.HandleTicketRequest{Ticket: &pb.Ticket{Id: "SB-7", Kind: "request", Category: "python", Title: "pip is broken"}})
	if err != nil {
		t.Fatalf("HandleTicket: %v", err)
	}
	if !reply.GetAccept() || reply.GetAssignee() != "Py Agent" || reply.GetNote() == "" {
		t.Errorf("HandleTicket = %+v, want accepted by Py Agent with a note", reply)
	}
	ev, err := dept.HandleEvent(ctx, &pb.HandleEventRequest{Event: &pb.Event{Id: "SB-7/2", TicketId: "SB-7", Type: "ticket.acknowledged"}})
	if err != nil || !ev.GetHandled() {
		t.Errorf("HandleEvent = %+v, %v; want handled", ev, err)
	}
	if _, err := dept.Health(ctx, &pb.HealthRequest{}); err != nil {
		t.Errorf("Health: %v", err)
	}

	deadline := time.Now().Add(10 * time.Second)
	for len(host.done()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	done := host.done()
	want := &pb.TransitionRequest{TicketId: "SB-7", Status: "resolved", Note: "fixed by the Python plugin"}
	if len(done) != 1 || done[0].GetTicketId() != want.TicketId || done[0].GetStatus() != want.Status || done[0].GetNote() != want.Note {
		t.Fatalf("transitions done = %v, want one %v", done, want)
	}
	if n := host.attempts(); n != 4 {
		t.Errorf("Transition called %d times, want 4 (3 refused with FailedPrecondition, then done)", n)
	}
}

// TestShutdown checks that go-plugin's Kill, which asks the controller to
// shut the plugin down and waits 2 s before killing it, finds it gone at
// once.
func TestShutdown(t *testing.T) {
	client, _ := startPlugin(t)
	start := time.Now()
	client.Kill()
	t.Logf("Kill took %v", time.Since(start).Round(time.Millisecond))
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("Kill took %v: the plugin did not exit on GRPCController.Shutdown", d)
	}
	if !client.Exited() {
		t.Error("plugin process still running after Kill")
	}
}

// TestRefusesToRun covers the environment checks made before the handshake.
func TestRefusesToRun(t *testing.T) {
	requirePython(t)
	cases := []struct {
		name string
		env  []string
		copy bool // run a copy of the script, away from the .proto files
		want string
	}{
		{"by hand", nil, false, "not run by hand"},
		{"wrong cookie", []string{"SWITCHBOARD_PLUGIN=other"}, false, "not run by hand"},
		{"other protocol", []string{"SWITCHBOARD_PLUGIN=department", "PLUGIN_PROTOCOL_VERSIONS=2,3"}, false, "speaks protocol versions 2,3"},
		{"autotls", []string{"SWITCHBOARD_PLUGIN=department", "PLUGIN_CLIENT_CERT=-----BEGIN CERTIFICATE-----"}, false, "tls = false"},
		{"no stubs", []string{"SWITCHBOARD_PLUGIN=department", "PLUGIN_PROTOCOL_VERSIONS=1"}, true, "set SWITCHBOARD_PY_STUBS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(script)
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "SWITCHBOARD_") && !strings.HasPrefix(kv, "PLUGIN_") {
					cmd.Env = append(cmd.Env, kv)
				}
			}
			cmd.Env = append(cmd.Env, tc.env...)
			if tc.copy {
				cmd.Path = copyScript(t)
				cmd.Env = append(cmd.Env, "SWITCHBOARD_PY_STUBS="+t.TempDir())
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("exit = %v, want status 1", err)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing (it is reserved for the handshake)", stdout.String())
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tc.want)
			}
		})
	}
}

// copyScript copies the plugin into a new directory and returns its path.
func copyScript(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "pydesk.py")
	if err := os.WriteFile(p, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestExitsWhenParentDies starts the plugin from a shell that exits once
// the plugin has handshaken: the orphaned plugin must notice and exit by
// itself.
func TestExitsWhenParentDies(t *testing.T) {
	requirePython(t)
	dir := t.TempDir()
	out, pidFile := filepath.Join(dir, "out"), filepath.Join(dir, "pid")
	const shell = `"$0" >"$1" 2>/dev/null & echo $! >"$2"
for i in $(seq 200); do grep -q '|grpc$' "$1" && exit 0; sleep 0.05; done
exit 1`
	cmd := exec.Command("/bin/sh", "-c", shell, script, out, pidFile)
	cmd.Env = append(os.Environ(), "SWITCHBOARD_PLUGIN=department", "SWITCHBOARD_PY_STUBS="+stubs)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the plugin did not handshake within 10s: %v: %s", err, b)
	}
	orphaned := time.Now()
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid := strings.TrimSpace(string(b))
	for {
		s, err := os.ReadFile("/proc/" + pid + "/stat")
		// Gone, or a zombie waiting for a reaper that is not ours.
		if err != nil || bytes.Contains(s, []byte(") Z ")) {
			t.Logf("plugin exited %v after its parent", time.Since(orphaned).Round(time.Millisecond))
			return
		}
		if time.Since(orphaned) > 5*time.Second {
			syscall.Kill(atoi(t, pid), syscall.SIGKILL)
			t.Fatalf("plugin %s still running 5s after its parent exited", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// fakeHost refuses the first refuse transitions with FailedPrecondition,
// as the daemon does before it commits the acceptance, and records the
// transitions it did.
type fakeHost struct {
	pb.UnimplementedHostServer
	mu     sync.Mutex
	refuse int
	calls  int
	did    []*pb.TransitionRequest
}

func (h *fakeHost) Transition(_ context.Context, req *pb.TransitionRequest) (*pb.TicketResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls++
	if h.calls <= h.refuse {
		return nil, status.Error(codes.FailedPrecondition, "ticket SB-7 is dispatched, not acknowledged")
	}
	h.did = append(h.did, req)
	return &pb.TicketResponse{Ticket: &pb.Ticket{Id: req.GetTicketId(), Status: req.GetStatus()}}, nil
}

func (h *fakeHost) done() []*pb.TransitionRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*pb.TransitionRequest(nil), h.did...)
}

func (h *fakeHost) attempts() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
