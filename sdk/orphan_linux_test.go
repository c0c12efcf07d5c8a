//go:build linux

package sdk_test

import (
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/internal/orphantest"
	"github.com/switchboard-desk/switchboard/sdk/sdktest"
)

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
	orphantest.Subreaper(t)
	plugin := sdktest.Build(t, "./internal/testplugin")
	host := exec.Command(sdktest.Build(t, "./internal/testhost"), plugin)
	pid := orphantest.StartHost(t, host, testLog{t})
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("plugin pid %d is not running before the host dies: %v", pid, err)
	}

	killed := time.Now()
	if err := host.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = host.Wait()
	ws := orphantest.Reap(t, pid, 10*time.Second)
	t.Logf("plugin ended %s after its host was killed: %v", time.Since(killed).Round(time.Millisecond), orphantest.Describe(ws))
	if !ws.Exited() || ws.ExitStatus() != 0 {
		t.Errorf("plugin ended with %v, want exit status 0 from its parent watch", orphantest.Describe(ws))
	}
}

// testLog sends a process's output to the test log.
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	defer func() { recover() }() // a line after the test ended
	w.t.Log(string(p))
	return len(p), nil
}
