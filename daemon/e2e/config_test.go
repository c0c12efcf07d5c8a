package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// TestBadConfigRefusedAtStart: the agent does not start on a config with an
// unknown key, and says which key on which line.
func TestBadConfigRefusedAtStart(t *testing.T) {
	dir := t.TempDir()
	cfg := strings.Replace(testConfig, `after = "1500ms"`, `after = "1500ms"`+"\n"+`aftr = "2h"`, 1)
	path := filepath.Join(dir, "config.toml")
	os.WriteFile(path, []byte(cfg), 0o644)
	line := 1 + strings.Count(cfg[:strings.Index(cfg, "aftr")], "\n")
	out, err := exec.Command(binary, "agent", "--config", path, "--listen", freeAddr(t), "--data-dir", filepath.Join(dir, "data")).CombinedOutput()
	if err == nil {
		t.Fatalf("agent started on a bad config:\n%s", out)
	}
	want := []string{"aftr", "config.toml:" + strconv.Itoa(line)}
	for _, w := range want {
		if !strings.Contains(string(out), w) {
			t.Errorf("output does not name %q:\n%s", w, out)
		}
	}
}

// TestReload: SIGHUP applies new routes; a bad file is refused and the
// running desk keeps its rules.
func TestReload(t *testing.T) {
	a := newAgent(t, testConfig)
	c := a.client()
	create := func() ticket.Ticket {
		tk, err := c.CreateTicket(ctxT(t, 5*time.Second), client.CreateRequest{
			Kind: ticket.KindRequest, Category: "invoice_correction", Title: "Invoice wrong", Reporter: ticket.Reporter{Name: "R"},
		}, "")
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	if d := create().Department; d != "finance" {
		t.Fatalf("before reload: routed to %s", d)
	}

	// A broken file: refused, rules unchanged.
	a.reload(testConfig + "\n[bogus]\nx = 1\n")
	waitFor(t, 10*time.Second, "reload refusal in the log", func() bool {
		return strings.Contains(a.out.String(), "reload failed")
	})
	if d := create().Department; d != "finance" {
		t.Errorf("after a bad reload: routed to %s, want finance still", d)
	}

	// A good file: invoice corrections now go to service.
	a.reload(strings.Replace(testConfig, `category = ["invoice_correction"]`, `category = ["monthly_bill"]`, 1))
	waitFor(t, 10*time.Second, "reload in the log", func() bool {
		return strings.Contains(a.out.String(), "configuration reloaded")
	})
	if d := create().Department; d != "service" {
		t.Errorf("after reload: routed to %s, want service (the fallback)", d)
	}

	// Adding a department starts its plugin (TestReloadUpgradesPlugin
	// covers adding, removing and upgrading under load).
	extra := testConfig + `
[[department]]
name = "facilities"
plugin = "service"
`
	extra = strings.Replace(extra, `[[route]]
department = "engineering"`, `[[route]]
department = "facilities"
kind = ["request"]
category = ["lift"]

[[route]]
department = "engineering"`, 1)
	a.reload(extra)
	waitFor(t, 10*time.Second, "the new department's plugin", func() bool {
		return strings.Contains(a.out.String(), "reload: plugins changed")
	})
	tk, err := c.CreateTicket(ctxT(t, 5*time.Second), client.CreateRequest{
		Kind: ticket.KindRequest, Category: "lift", Title: "Lift stuck", Reporter: ticket.Reporter{Name: "R"},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	if tk.Department != "facilities" {
		t.Errorf("lift ticket routed to %s, want the new department facilities", tk.Department)
	}
}
