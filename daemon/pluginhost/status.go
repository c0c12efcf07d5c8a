package pluginhost

import (
	"time"

	"github.com/switchboard-desk/switchboard/sdk"
)

// State is where a plugin is in its life cycle.
type State string

// The states of a plugin.
const (
	// StateStarting: the first start since Start is under way.
	StateStarting State = "starting"
	// StateRunning: the process is up, configured and takes calls.
	StateRunning State = "running"
	// StateRestarting: the process died or was killed; a new one is being
	// started after a backoff.
	StateRestarting State = "restarting"
	// StateFailed: too many failures in the window, or a failure that a
	// restart cannot cure (a checksum mismatch, a missing binary, settings
	// the plugin refuses). No more restarts: the department stays failed
	// until the daemon is restarted or Host.Update changes its spec.
	StateFailed State = "failed"
	// StateStopped: not started yet, stopped by Stop, or removed by
	// Update (then Status.Removed is set).
	StateStopped State = "stopped"
)

// Status is a snapshot of one plugin, as shown on the wallboard and in the
// API.
type Status struct {
	// Name is the department's name.
	Name string `json:"name"`
	// Title is the department's display title.
	Title string `json:"title"`
	// State is the current state.
	State State `json:"state"`
	// PID is the process id while running, 0 otherwise.
	PID int `json:"pid,omitempty"`
	// Version is the plugin's version from its Info, once it has run.
	Version string `json:"version,omitempty"`
	// Capabilities are the optional features the running plugin serves
	// (see sdk.Capabilities), once it has run: any of "deliver" (the work
	// stream), "events", "health" and "host", or just "legacy" for a
	// plugin that predates the capabilities call.
	Capabilities []string `json:"capabilities,omitempty"`
	// Restarts counts the starts after the first one.
	Restarts int `json:"restarts"`
	// LastError says why the plugin last died or failed to start. A
	// successful (re)start clears it, so a running plugin shows none; the
	// log keeps every error.
	LastError string `json:"last_error,omitempty"`
	// Since is when State was entered.
	Since time.Time `json:"since"`
	// Removed is set on the last status of a department that Host.Update
	// removed; the Host no longer knows it.
	Removed bool `json:"removed,omitempty"`
}

// capabilityNames lists c as Status.Capabilities shows it.
func capabilityNames(c sdk.Capabilities) []string {
	if c.Legacy {
		return []string{"legacy"}
	}
	var out []string
	for _, f := range []struct {
		on   bool
		name string
	}{{c.Deliver, "deliver"}, {c.Events, "events"}, {c.Health, "health"}, {c.Host, "host"}} {
		if f.on {
			out = append(out, f.name)
		}
	}
	return out
}
