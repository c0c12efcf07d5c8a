//go:build linux

package pluginhost_test

import (
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
	"github.com/switchboard-desk/switchboard/internal/orphantest"
)

// TestPluginDiesWithDaemon runs a Host in a process of its own
// (internal/testhost), kills that process with SIGKILL, and checks that
// its plugin goes at once, killed by the parent-death signal (the sdk's
// parent watch would have it exit 0, and later).
//
// The test process makes itself a subreaper, so the orphan is re-parented
// to it rather than to PID 1: it can then reap the plugin and read how it
// ended.
func TestPluginDiesWithDaemon(t *testing.T) {
	orphantest.Subreaper(t)
	host := exec.Command(hostBin, pluginBin)
	pid := orphantest.StartHost(t, host, testWriter{t})
	if !alive(pid) {
		t.Fatalf("plugin pid %d is not running before the host dies", pid)
	}

	killed := time.Now()
	if err := host.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = host.Wait()
	ws := orphantest.Reap(t, pid, waitTimeout)
	t.Logf("plugin ended %s after the host was killed: %s", time.Since(killed).Round(time.Millisecond), orphantest.Describe(ws))
	if !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Errorf("plugin ended with %s, want killed by SIGKILL (the parent-death signal)", orphantest.Describe(ws))
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
