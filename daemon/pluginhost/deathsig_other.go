//go:build !linux

package pluginhost

import "os/exec"

// Elsewhere than Linux there is no parent-death signal: the sdk's parent
// watch alone ends a plugin whose daemon died (see deathsig_linux.go).

// pinStart says whether startProcess must fork from a thread of its own.
const pinStart = false

// setDeathSignal does nothing: the platform has no parent-death signal.
func setDeathSignal(*exec.Cmd) {}
