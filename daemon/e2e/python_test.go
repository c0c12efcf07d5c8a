package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// debianPython is the interpreter the Python plugin runs on: Debian's own,
// with python3-grpcio, python3-protobuf and python3-grpc-tools. The python3
// first on PATH may be another one, without them.
const debianPython = "/usr/bin/python3"

// pythonPlugin is the example plugin, relative to this package.
const pythonPlugin = "../../examples/python/switchboard_plugin.py"

// requireDebianPython skips the test when Debian's python3 or its gRPC
// modules are missing.
func requireDebianPython(t *testing.T) {
	t.Helper()
	out, err := exec.Command(debianPython, "-c", "import grpc, google.protobuf, grpc_tools").CombinedOutput()
	if err != nil {
		t.Skipf("the Python plugin needs %s with grpc, protobuf and grpc_tools "+
			"(apt-get install python3-grpcio python3-protobuf python3-grpc-tools): %v: %s",
			debianPython, err, bytes.TrimSpace(out))
	}
}

// pythonStubs generates the plugin's Python modules from the .proto files
// into a new directory, as examples/python/README.md says, and returns it.
func pythonStubs(t *testing.T) string {
	t.Helper()
	out := t.TempDir()
	cmd := exec.Command(debianPython, "-m", "grpc_tools.protoc",
		"-I", "../../sdk/proto/departmentv1", "-I", "../../examples/python/proto",
		"--python_out="+out, "--grpc_python_out="+out,
		"department.proto", "host.proto", "grpc_broker.proto", "grpc_controller.proto", "health.proto")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generate the Python stubs: %v\n%s", err, b)
	}
	return out
}

// copyPythonPlugin copies the example plugin into a new directory and
// returns its path.
func copyPythonPlugin(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(pythonPlugin)
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "pydesk.py")
	if err := os.WriteFile(script, src, 0o755); err != nil {
		t.Fatal(err)
	}
	return script
}

// pythonConfig is a desk with the Python plugin as department pydesk,
// which gets the requests of category "python"; tls is its TLS line.
func pythonConfig(script, sum, tls string) string {
	return fmt.Sprintf(`
[server]
log_level = "debug"

[routing]
fallback = "service"

[[department]]
name = "service"
plugin = "service"

[[department]]
name = "pydesk"
title = "Python desk"
command = %q
sha256 = %q
%s

[[route]]
department = "pydesk"
kind = ["request"]
category = ["python"]
`, script, sum, tls)
}

// TestPythonPluginResolvesTicket runs the daemon with the Python example
// plugin as a third-party department (command, sha256, tls = false): a
// ticket routed to it is acknowledged with the plugin's assignee, then
// resolved by the plugin through the host API.
func TestPythonPluginResolvesTicket(t *testing.T) {
	requireDebianPython(t)
	// A copy, run from outside the repository: it finds its stubs through
	// SWITCHBOARD_PY_STUBS, which the agent's plugin processes inherit.
	t.Setenv("SWITCHBOARD_PY_STUBS", pythonStubs(t))
	script := copyPythonPlugin(t)

	a := newAgent(t, pythonConfig(script, fileSum(t, script), "tls = false"))
	a.waitPlugins()
	c := a.client()

	tk, err := c.CreateTicket(ctxT(t, 5*time.Second), client.CreateRequest{
		Kind: ticket.KindRequest, Category: "python", Title: "The report script fails",
		Reporter: ticket.Reporter{Name: "Ma Lin"},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	if tk.Department != "pydesk" {
		t.Fatalf("ticket routed to %q, want pydesk", tk.Department)
	}
	d := waitStatus(t, c, tk.ID, ticket.StatusResolved)

	// The history: acknowledged by the plugin, assigned to its agent, then
	// resolved by the plugin through the host API, in that order.
	const actor = "plugin:pydesk"
	var steps []string
	for _, ev := range d.History {
		switch {
		case ev.Type == ticket.EventStatus && jsonField(ev.Data, "to") == string(ticket.StatusAcknowledged):
			steps = append(steps, "acknowledged by "+ev.Actor+": "+jsonField(ev.Data, "note"))
		case ev.Type == ticket.EventAssigned:
			steps = append(steps, "assigned to "+jsonField(ev.Data, "to")+" by "+ev.Actor)
		case ev.Type == ticket.EventStatus && jsonField(ev.Data, "to") == string(ticket.StatusResolved):
			steps = append(steps, "resolved by "+ev.Actor+": "+jsonField(ev.Data, "note"))
		}
	}
	want := []string{
		"acknowledged by " + actor + ": taken by the Python department pydesk",
		"assigned to Py Agent by " + actor,
		"resolved by " + actor + ": fixed by the Python plugin",
	}
	if fmt.Sprint(steps) != fmt.Sprint(want) {
		t.Errorf("history steps = %q, want %q\nhistory %+v", steps, want, d.History)
	}
	if d.Assignee != "Py Agent" {
		t.Errorf("assignee = %q, want Py Agent", d.Assignee)
	}
}

// TestPythonPluginWithTLS leaves AutoMTLS on for the Python plugin, which
// does not implement it: the plugin refuses to start, and the daemon's log
// says why at error level, tagged with the department.
func TestPythonPluginWithTLS(t *testing.T) {
	requireDebianPython(t)
	t.Setenv("SWITCHBOARD_PY_STUBS", pythonStubs(t))
	script := copyPythonPlugin(t)
	a := newAgent(t, pythonConfig(script, fileSum(t, script), ""))
	const reason = "set tls = false on its [[department]]"
	waitFor(t, 30*time.Second, "the plugin's refusal in the daemon's log", func() bool {
		for _, line := range strings.Split(a.out.String(), "\n") {
			if strings.Contains(line, "[ERROR]") && strings.Contains(line, "pydesk") && strings.Contains(line, reason) {
				return true
			}
		}
		return false
	})
	ds, err := a.client().Departments(ctxT(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Name == "pydesk" && d.State == "running" {
			t.Errorf("department pydesk is running with AutoMTLS on: %+v", d)
		}
	}
}
