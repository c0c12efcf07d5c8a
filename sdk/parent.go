package sdk

import (
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
)

// parentPoll is how often a served plugin checks that its host is still
// its parent. It bounds how long a plugin outlives a host that died
// without ending it. A variable so that tests can shorten it.
var parentPoll = 300 * time.Millisecond

// parentWatch ends a plugin whose host has died without ending it (kill
// -9, a crash, the OOM killer). go-plugin's Serve never notices: the
// plugin would be re-parented and serve nobody for ever, and every crash
// and restart of the daemon would add one more such process.
//
// The host is gone when the parent process id changes: the kernel hands an
// orphan to PID 1 or to the nearest subreaper, so the test is "the parent
// is not the one we started with", not "the parent is 1". This is the
// portable guarantee on every Unix; on Linux the daemon's pluginhost also
// sets a parent-death signal (SIGKILL), which is faster. On Windows the
// parent id never changes after start, so the watch never fires there.
type parentWatch struct {
	getppid func() int
	every   time.Duration
	log     hclog.Logger
	// exit is called once, from the watch goroutine, after the parent
	// has changed and the watch has logged it; a served plugin's exit
	// flushes stderr and ends the process.
	exit func()
	// done ends the watch without calling exit; nil watches for ever.
	done <-chan struct{}
}

// start records the parent and starts the watch in a goroutine. It
// reports false, and starts nothing, when the parent is already PID 1 (or
// unknown): a plugin started by hand or by init has no host to outlive,
// and a daemon that is itself PID 1 (in a container) takes its plugins
// with it.
func (w parentWatch) start() bool {
	was := w.getppid()
	if was <= 1 {
		w.log.Debug("parent is init: not watching for the host's death", "ppid", was)
		return false
	}
	go w.run(was)
	return true
}

func (w parentWatch) run(was int) {
	t := time.NewTicker(w.every)
	defer t.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-t.C:
			now := w.getppid()
			if now == was {
				continue
			}
			// The host held the read end of our stderr, so the log write
			// most likely fails with EPIPE, which Go turns into death by
			// SIGPIPE on file descriptor 2. Ignore it: we are about to
			// exit anyway, and the exit should be ours.
			signal.Ignore(syscall.SIGPIPE)
			w.log.Warn("host process is gone (re-parented): exiting", "host_pid", was, "ppid", now)
			w.exit()
			return
		}
	}
}

// exitFlushed is the exit of a served plugin: a best-effort flush of
// stderr (no one may be left to read it), then exit 0.
func exitFlushed(out *os.File) func() {
	return func() {
		_ = out.Sync()
		os.Exit(0)
	}
}
