package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// The tests of this file run the real agent with e2eplugin
// (internal/e2eplugin) as a third-party plugin: a binary named in
// config.toml by command and sha256, built once per version for the
// package's run.

// e2ePluginPkg is the test plugin's package.
const e2ePluginPkg = "github.com/switchboard-desk/switchboard/daemon/e2e/internal/e2eplugin"

// builtPlugins holds e2eplugin built once per version for the package's
// tests, next to the switchboard binary (TestMain removes both).
var builtPlugins struct {
	mu  sync.Mutex
	byV map[string]*builtPlugin
}

type builtPlugin struct {
	once      sync.Once
	path, sum string
	err       error
}

// buildE2EPlugin returns the path and hex sha256 of e2eplugin built with
// main.version set to version. The binary is shared: a test that needs
// its own file links or copies it.
func buildE2EPlugin(t *testing.T, version string) (string, string) {
	t.Helper()
	b := buildPlugin(version)
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path, b.sum
}

// buildPlugin builds e2eplugin of version, once per package run.
func buildPlugin(version string) *builtPlugin {
	builtPlugins.mu.Lock()
	if builtPlugins.byV == nil {
		builtPlugins.byV = map[string]*builtPlugin{}
	}
	b := builtPlugins.byV[version]
	if b == nil {
		b = &builtPlugin{}
		builtPlugins.byV[version] = b
	}
	builtPlugins.mu.Unlock()
	b.once.Do(func() {
		b.path = filepath.Join(filepath.Dir(binary), "e2eplugin-v"+version)
		cmd := exec.Command("go", "build", "-ldflags", "-X main.version="+version, "-o", b.path, e2ePluginPkg)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("build e2eplugin version %s: %v\n%s", version, err, out)
			return
		}
		b.sum, b.err = sumOf(b.path)
	})
	return b
}

// fileSum returns the hex sha256 of the file at path.
func fileSum(t *testing.T, path string) string {
	t.Helper()
	sum, err := sumOf(path)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func sumOf(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// e2eDept is one department of a test desk.
type e2eDept struct {
	Name string
	// Command and SHA256 name a third-party binary; Plugin a bundled one.
	Command, SHA256 string
	Plugin          string
	// Categories are routed to the department.
	Categories []string
	// HangCategory and MarkerDir are e2eplugin's settings.
	HangCategory, MarkerDir string
	// Settings are more lines of TOML under [department.settings].
	Settings string
}

// pluginConfig is a desk of the given departments; the first is the
// fallback.
func pluginConfig(logLevel string, depts ...e2eDept) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[server]\nlog_level = %q\n\n[routing]\nfallback = %q\n", logLevel, depts[0].Name)
	for _, d := range depts {
		fmt.Fprintf(&b, "\n[[department]]\nname = %q\n", d.Name)
		if d.Plugin != "" {
			fmt.Fprintf(&b, "plugin = %q\n", d.Plugin)
		} else {
			fmt.Fprintf(&b, "command = %q\nsha256 = %q\n", d.Command, d.SHA256)
		}
		settings := d.Settings
		if d.HangCategory != "" {
			settings += fmt.Sprintf("hang_category = %q\n", d.HangCategory)
		}
		if d.MarkerDir != "" {
			settings += fmt.Sprintf("marker_dir = %q\n", d.MarkerDir)
		}
		if settings != "" {
			b.WriteString("[department.settings]\n" + settings)
		}
	}
	for _, d := range depts {
		if len(d.Categories) == 0 {
			continue
		}
		q := make([]string, len(d.Categories))
		for i, c := range d.Categories {
			q[i] = strconv.Quote(c)
		}
		fmt.Fprintf(&b, "\n[[route]]\ndepartment = %q\ncategory = [%s]\n", d.Name, strings.Join(q, ", "))
	}
	return b.String()
}

// submit creates a ticket of category and returns it with the time the
// POST took.
func submit(ctx context.Context, c *client.Client, category string) (ticket.Ticket, time.Duration, error) {
	t0 := time.Now()
	tk, err := c.CreateTicket(ctx, client.CreateRequest{
		Kind: ticket.KindRepair, Category: category, Title: "e2e " + category,
		Reporter: ticket.Reporter{Name: "e2e"},
	}, "")
	return tk, time.Since(t0), err
}

// department returns the named department as GET /api/v1/departments
// shows it.
func department(t *testing.T, c *client.Client, name string) (wire.Department, bool) {
	t.Helper()
	ds, err := c.Departments(ctxT(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Name == name {
			return d, true
		}
	}
	return wire.Department{}, false
}

// restart is a department seen running with a new process.
type restart struct {
	pid int
	at  time.Time
}

// watchRestart polls until dept runs with a pid other than old and sends
// that pid and when it was seen; it gives up after d.
func watchRestart(c *client.Client, dept string, old int, d time.Duration) <-chan restart {
	ch := make(chan restart, 1)
	go func() {
		defer close(ch)
		deadline := time.Now().Add(d)
		for time.Now().Before(deadline) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			ds, err := c.Departments(ctx)
			cancel()
			if err == nil {
				for _, x := range ds {
					if x.Name == dept && x.State == "running" && x.PID > 0 && x.PID != old {
						ch <- restart{pid: x.PID, at: time.Now()}
						return
					}
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return ch
}

// waitAcknowledged waits until every ticket of ids is acknowledged in
// dept, polling the ticket list, and returns when the last one was seen.
func waitAcknowledged(t *testing.T, c *client.Client, dept string, ids []string, d time.Duration) time.Time {
	t.Helper()
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	deadline := time.Now().Add(d)
	for {
		ts, err := c.AllTickets(ctxT(t, 10*time.Second), client.ListOptions{Department: dept, Status: ticket.StatusAcknowledged})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, tk := range ts {
			if want[tk.ID] {
				n++
			}
		}
		if n == len(want) {
			return time.Now()
		}
		if time.Now().After(deadline) {
			acked := make(map[string]bool, len(ts))
			for _, tk := range ts {
				acked[tk.ID] = true
			}
			var missing []string
			for _, id := range ids {
				if !acked[id] {
					missing = append(missing, id)
				}
			}
			sort.Strings(missing)
			detail := ""
			if len(missing) > 0 {
				if tk, err := c.Ticket(ctxT(t, 5*time.Second), missing[0]); err == nil {
					detail = fmt.Sprintf("; %s is %s in %s, history %s", tk.ID, tk.Status, tk.Department, historyString(tk.History))
				}
			}
			t.Fatalf("after %v, %d of %d tickets acknowledged in %s; missing %s%s", d, n, len(want), dept, firstFew(missing), detail)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// delivery is what a ticket's history says of its hand-over to a plugin.
type delivery struct {
	dispatched, acknowledged int
	ackActor, ackNote        string
	ackAt                    time.Time
}

func deliveryOf(d wire.TicketDetail) delivery {
	var dl delivery
	for _, ev := range d.History {
		if ev.Type != ticket.EventStatus {
			continue
		}
		switch jsonField(ev.Data, "to") {
		case string(ticket.StatusDispatched):
			dl.dispatched++
		case string(ticket.StatusAcknowledged):
			dl.acknowledged++
			dl.ackActor, dl.ackNote, dl.ackAt = ev.Actor, jsonField(ev.Data, "note"), ev.At
		}
	}
	return dl
}

// checkExactlyOnce reads every ticket of ids and checks that its history
// holds exactly one hand-over to dept's plugin and one acknowledgement by
// it. It returns each ticket with what its history says.
func checkExactlyOnce(t *testing.T, c *client.Client, dept string, ids []string) map[string]wire.TicketDetail {
	t.Helper()
	var (
		mu      sync.Mutex
		details = make(map[string]wire.TicketDetail, len(ids))
		bad     []string
		wg      sync.WaitGroup
		next    atomic.Int64
	)
	ctx := ctxT(t, 60*time.Second)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(ids) {
					return
				}
				d, err := c.Ticket(ctx, ids[i])
				mu.Lock()
				if err != nil {
					bad = append(bad, fmt.Sprintf("%s: %v", ids[i], err))
				} else {
					details[ids[i]] = d
					dl := deliveryOf(d)
					if dl.dispatched != 1 || dl.acknowledged != 1 || dl.ackActor != "plugin:"+dept || d.Assignee != "e2e" || d.Status != ticket.StatusAcknowledged {
						bad = append(bad, fmt.Sprintf("%s: %d dispatched, %d acknowledged (last by %q), status %s, assignee %q; history %s",
							d.ID, dl.dispatched, dl.acknowledged, dl.ackActor, d.Status, d.Assignee, historyString(d.History)))
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(bad) > 0 {
		sort.Strings(bad)
		t.Errorf("%d of %d tickets not acknowledged exactly once by plugin:%s, e.g.:\n%s", len(bad), len(ids), dept, strings.Join(bad[:min(len(bad), 5)], "\n"))
	}
	return details
}

func historyString(h []ticket.Event) string {
	parts := make([]string, len(h))
	for i, ev := range h {
		parts[i] = ev.Type
		if to := jsonField(ev.Data, "to"); to != "" {
			parts[i] += "→" + to
		}
		parts[i] += " by " + ev.Actor
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func firstFew(ids []string) string {
	if len(ids) > 5 {
		return fmt.Sprintf("%v and %d more", ids[:5], len(ids)-5)
	}
	return fmt.Sprint(ids)
}

// proc is a process as /proc shows it.
type proc struct {
	pid       int
	state     byte // R, S, Z, …
	ppid      int
	startTime string // clock ticks after boot: tells a reused pid apart
}

// readProc reads /proc/PID/stat; ok is false when there is no such process.
func readProc(pid int) (proc, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return proc{}, false
	}
	// pid (comm) state ppid … ; comm may hold spaces and parentheses.
	s := string(b)
	rest := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(rest) < 20 {
		return proc{}, false
	}
	p := proc{pid: pid, state: rest[0][0], startTime: rest[19]}
	p.ppid, _ = strconv.Atoi(rest[1])
	return p, true
}

// alive reports whether the process p is still running: its pid names
// the same process (same start time) and it has not exited. An exited
// process whose parent has not reaped it yet (a zombie) is not running.
func (p proc) alive() (bool, string) {
	now, ok := readProc(p.pid)
	switch {
	case !ok:
		return false, "gone"
	case now.startTime != p.startTime:
		return false, "gone (pid reused)"
	case now.state == 'Z':
		return false, fmt.Sprintf("exited, a zombie of pid %d (test pid %d)", now.ppid, os.Getpid())
	default:
		return true, fmt.Sprintf("running, state %c, parent %d", now.state, now.ppid)
	}
}

// waitGone waits up to d for process p to exit.
func waitGone(t *testing.T, p proc, d time.Duration, what string) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		alive, state := p.alive()
		if !alive {
			return time.Since(start)
		}
		if time.Since(start) > d {
			t.Errorf("%s (pid %d) still %s %v later", what, p.pid, state, d)
			return time.Since(start)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPluginKilledMidBurst: the plugin is killed with SIGKILL while 8
// clients submit 1,000 tickets; it is restarted, and every ticket is
// handed over and acknowledged exactly once.
func TestPluginKilledMidBurst(t *testing.T) {
	t.Parallel()
	bin, sum := buildE2EPlugin(t, "1")
	a := newAgent(t, pluginConfig("info", e2eDept{Name: "e2e", Command: bin, SHA256: sum}))
	a.waitPlugins()
	c := a.client()
	pid, _ := departmentPID(t, c, "e2e")

	const total, clients, killAt = 1000, 8, 300
	var (
		mu          sync.Mutex
		ids         []string
		next        atomic.Int64
		wg          sync.WaitGroup
		restarted   <-chan restart
		killedAt    time.Time
		ackedAtKill int
	)
	ctx := ctxT(t, 60*time.Second)
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n := next.Add(1)
				if n > total {
					return
				}
				if n == killAt {
					mu.Lock()
					ts, err := c.AllTickets(ctx, client.ListOptions{Department: "e2e", Status: ticket.StatusAcknowledged})
					if err != nil {
						t.Errorf("list acknowledged tickets: %v", err)
					}
					ackedAtKill = len(ts)
					restarted = watchRestart(c, "e2e", pid, 20*time.Second)
					killedAt = time.Now()
					err = syscall.Kill(pid, syscall.SIGKILL)
					mu.Unlock()
					if err != nil {
						t.Errorf("kill plugin pid %d: %v", pid, err)
					}
				}
				tk, _, err := submit(ctx, c, "burst")
				if err != nil {
					t.Errorf("submit ticket %d: %v", n, err)
					return
				}
				mu.Lock()
				ids = append(ids, tk.ID)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	submitted := time.Since(start)
	if t.Failed() {
		t.FailNow()
	}
	if restarted == nil {
		t.Fatalf("the plugin was never killed")
	}
	r, ok := <-restarted
	if !ok {
		t.Fatalf("the plugin (pid %d) was not restarted within 20s of SIGKILL", pid)
	}
	done := waitAcknowledged(t, c, "e2e", ids, 60*time.Second-time.Since(start))
	checkExactlyOnce(t, c, "e2e", ids)
	t.Logf("%d tickets submitted by %d clients in %v; plugin killed after %d submissions (%d acknowledged), back as pid %d in %v; all acknowledged %v after the first submission",
		total, clients, submitted.Round(time.Millisecond), killAt-1, ackedAtKill, r.pid, r.at.Sub(killedAt).Round(time.Millisecond), done.Sub(start).Round(time.Millisecond))
}

// TestHungPluginRestarted: a plugin call that never returns is timed out,
// the plugin is killed and restarted, the desk keeps taking tickets
// meanwhile, another department keeps working, and every ticket, the one
// that hung included, is acknowledged exactly once.
func TestHungPluginRestarted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin, sum := buildE2EPlugin(t, "1")
	markers := filepath.Join(dir, "markers")
	if err := os.Mkdir(markers, 0o755); err != nil {
		t.Fatal(err)
	}
	a := newAgent(t, pluginConfig("debug",
		e2eDept{Name: "e2e", Command: bin, SHA256: sum, Categories: []string{"job", "hang"}, HangCategory: "hang", MarkerDir: markers},
		e2eDept{Name: "other", Command: bin, SHA256: sum, Categories: []string{"other"}},
	))
	a.waitPlugins()
	c := a.client()
	pid, _ := departmentPID(t, c, "e2e")
	ctx := ctxT(t, 60*time.Second)

	hung, _, err := submit(ctx, c, "hang")
	if err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(markers, "hung-"+hung.ID)
	waitFor(t, 10*time.Second, "the plugin to take the hang ticket", func() bool {
		_, err := os.Stat(marker)
		return err == nil
	})
	hungAt := time.Now()
	restarted := watchRestart(c, "e2e", pid, 30*time.Second)

	// Until the plugin is back, the desk takes tickets for it and for the
	// other department, each POST answered within a second.
	var jobs, others []string
	var slowest time.Duration
	var r restart
	for wait := true; wait; {
		for _, cat := range []string{"job", "other"} {
			tk, took, err := submit(ctx, c, cat)
			if err != nil {
				t.Fatalf("submit %s ticket during the hang: %v", cat, err)
			}
			if took > time.Second {
				t.Errorf("POST of a %s ticket during the hang took %v", cat, took)
			}
			slowest = max(slowest, took)
			if cat == "job" {
				jobs = append(jobs, tk.ID)
			} else {
				others = append(others, tk.ID)
			}
		}
		select {
		case got, ok := <-restarted:
			if !ok {
				t.Fatalf("the hung plugin (pid %d) was not restarted within 30s; departments: %+v", pid, mustDepartments(t, c))
			}
			r, wait = got, false
		case <-time.After(100 * time.Millisecond):
		}
	}
	if len(jobs) < 10 {
		t.Errorf("only %d tickets were submitted during the hang", len(jobs))
	}
	waitGone(t, procOf(t, pid), 3*time.Second, "the hung plugin")

	all := append([]string{hung.ID}, jobs...)
	waitAcknowledged(t, c, "e2e", all, 20*time.Second)
	checkExactlyOnce(t, c, "e2e", all)
	waitAcknowledged(t, c, "other", others, 10*time.Second)
	var lag time.Duration
	for id, d := range checkExactlyOnce(t, c, "other", others) {
		l := deliveryOf(d).ackAt.Sub(d.CreatedAt)
		if l > time.Second {
			t.Errorf("%s of the other department was acknowledged %v after its creation, while e2e hung", id, l)
		}
		lag = max(lag, l)
	}
	t.Logf("hung call: plugin pid %d replaced by pid %d %v after it took the ticket; %d POSTs meanwhile, slowest %v; other department's slowest acknowledgement %v",
		pid, r.pid, r.at.Sub(hungAt).Round(time.Millisecond), 2*len(jobs), slowest.Round(time.Microsecond), lag.Round(time.Microsecond))
}

func mustDepartments(t *testing.T, c *client.Client) []wire.Department {
	t.Helper()
	ds, err := c.Departments(ctxT(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// procOf reads a live process of ours, to watch it exit later.
func procOf(t *testing.T, pid int) proc {
	t.Helper()
	p, ok := readProc(pid)
	if !ok {
		return proc{pid: pid, startTime: "gone already"}
	}
	return p
}

// TestWrongSHA256Refused: a plugin binary whose sha256 is not the one in
// config.toml is never started; its department is failed with an error
// naming the file and both sums, and the rest of the desk works.
func TestWrongSHA256Refused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin, sum := buildE2EPlugin(t, "1")
	// The wrong binary records every start before it becomes the plugin.
	started := filepath.Join(dir, "started")
	wrong := filepath.Join(dir, "wrong-plugin")
	script := fmt.Sprintf("#!/bin/sh\necho $$ >> %q\nexec %q \"$@\"\n", started, bin)
	if err := os.WriteFile(wrong, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	wrongSum := fileSum(t, wrong)
	a := newAgent(t, pluginConfig("debug",
		e2eDept{Name: "good", Command: bin, SHA256: sum, Categories: []string{"job"}},
		e2eDept{Name: "bad", Command: wrong, SHA256: sum, Categories: []string{"bad"}},
	))
	c := a.client()

	var bad wire.Department
	waitFor(t, 15*time.Second, "good running and bad failed", func() bool {
		g, _ := department(t, c, "good")
		bad, _ = department(t, c, "bad")
		return g.State == "running" && bad.State == "failed"
	})
	for _, w := range []struct{ what, s string }{{"the file", wrong}, {"the configured sum", sum}, {"the file's sum", wrongSum}} {
		if !strings.Contains(bad.Error, w.s) {
			t.Errorf("the failed department's error does not name %s (%s): %q", w.what, w.s, bad.Error)
		}
	}
	if bad.PID != 0 {
		t.Errorf("the failed department shows pid %d", bad.PID)
	}

	tk, _, err := submit(ctxT(t, 5*time.Second), c, "job")
	if err != nil {
		t.Fatal(err)
	}
	waitAcknowledged(t, c, "good", []string{tk.ID}, 10*time.Second)
	checkExactlyOnce(t, c, "good", []string{tk.ID})

	if b, err := os.ReadFile(started); err == nil {
		t.Errorf("the binary with the wrong sum was started (pids %q)", strings.Fields(string(b)))
	} else if !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	if pids := processesRunning(wrong); len(pids) > 0 {
		t.Errorf("processes of %s are running: %v", wrong, pids)
	}
	select {
	case <-a.done:
		t.Fatalf("the agent exited:\n%s", a.out.String())
	default:
	}
}

// processesRunning returns the pids whose command line names path.
func processesRunning(path string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.Contains(string(cmdline), path) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// TestAgentKilledLeavesNoPlugin: SIGKILL to the agent leaves none of its
// plugin processes, third-party or bundled, running 3 seconds later.
func TestAgentKilledLeavesNoPlugin(t *testing.T) {
	t.Parallel()
	bin, sum := buildE2EPlugin(t, "1")
	a := newAgent(t, pluginConfig("debug",
		e2eDept{Name: "e2e", Command: bin, SHA256: sum, Categories: []string{"job"}},
		e2eDept{Name: "e2e-two", Command: bin, SHA256: sum, Categories: []string{"two"}},
		e2eDept{Name: "service", Plugin: "service", Categories: []string{"complaint"}, Settings: "agents = [\"Wu Fang\"]\n"},
	))
	a.waitPlugins()
	c := a.client()
	var procs []proc
	for _, d := range mustDepartments(t, c) {
		p, ok := readProc(d.PID)
		if d.PID <= 0 || !ok {
			t.Fatalf("department %s shows pid %d, not a live process", d.Name, d.PID)
		}
		if p.ppid != a.cmd.Process.Pid {
			t.Errorf("department %s's pid %d is a child of %d, not of the agent %d", d.Name, d.PID, p.ppid, a.cmd.Process.Pid)
		}
		procs = append(procs, p)
	}
	t.Cleanup(func() { // never leave one behind, even when the test fails
		for _, p := range procs {
			if alive, _ := p.alive(); alive {
				syscall.Kill(p.pid, syscall.SIGKILL)
			}
		}
	})

	if err := a.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-a.done
	var slowest time.Duration
	for _, p := range procs {
		slowest = max(slowest, waitGone(t, p, 3*time.Second, "plugin process"))
	}
	t.Logf("%d plugin processes gone within %v of the agent's SIGKILL", len(procs), slowest.Round(time.Millisecond))
}

// TestReloadUpgradesPlugin: SIGHUP with a new binary and sha256 for a
// department replaces its plugin process while tickets keep coming, and
// every ticket, before, during and after, is acknowledged exactly once;
// then a reload adds a department and removes another.
func TestReloadUpgradesPlugin(t *testing.T) {
	t.Parallel()
	go buildPlugin("2")
	v1, sum1 := buildE2EPlugin(t, "1")
	v2, sum2 := buildE2EPlugin(t, "2")
	if sum1 == sum2 {
		t.Fatalf("versions 1 and 2 built to the same sha256 %s", sum1)
	}
	job := e2eDept{Name: "e2e", Command: v1, SHA256: sum1, Categories: []string{"job"}}
	old := e2eDept{Name: "old", Command: v1, SHA256: sum1, Categories: []string{"old"}}
	a := newAgent(t, pluginConfig("debug", job, old))
	a.waitPlugins()
	c := a.client()
	d1, _ := department(t, c, "e2e")
	if d1.Version != "1" {
		t.Fatalf("e2e runs version %q, want 1", d1.Version)
	}
	p1 := procOf(t, d1.PID)

	// A steady stream of tickets from 4 clients, each stamped with when its
	// POST was sent.
	type sent struct {
		id string
		at time.Time
	}
	var (
		mu     sync.Mutex
		stream []sent
		wg     sync.WaitGroup
	)
	stop := make(chan struct{})
	ctx := ctxT(t, 60*time.Second)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
				at := time.Now()
				tk, _, err := submit(ctx, c, "job")
				if err != nil {
					t.Errorf("submit: %v", err)
					return
				}
				mu.Lock()
				stream = append(stream, sent{tk.ID, at})
				mu.Unlock()
			}
		}()
	}
	defer func() { // on a fatal failure, stop the clients too
		select {
		case <-stop:
		default:
			close(stop)
		}
		wg.Wait()
	}()

	time.Sleep(time.Second)
	// Version 2 is named relative to config.toml.
	rel := filepath.Join(filepath.Dir(a.cfgPath), "e2eplugin-v2")
	if err := os.Link(v2, rel); err != nil {
		copyFile(t, v2, rel)
	}
	// Version 2 under version 1's sum: the reload is refused and version 1
	// keeps running.
	job2 := job
	job2.Command, job2.SHA256 = "./e2eplugin-v2", sum1
	a.reload(pluginConfig("debug", job2, old))
	waitFor(t, 10*time.Second, "refusal of the wrong sha256 in the log", func() bool {
		return strings.Contains(a.out.String(), "reload failed")
	})
	for _, w := range []string{rel, sum1, sum2} {
		if !strings.Contains(a.out.String(), w) {
			t.Errorf("the reload's refusal does not name %s", w)
		}
	}
	if d, _ := department(t, c, "e2e"); d.State != "running" || d.PID != p1.pid || d.Version != "1" {
		t.Errorf("after a reload with a wrong sha256, e2e is %s with pid %d version %q; want running version 1 as pid %d", d.State, d.PID, d.Version, p1.pid)
	}

	job2.SHA256 = sum2
	reloadAt := time.Now()
	a.reload(pluginConfig("debug", job2, old))
	var d2 wire.Department
	waitFor(t, 15*time.Second, "e2e upgraded to version 2", func() bool {
		d2, _ = department(t, c, "e2e")
		return d2.State == "running" && d2.Version == "2" && d2.PID != p1.pid
	})
	upgradedAt := time.Now()
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	waitGone(t, p1, 3*time.Second, "the plugin of version 1")

	ids := make([]string, len(stream))
	for i, s := range stream {
		ids[i] = s.id
	}
	waitAcknowledged(t, c, "e2e", ids, 20*time.Second)
	details := checkExactlyOnce(t, c, "e2e", ids)
	var before, during, after, byV1, byV2 int
	for _, s := range stream {
		note := deliveryOf(details[s.id]).ackNote
		v2 := strings.HasPrefix(note, "e2eplugin 2 ")
		if v2 {
			byV2++
		} else if strings.HasPrefix(note, "e2eplugin 1 ") {
			byV1++
		}
		switch {
		case s.at.Before(reloadAt):
			before++
		case s.at.Before(upgradedAt):
			during++
		default:
			after++
			if !v2 {
				t.Errorf("%s, sent %v after version 2 was running, was acknowledged with %q", s.id, s.at.Sub(upgradedAt), note)
			}
		}
	}
	if before == 0 || after == 0 || byV1 == 0 || byV2 == 0 {
		t.Errorf("the stream did not span the upgrade: %d tickets sent before the reload, %d after the upgrade; %d acknowledged by version 1, %d by version 2", before, after, byV1, byV2)
	}
	t.Logf("upgrade: %d tickets sent before the reload, %d during, %d after; %d acknowledged by version 1, %d by version 2; version 2 running %v after SIGHUP",
		before, during, after, byV1, byV2, upgradedAt.Sub(reloadAt).Round(time.Millisecond))

	// Add facilities, remove old.
	dOld, _ := department(t, c, "old")
	pOld := procOf(t, dOld.PID)
	facilities := e2eDept{Name: "facilities", Command: "./e2eplugin-v2", SHA256: sum2, Categories: []string{"lift"}}
	a.reload(pluginConfig("debug", job2, facilities))
	waitFor(t, 15*time.Second, "facilities running and old gone", func() bool {
		f, ok := department(t, c, "facilities")
		_, hasOld := department(t, c, "old")
		return ok && f.State == "running" && f.PID > 0 && !hasOld
	})
	waitGone(t, pOld, 3*time.Second, "the removed department's plugin")
	lift, _, err := submit(ctx, c, "lift")
	if err != nil {
		t.Fatal(err)
	}
	if lift.Department != "facilities" {
		t.Errorf("a lift ticket was routed to %s, want the new facilities", lift.Department)
	}
	waitAcknowledged(t, c, "facilities", []string{lift.ID}, 10*time.Second)
	checkExactlyOnce(t, c, "facilities", []string{lift.ID})
	// old's route went with it: its category goes to the fallback.
	o, _, err := submit(ctx, c, "old")
	if err != nil {
		t.Fatal(err)
	}
	waitAcknowledged(t, c, "e2e", []string{o.ID}, 10*time.Second)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}
