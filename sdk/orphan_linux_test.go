//go:build linux

package sdk_test

import (
	"bufio"
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/sdk/sdktest"
)

// prSetChildSubreaper is PR_SET_CHILD_SUBREAPER from <linux/prctl.h>.
const prSetChildSubreaper = 36

// TestPluginEndsWithItsHost starts the test plugin under a host that sets
// no parent-death signal (sdk/internal/testhost), kills the host with
// SIGKILL, and checks that the plugin ends itself: its parent watch sees
// the re-parenting and exits 0.
//
// The test process makes itself a subreaper, so the orphan is re-parented
// to it rather than to PID 1: it can then reap the plugin and read how it
// ended, which it could not if init (or a container's init that does not
// reap) held the zombie.
func TestPluginEndsWithItsHost(t *testing.T) {
	if testing.Short() {
		t.Skip("builds binaries")
	}
	subreaper(t)
	plugin := sdktest.Build(t, "./internal/testplugin")
	host := exec.Command(sdktest.Build(t, "./internal/testhost"), plugin)
	pid := startHost(t, host)
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("plugin pid %d is not running before the host dies: %v", pid, err)
	}

	killed := time.Now()
	if err := host.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = host.Wait()
	ws := reap(t, pid, 10*time.Second)
	t.Logf("plugin ended %s after its host was killed: %v", time.Since(killed).Round(time.Millisecond), describe(ws))
	if !ws.Exited() || ws.ExitStatus() != 0 {
		t.Errorf("plugin ended with %v, want exit status 0 from its parent watch", describe(ws))
	}
}

// subreaper makes the test process the subreaper of its descendants for
// the rest of the test.
func subreaper(t *testing.T) {
	t.Helper()
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		t.Skipf("prctl(PR_SET_CHILD_SUBREAPER): %v", errno)
	}
	t.Cleanup(func() { syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 0, 0) })
}

// startHost starts a test host and returns the plugin pid it prints. The
// host is killed when the test ends, if it still runs.
func startHost(t *testing.T, host *exec.Cmd) int {
	t.Helper()
	out, err := host.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	host.Stderr = testLog{t}
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

// testLog sends a process's output to the test log.
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	defer func() { recover() }() // a line after the test ended
	w.t.Log(string(p))
	return len(p), nil
}
