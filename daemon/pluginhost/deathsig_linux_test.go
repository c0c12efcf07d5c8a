//go:build linux

package pluginhost_test

import (
	"bufio"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
)

// prSetChildSubreaper is PR_SET_CHILD_SUBREAPER from <linux/prctl.h>.
const prSetChildSubreaper = 36

// TestPluginDiesWithDaemon runs a Host in a process of its own
// (internal/testhost), kills that process with SIGKILL, and checks that
// its plugin goes at once, killed by the parent-death signal (the sdk's
// parent watch would have it exit 0, and later).
//
// The test process makes itself a subreaper, so the orphan is re-parented
// to it rather than to PID 1: it can then reap the plugin and read how it
// ended.
func TestPluginDiesWithDaemon(t *testing.T) {
	subreaper(t)
	host := exec.Command(hostBin, pluginBin)
	pid := startTestHost(t, host)
	if !alive(pid) {
		t.Fatalf("plugin pid %d is not running before the host dies", pid)
	}

	killed := time.Now()
	if err := host.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = host.Wait()
	ws := reap(t, pid, waitTimeout)
	t.Logf("plugin ended %s after the host was killed: %s", time.Since(killed).Round(time.Millisecond), describe(ws))
	if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Errorf("plugin ended with %s, want killed by SIGKILL (the parent-death signal)", describe(ws))
	}
}

// TestThreadExitsDoNotKillPlugins checks the other side of the
// parent-death signal: it fires when the forking OS thread ends, and Go
// ends a thread whenever a goroutine exits locked to it. Many such exits
// after the start must leave the plugin alone, because the start thread is
// kept for the process's life.
func TestThreadExitsDoNotKillPlugins(t *testing.T) {
	r := &recorder{}
	h := startHost(t, []pluginhost.Spec{spec("eng")}, fastOptions(t, r))
	first := waitState(t, h, "eng", pluginhost.StateRunning)

	// End a few hundred threads, several at a time so that the runtime
	// reaches into its idle threads rather than reusing one.
	for range 50 {
		var wg sync.WaitGroup
		for range 2 * runtime.GOMAXPROCS(0) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				runtime.LockOSThread() // and exit locked: the thread ends
				time.Sleep(time.Millisecond)
			}()
		}
		wg.Wait()
	}
	time.Sleep(3 * exitPollForTest) // let a death, if any, be noticed
	st, _ := h.Status("eng")
	if st.State != pluginhost.StateRunning || st.PID != first.PID || st.Restarts != 0 || !alive(first.PID) {
		t.Fatalf("after thread exits: status %+v, want pid %d still running, no restarts", st, first.PID)
	}
}

// exitPollForTest is a comfortable multiple of the host's exit poll.
const exitPollForTest = 100 * time.Millisecond

// subreaper makes the test process the subreaper of its descendants for
// the rest of the test.
func subreaper(t *testing.T) {
	t.Helper()
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		t.Skipf("prctl(PR_SET_CHILD_SUBREAPER): %v", errno)
	}
	t.Cleanup(func() { syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 0, 0) })
}

// startTestHost starts the test host and returns the plugin pid it
// prints. The host is killed when the test ends, if it still runs.
func startTestHost(t *testing.T, host *exec.Cmd) int {
	t.Helper()
	out, err := host.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	host.Stderr = testWriter{t}
	if err := host.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = host.Process.Kill() })
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		s.Scan()
		line <- s.Text()
	}()
	select {
	case l := <-line:
		var pid int
		if _, err := fmt.Sscanf(l, "pid %d", &pid); err != nil || pid <= 0 {
			t.Fatalf("host printed %q, want \"pid N\"", l)
		}
		return pid
	case <-time.After(time.Minute):
		t.Fatal("the host did not start the plugin within a minute")
		return 0
	}
}

// reap waits for the child pid to end and returns how it ended.
func reap(t *testing.T, pid int, within time.Duration) syscall.WaitStatus {
	t.Helper()
	type result struct {
		ws  syscall.WaitStatus
		err error
	}
	done := make(chan result, 1)
	go func() {
		var ws syscall.WaitStatus
		for {
			_, err := syscall.Wait4(pid, &ws, 0, nil)
			if !errors.Is(err, syscall.EINTR) {
				done <- result{ws, err}
				return
			}
		}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatalf("wait4(%d): %v", pid, r.err)
		}
		return r.ws
	case <-time.After(within):
		_ = syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("plugin pid %d still runs %s after its host was killed", pid, within)
		return 0
	}
}

func describe(ws syscall.WaitStatus) string {
	if ws.Signaled() {
		return fmt.Sprintf("killed by signal %d (%v)", int(ws.Signal()), ws.Signal())
	}
	return fmt.Sprintf("exit status %d", ws.ExitStatus())
}
