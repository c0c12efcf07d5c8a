package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/client/clienttest"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

const testToken = "tok-123"

// deskNow is the fake daemon's clock; the CLI's clock is a minute later.
var deskNow = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

// syncBuf is a bytes.Buffer safe for a command running in a goroutine.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// harness runs ticket commands against a fake daemon with a fixed clock,
// UTC and an environment pointing at the fake.
type harness struct {
	t    *testing.T
	desk *clienttest.Server
	env  map[string]string
}

func newHarness(t *testing.T) *harness {
	desk := clienttest.New(t, testToken)
	desk.Now = func() time.Time { return deskNow }
	return &harness{t: t, desk: desk, env: map[string]string{
		"SWITCHBOARD_ADDR": desk.URL, "SWITCHBOARD_TOKEN": testToken,
	}}
}

func (h *harness) cli(out, errw *syncBuf) *ticketCLI {
	return &ticketCLI{out: out, errw: errw, getenv: func(k string) string { return h.env[k] },
		defaultConfig: filepath.Join(h.t.TempDir(), "config.toml"),
		now:           func() time.Time { return deskNow.Add(time.Minute) }, loc: time.UTC, retry: 10 * time.Millisecond}
}

// run runs one command. The default config file does not exist, so only the
// environment counts.
func (h *harness) run(args ...string) (code int, stdout, stderr string) {
	h.t.Helper()
	var out, errw syncBuf
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code = h.cli(&out, &errw).run(ctx, args)
	return code, out.String(), errw.String()
}

func (h *harness) mustRun(args ...string) string {
	h.t.Helper()
	code, out, errs := h.run(args...)
	if code != 0 {
		h.t.Fatalf("%v: exit %d, stderr:\n%s", args, code, errs)
	}
	return out
}

func (h *harness) createValve() {
	h.t.Helper()
	h.mustRun("create", "--kind", "repair", "--category", "valve", "--title", "Valve leaks")
}

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n--- got\n%s--- want\n%s", path, got, want)
	}
}

func TestCreate(t *testing.T) {
	h := newHarness(t)
	out := h.mustRun("create", "--kind", "repair", "--category", "valve", "--severity", "serious",
		"--title", "Valve leaks in Dorm 3", "--reporter-name", "Li Wei", "--reporter-contact", "138",
		"--location", "Dorm 3", "--asset", "V-17", "--field", "floor=2", "--field", "room=301",
		"--event-at", "2026-11-25T18:00:00+08:00", "--idempotency-key", "k1", "--as", "Wang Fang")
	want := "Created SB-1 (repair/valve, serious) → engineering, assigned: -, SLA: " +
		"response due 2026-11-24 10:15 (in 14m), resolution due 2026-11-24 18:00 (in 7h59m)\n"
	if out != want {
		t.Errorf("output:\n%q\nwant\n%q", out, want)
	}
	r := h.desk.LastRequest()
	if r.Header.Get(wire.HeaderActor) != "Wang Fang" || r.Header.Get(wire.HeaderIdempotencyKey) != "k1" ||
		r.Header.Get("Authorization") != "Bearer "+testToken {
		t.Errorf("headers = %v", r.Header)
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	if body["event_at"] != "2026-11-25T18:00:00+08:00" || body["fields"].(map[string]any)["room"] != "301" ||
		body["reporter"].(map[string]any)["name"] != "Li Wei" {
		t.Errorf("body = %s", r.Body)
	}

	out = h.mustRun("create", "--json", "--kind", "complaint", "--category", "noise", "--title", "Loud")
	var tk ticket.Ticket
	if err := json.Unmarshal([]byte(out), &tk); err != nil || tk.ID != "SB-2" || tk.Department != "service" {
		t.Errorf("--json output %q: %v", out, err)
	}
}

func TestCreateErrors(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"api names the field", []string{"create", "--kind", "repair", "--category", "valve"}, 1,
			"switchboard: title: is required (HTTP 400 invalid_request)"},
		{"bad kind", []string{"create", "--kind", "praise", "--category", "x", "--title", "y"}, 1, `unknown kind "praise"`},
		{"bad field flag", []string{"create", "--field", "novalue"}, 2, `want key=value, got "novalue"`},
		{"bad event-at", []string{"create", "--event-at", "tomorrow"}, 2, "want RFC 3339"},
		{"unknown flag", []string{"create", "--colour", "red"}, 2, "flag provided but not defined: -colour"},
		{"stray argument", []string{"create", "SB-1"}, 2, `unexpected argument "SB-1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := h.run(tt.args...)
			if code != tt.code || !strings.Contains(errs, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errs, tt.code, tt.stderr)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
		})
	}
}

func TestShow(t *testing.T) {
	h := newHarness(t)
	h.mustRun("create", "--kind", "repair", "--category", "valve", "--title", "Valve leaks",
		"--reporter-name", "Li Wei", "--field", "floor=2", "--description", "Hot water\nleaks")
	h.mustRun("transition", "SB-1", "--to", "dispatched", "--note", "sent to Zhang", "--as", "Wang Fang")
	if _, err := h.desk.Emit("SB-1", ticket.NewEvent(ticket.EventSLABreached, "sla", deskNow.Add(15*time.Minute),
		ticket.SLAData{Target: "response", DueAt: deskNow.Add(15 * time.Minute)}), func(tk *ticket.Ticket) {
		tk.SLA[0].State = ticket.TargetBreached
	}); err != nil {
		t.Fatal(err)
	}
	out := h.mustRun("show", "SB-1")
	golden(t, "show.golden", out)
	out = h.mustRun("show", "--json", "SB-1")
	var d wire.TicketDetail
	if err := json.Unmarshal([]byte(out), &d); err != nil || len(d.History) != 4 {
		t.Errorf("--json: %v, %d events", err, len(d.History))
	}
	// Flags after the ID work too.
	if out2 := h.mustRun("show", "SB-1", "--json"); out2 != out {
		t.Error("show ID --json differs from show --json ID")
	}

	code, _, errs := h.run("show", "SB-404")
	if code != 1 || !strings.Contains(errs, `switchboard: ticket "SB-404" not found (HTTP 404 not_found)`) {
		t.Errorf("missing ticket: exit %d, %q", code, errs)
	}
	if code, _, errs = h.run("show"); code != 2 || !strings.Contains(errs, "Usage: switchboard ticket show ID") {
		t.Errorf("no ID: exit %d, %q", code, errs)
	}
}

func TestList(t *testing.T) {
	h := newHarness(t)
	h.createValve()
	h.mustRun("create", "--kind", "request", "--category", "invoice", "--title", "Correct invoice 7731")
	h.createValve()
	h.mustRun("transition", "SB-3", "--to", "cancelled")

	out := h.mustRun("list")
	want := "" +
		"ID    STATUS     DEPARTMENT   ASSIGNEE  KIND/CATEGORY    NEXT DUE         TITLE\n" +
		"SB-3  cancelled  engineering  -         repair/valve     response in 14m  Valve leaks\n" +
		"SB-2  new        finance      -         request/invoice  response in 14m  Correct invoice 7731\n" +
		"SB-1  new        engineering  -         repair/valve     response in 14m  Valve leaks\n"
	if out != want {
		t.Errorf("list:\n%s\nwant:\n%s", out, want)
	}

	out = h.mustRun("list", "--department", "engineering", "--open")
	if q := h.desk.LastRequest().Query; q != "department=engineering&open=true" {
		t.Errorf("query = %q", q)
	}
	if strings.Count(out, "\n") != 2 || !strings.Contains(out, "SB-1 ") {
		t.Errorf("filtered list:\n%s", out)
	}

	code, out, errs := h.run("list", "--limit", "1")
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(errs, "more tickets: add --all, or --cursor 1") {
		t.Errorf("one page: exit %d\n%s%s", code, out, errs)
	}
	out = h.mustRun("list", "--limit", "1", "--all", "--json")
	var l wire.TicketList
	if err := json.Unmarshal([]byte(out), &l); err != nil || len(l.Tickets) != 3 || l.NextCursor != "" {
		t.Errorf("--all --json: %v %+v", err, l)
	}

	if code, _, errs := h.run("list", "--status", "sleeping"); code != 2 || !strings.Contains(errs, `unknown status "sleeping"`) {
		t.Errorf("bad status: exit %d, %q", code, errs)
	}
	if code, _, errs := h.run("list", "--limit", "x"); code != 2 || !strings.Contains(errs, "invalid value") {
		t.Errorf("bad limit: exit %d, %q", code, errs)
	}
	code, out, errs = h.run("list", "--status", "waiting")
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(errs, "no tickets match") {
		t.Errorf("empty list: exit %d %q %q", code, out, errs)
	}
}

func TestTransition(t *testing.T) {
	h := newHarness(t)
	h.createValve()
	out := h.mustRun("transition", "SB-1", "--to", "dispatched")
	if out != "SB-1 is now dispatched (department: engineering, assigned: -)\n" {
		t.Errorf("output %q", out)
	}
	var body map[string]any
	json.Unmarshal(h.desk.LastRequest().Body, &body)
	if len(body) != 1 || body["to"] != "dispatched" {
		t.Errorf("body = %v", body)
	}
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"transition", "SB-1", "--to", "closed"}, 1, `cannot move a ticket from "dispatched" to "closed"`},
		{[]string{"transition", "SB-9", "--to", "closed"}, 1, `ticket "SB-9" not found`},
		{[]string{"transition", "SB-1"}, 2, "--to is required"},
		{[]string{"transition", "SB-1", "--to", "done"}, 2, `unknown status "done" (one of new, dispatched`},
		{[]string{"transition", "--to", "closed"}, 2, "want 1 argument(s), got 0"},
		{[]string{"transition", "SB-1", "SB-2", "--to", "closed"}, 2, "want 1 argument(s), got 2"},
	}
	for _, tt := range tests {
		code, _, errs := h.run(tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.stderr) {
			t.Errorf("%v: exit %d, %q; want %d, %q", tt.args, code, errs, tt.code, tt.stderr)
		}
	}
}

func TestUsage(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		args      []string
		code      int
		out, errs string
	}{
		{nil, 2, "", "Usage: switchboard ticket COMMAND"},
		{[]string{"explode"}, 2, "", `unknown command "explode"`},
		{[]string{"-h"}, 0, "Usage: switchboard ticket COMMAND", ""},
		{[]string{"create", "-h"}, 0, "-reporter-contact", ""},
		{[]string{"list", "--help"}, 0, "-department", ""},
		{[]string{"watch", "-h"}, 0, "Usage: switchboard ticket watch", ""},
	}
	for _, tt := range tests {
		code, out, errs := h.run(tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errs, tt.errs) {
			t.Errorf("%v: exit %d\nstdout %q\nstderr %q", tt.args, code, out, errs)
		}
	}
}

func TestConnectionErrors(t *testing.T) {
	h := newHarness(t)
	h.env["SWITCHBOARD_TOKEN"] = "wrong"
	code, _, errs := h.run("list")
	if code != 1 || !strings.Contains(errs, "switchboard: missing or wrong bearer token (HTTP 401 unauthorized)") {
		t.Errorf("bad token: exit %d %q", code, errs)
	}

	delete(h.env, "SWITCHBOARD_TOKEN")
	code, _, errs = h.run("list")
	if code != 1 || !strings.Contains(errs, "no token: pass --token, set SWITCHBOARD_TOKEN") {
		t.Errorf("no token: exit %d %q", code, errs)
	}

	url := h.desk.URL
	h.desk.Close()
	h.env["SWITCHBOARD_TOKEN"] = testToken
	for _, cmd := range [][]string{{"list"}, {"watch"}} {
		code, _, errs = h.run(cmd...)
		if code != 1 || !strings.Contains(errs, "is the daemon running at "+url) {
			t.Errorf("%v, daemon down: exit %d %q", cmd, code, errs)
		}
	}

	h.env["SWITCHBOARD_ADDR"] = "not an address"
	if code, _, errs = h.run("list"); code != 2 || !strings.Contains(errs, `bad address "not an address"`) {
		t.Errorf("bad address: exit %d %q", code, errs)
	}
}

// waitFor polls cond for up to 20s: the stream is asynchronous.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWatch(t *testing.T) {
	h := newHarness(t)
	h.createValve()
	h.mustRun("create", "--kind", "request", "--category", "invoice", "--title", "Invoice")
	var out, errw syncBuf
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- h.cli(&out, &errw).run(ctx, []string{"watch", "--department", "engineering"}) }()

	waitFor(t, "the snapshot", func() bool { return strings.Contains(errw.String(), "watching: 1 open tickets, 3 departments") })
	due := deskNow.Add(15 * time.Minute)
	h.desk.Emit("SB-2", ticket.NewEvent(ticket.EventSLAWarning, "sla", deskNow.Add(12*time.Minute),
		ticket.SLAData{Target: "response", DueAt: due}), nil) // finance: filtered out
	h.desk.Emit("SB-1", ticket.NewEvent(ticket.EventSLABreached, "sla", due.Add(2*time.Second),
		ticket.SLAData{Target: "response", DueAt: due}), nil)
	h.desk.SetDepartment(wire.Department{Name: "engineering", State: "restarting", Restarts: 2, Error: "exit status 1"})
	waitFor(t, "the event lines", func() bool { return strings.Count(out.String(), "\n") == 2 })
	want := "10:15:02 SB-1 sla.breached response (due 10:15:00)\n" +
		"10:01:00 department engineering restarting (restarts 2): exit status 1\n"
	if out.String() != want {
		t.Errorf("watch output:\n%s\nwant:\n%s", out.String(), want)
	}

	// The daemon drops the stream: watch reconnects and carries on.
	h.desk.DropStreams()
	waitFor(t, "the reconnect", func() bool { return strings.Count(errw.String(), "watching:") == 2 })
	h.mustRun("transition", "SB-1", "--to", "dispatched", "--as", "Wang Fang")
	waitFor(t, "the status line", func() bool { return strings.Count(out.String(), "\n") == 3 })
	if !strings.HasSuffix(out.String(), "10:00:00 SB-1 ticket.status_changed new → dispatched (by Wang Fang)\n") {
		t.Errorf("after reconnect:\n%s", out.String())
	}
	if !strings.Contains(errw.String(), "reconnecting in") {
		t.Errorf("stderr lacks the reconnect notice:\n%s", errw.String())
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d after interrupt", code)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("watch did not stop on interrupt")
	}
}

func TestWatchJSON(t *testing.T) {
	h := newHarness(t)
	h.createValve()
	var out, errw syncBuf
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- h.cli(&out, &errw).run(ctx, []string{"watch", "--json"}) }()
	waitFor(t, "the snapshot", func() bool { return strings.Count(out.String(), "\n") == 1 })
	h.mustRun("transition", "SB-1", "--to", "dispatched")
	waitFor(t, "the event", func() bool { return strings.Count(out.String(), "\n") == 2 })
	cancel()
	<-done
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var snap, ev wire.Message
	if err := json.Unmarshal([]byte(lines[0]), &snap); err != nil || snap.Type != wire.MsgSnapshot || len(snap.Tickets) != 1 {
		t.Errorf("line 1 = %s (%v)", lines[0], err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &ev); err != nil || ev.Type != wire.MsgEvent || ev.Ticket.Status != ticket.StatusDispatched {
		t.Errorf("line 2 = %s (%v)", lines[1], err)
	}
}

func TestResolveClient(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg := write("desk/config.toml", "[server]\nlisten = \"0.0.0.0:9000\"\ndata_dir = \"state\"\nlog_level = \"debug\"\n[[department]]\nname = \"x\"\n")
	write("desk/state/admin.token", "from-file\n")
	bare := write("bare/config.toml", "[store]\ndriver = \"sqlite\"\n")
	write("bare/data/admin.token", "bare-token")
	write("other/admin.token", "other-token")
	broken := write("broken.toml", "[server\n")
	env := map[string]string{}

	tests := []struct {
		name      string
		in        clientLookup
		env       map[string]string
		url, tok  string
		err, hint string
	}{
		{name: "config listen and data_dir", in: clientLookup{Config: cfg}, url: "http://127.0.0.1:9000", tok: "from-file"},
		{name: "defaults next to config", in: clientLookup{Config: bare}, url: "http://127.0.0.1:7480", tok: "bare-token"},
		{name: "flags win", in: clientLookup{Config: cfg, Addr: "desk.example:81", Token: "flag"}, url: "http://desk.example:81", tok: "flag"},
		{name: "env beats config", in: clientLookup{Config: cfg},
			env: map[string]string{"SWITCHBOARD_ADDR": "https://desk.example/sb/", "SWITCHBOARD_TOKEN": "env"},
			url: "https://desk.example/sb", tok: "env"},
		{name: "--data-dir", in: clientLookup{Config: cfg, DataDir: filepath.Join(dir, "other")}, url: "http://127.0.0.1:9000", tok: "other-token"},
		{name: "ipv6 listen", in: clientLookup{Addr: "[::]:7480", Token: "t"}, url: "http://127.0.0.1:7480", tok: "t"},
		{name: "port only", in: clientLookup{Addr: ":7481", Token: "t"}, url: "http://127.0.0.1:7481", tok: "t"},
		{name: "missing default config", in: clientLookup{Config: filepath.Join(dir, "none.toml")},
			url: "http://127.0.0.1:7480", hint: "no token: pass --token"},
		{name: "missing explicit config", in: clientLookup{Config: filepath.Join(dir, "none.toml"), ConfigSet: true}, err: "read config"},
		{name: "broken config", in: clientLookup{Config: broken}, err: "read config"},
		{name: "bad address", in: clientLookup{Addr: "localhost"}, err: `bad address "localhost"`},
		{name: "bad scheme", in: clientLookup{Addr: "ftp://x:1"}, err: "want host:port or an http(s) URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := env
			if tt.env != nil {
				e = tt.env
			}
			tt.in.Getenv = func(k string) string { return e[k] }
			got, err := resolveClient(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.BaseURL != tt.url || got.Token != tt.tok || !strings.Contains(got.TokenHint, tt.hint) {
				t.Errorf("got %+v, want url %s token %q hint %q", got, tt.url, tt.tok, tt.hint)
			}
		})
	}
}
