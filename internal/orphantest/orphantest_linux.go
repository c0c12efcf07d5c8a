package orphantest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// prSetChildSubreaper is PR_SET_CHILD_SUBREAPER from <linux/prctl.h>.
const prSetChildSubreaper = 36

// Subreaper makes the test process the subreaper of its descendants for
// the rest of the test, so that an orphaned plugin becomes its child and
// can be reaped. It skips the test where prctl refuses.
func Subreaper(t *testing.T) {
	t.Helper()
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		t.Skipf("prctl(PR_SET_CHILD_SUBREAPER): %v", errno)
	}
	t.Cleanup(func() { syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 0, 0) })
}

// StartHost starts host, whose first line on stdout is "pid N" (the pid of
// the plugin it started), with its stderr to stderr, and returns N. The
// host is killed when the test ends, if it still runs.
func StartHost(t *testing.T, host *exec.Cmd, stderr io.Writer) int {
	t.Helper()
	out, err := host.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	host.Stderr = stderr
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

// Reap waits up to within for the child pid to end and returns how it
// ended; a pid still running then is killed and the test fails.
func Reap(t *testing.T, pid int, within time.Duration) syscall.WaitStatus {
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

// Describe says how a process ended.
func Describe(ws syscall.WaitStatus) string {
	if ws.Signaled() {
		return fmt.Sprintf("killed by signal %d (%v)", int(ws.Signal()), ws.Signal())
	}
	return fmt.Sprintf("exit status %d", ws.ExitStatus())
}
