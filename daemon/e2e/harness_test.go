package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/client"
)

// binary is the switchboard binary built once for the package's tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "switchboard-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "switchboard")
	build := exec.Command("go", "build", "-o", binary, "github.com/switchboard-desk/switchboard/cmd/switchboard")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build switchboard:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// agentProc is one `switchboard agent` process.
type agentProc struct {
	t       testing.TB
	dir     string // data dir
	cfgPath string
	addr    string
	URL     string
	Token   string
	cmd     *exec.Cmd
	out     *syncBuffer
	done    chan struct{}
}

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

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// newAgent writes cfg to a temp dir and starts an agent on it.
func newAgent(t testing.TB, cfg string) *agentProc {
	t.Helper()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	a := &agentProc{t: t, dir: filepath.Join(dir, "data"), cfgPath: cfgPath, addr: freeAddr(t)}
	a.start()
	t.Cleanup(func() {
		a.stop()
		// E2E_DUMP=1 prints the agent's log even when the test passes.
		if t.Failed() || os.Getenv("E2E_DUMP") != "" {
			t.Logf("agent output:\n%s", a.out.String())
		}
	})
	return a
}

func (a *agentProc) start() {
	a.t.Helper()
	a.out = &syncBuffer{}
	a.cmd = exec.Command(binary, "agent", "--config", a.cfgPath, "--listen", a.addr, "--data-dir", a.dir)
	a.cmd.Stdout, a.cmd.Stderr = a.out, a.out
	if err := a.cmd.Start(); err != nil {
		a.t.Fatal(err)
	}
	a.done = make(chan struct{})
	go func() { a.cmd.Wait(); close(a.done) }()
	a.URL = "http://" + a.addr
	waitFor(a.t, 30*time.Second, "agent ready", func() bool {
		select {
		case <-a.done:
			a.t.Fatalf("agent exited during start:\n%s", a.out.String())
		default:
		}
		resp, err := http.Get(a.URL + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	tok, err := os.ReadFile(filepath.Join(a.dir, "admin.token"))
	if err != nil {
		a.t.Fatalf("admin token: %v", err)
	}
	a.Token = strings.TrimSpace(string(tok))
}

// stop sends SIGTERM and waits for a clean exit.
func (a *agentProc) stop() {
	if a.cmd == nil || a.cmd.Process == nil {
		return
	}
	select {
	case <-a.done:
		return
	default:
	}
	a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(20 * time.Second):
		a.cmd.Process.Kill()
		<-a.done
		a.t.Errorf("agent did not stop within 20s of SIGTERM")
	}
}

// reload writes cfg to the agent's config file and sends SIGHUP.
func (a *agentProc) reload(cfg string) {
	a.t.Helper()
	if err := os.WriteFile(a.cfgPath, []byte(cfg), 0o644); err != nil {
		a.t.Fatal(err)
	}
	a.cmd.Process.Signal(syscall.SIGHUP)
}

// waitPlugins waits until every department's plugin is running.
func (a *agentProc) waitPlugins() {
	a.t.Helper()
	waitFor(a.t, 30*time.Second, "every plugin running", func() bool {
		ds, err := a.client().Departments(context.Background())
		if err != nil {
			return false
		}
		for _, d := range ds {
			if d.State != "running" {
				return false
			}
		}
		return len(ds) > 0
	})
}

func (a *agentProc) client() *client.Client {
	return client.New(a.URL, a.Token, client.WithActor("e2e"))
}

func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// testConfig is a small desk: the three bundled plugins, and a short policy
// for tickets of category "drill" so that breach and escalation happen
// within the test.
const testConfig = `
[server]
log_level = "debug"

[routing]
fallback = "service"

[[department]]
name = "engineering"
plugin = "engineering"
[department.settings]
default_technician = "Li Wei"
[department.settings.roster]
north = ["Chen Jun"]

[[department]]
name = "finance"
plugin = "finance"

[[department]]
name = "service"
plugin = "service"
[department.settings]
agents = ["Wu Fang", "Sun Li"]

[[route]]
department = "engineering"
kind = ["repair"]

[[route]]
department = "finance"
kind = ["request"]
category = ["invoice_correction"]

[[policy]]
name = "test.drill"
escalation = "engineering"
category = ["drill"]
[[policy.target]]
name = "resolution"
after = "1500ms"

[[policy]]
name = "repair.minor"
escalation = "engineering"
kind = ["repair"]
[[policy.target]]
name = "response"
after = "15m"
[[policy.target]]
name = "resolution"
after = "2h"

[[escalation]]
name = "engineering"
[[escalation.level]]
name = "project engineering manager"
at = "warning"
notify = ["project_manager"]
[[escalation.level]]
name = "company engineering department"
at = "breach"
notify = ["engineering_department"]
[[escalation.level]]
name = "general manager"
at = "breach"
after = "4h"
notify = ["general_manager"]

[roles]
project_manager = ["Wang Lei"]
engineering_department = ["Engineering duty desk"]
general_manager = ["Zhao Min"]
`
