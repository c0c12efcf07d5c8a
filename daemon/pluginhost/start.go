package pluginhost

import (
	"os/exec"
	"runtime"
	"time"

	"github.com/hashicorp/go-plugin"
)

// threadPoll is how often a pinned start thread checks whether its plugin
// process has exited and the thread may go. It only bounds how long an
// idle thread outlives its process.
const threadPoll = 500 * time.Millisecond

// startProcess starts the plugin process of client, whose command is cmd,
// and completes the go-plugin handshake. Where the plugin gets a
// parent-death signal (Linux), the fork happens on a goroutine locked to
// its OS thread, which keeps the thread until the process has exited:
// see deathsig_linux.go for why.
func startProcess(client *plugin.Client, cmd *exec.Cmd) error {
	setDeathSignal(cmd)
	if !pinStart {
		_, err := client.Start()
		return err
	}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// Never unlocked: returning while locked ends this thread, which
		// is wanted once the process is gone, and until then no other
		// goroutine may run on (and end) the thread that forked it.
		_, err := client.Start()
		started <- err
		if cmd.Process == nil {
			return // nothing was forked
		}
		// go-plugin reaps the process on a start error too (it kills it),
		// so Exited comes true in every case.
		t := time.NewTicker(threadPoll)
		defer t.Stop()
		for range t.C {
			if client.Exited() {
				return
			}
		}
	}()
	return <-started
}
