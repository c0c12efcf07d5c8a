//go:build linux

package pluginhost

import (
	"os/exec"
	"syscall"
)

// Plugins must not outlive the daemon. Two mechanisms see to it:
//
//   - the sdk's parent watch (sdk.Serve): the plugin polls its parent pid
//     and exits when it has been re-parented. It works on every Unix and
//     for any host, but only within its poll interval;
//   - here, on Linux, a parent-death signal: the kernel sends the child
//     SIGKILL the moment its parent dies, however it dies (kill -9, a
//     crash, the OOM killer). This is the fast path.
//
// The catch (go.dev/issue/27505): the "parent" of PR_SET_PDEATHSIG is the
// OS thread that forked the child, not the process. The Go runtime never
// ends an ordinary thread, but it does end a thread whose goroutine exits
// while locked to it (runtime.LockOSThread without Unlock), and any
// library may do that; if the plugin had been forked from that thread, it
// would be killed for no reason while the daemon runs on.
//
// So the start runs on a goroutine of its own, locked to its thread, and
// that goroutine stays parked, keeping the thread, for as long as the
// process it forked lives; once the process has exited it returns still
// locked and the runtime ends the thread. Nothing else can be scheduled on
// a locked thread, so no other code can end it early. The cost is one
// idle OS thread per running plugin (a handful), held exactly as long as
// its process: not a thread leaked per start, as never returning would be.
// See startProcess.

// pinStart says whether startProcess must fork from a thread of its own.
const pinStart = true

// setDeathSignal asks the kernel to SIGKILL the plugin when the thread
// that forks it dies.
func setDeathSignal(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
