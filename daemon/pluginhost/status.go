package pluginhost

import "time"

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
	// until the daemon is restarted (a reload does not restart plugins).
	StateFailed State = "failed"
	// StateStopped: not started yet, or stopped by Stop.
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
	// Restarts counts the starts after the first one.
	Restarts int `json:"restarts"`
	// LastError says why the plugin last died or failed to start. A
	// successful (re)start clears it, so a running plugin shows none; the
	// log keeps every error.
	LastError string `json:"last_error,omitempty"`
	// Since is when State was entered.
	Since time.Time `json:"since"`
}
