// Package config reads switchboard's TOML configuration strictly: an unknown
// key or a bad value is an error naming the key and its line.
//
// Exported fields are user documentation: each comment says what the key in
// config.toml means.
package config

import (
	"time"
)

// Config is the whole of config.toml.
type Config struct {
	Server      Server       `toml:"server"`
	Store       Store        `toml:"store"`
	Routing     Routing      `toml:"routing"`
	Departments []Department `toml:"department"`
	Routes      []Route      `toml:"route"`
	Policies    []Policy     `toml:"policy"`
	Escalations []Chain      `toml:"escalation"`
	// Roles maps a role named in an escalation level to the people who
	// hold it, e.g. general_manager = ["Zhao Min"].
	Roles map[string][]string `toml:"roles"`

	// Dir is the directory of the config file; relative paths in the
	// config are relative to it. Not read from TOML.
	Dir string `toml:"-"`
}

// Server is the [server] table.
type Server struct {
	// Listen is the HTTP address, host:port. Default 127.0.0.1:7480.
	Listen string `toml:"listen"`
	// DataDir holds the embedded store and the admin token. Relative to
	// the config file. Default "data".
	DataDir string `toml:"data_dir"`
	// Token is the API bearer token. When empty, the daemon creates one on
	// first start in DATA_DIR/admin.token (mode 0600).
	Token string `toml:"token"`
	// AllowedOrigins lists the Origin values accepted on the websocket
	// besides the daemon's own host.
	AllowedOrigins []string `toml:"allowed_origins"`
	// LogLevel is trace, debug, info, warn or error. Default info.
	LogLevel string `toml:"log_level"`
}

// Store is the [store] table.
type Store struct {
	// Driver is "sqlite" (embedded, the default) or "postgres".
	Driver string `toml:"driver"`
	// DSN is the data source: a file path for sqlite (default
	// DATA_DIR/switchboard.db), a connection URL for postgres.
	DSN string `toml:"dsn"`
}

// Routing is the [routing] table.
type Routing struct {
	// Fallback is the department that gets tickets no route matches.
	Fallback string `toml:"fallback"`
}

// Department is one [[department]]: an owner of tickets served by a plugin.
type Department struct {
	// Name is the department's id, used by routes and the API.
	Name string `toml:"name"`
	// Title is the name shown on the wallboard.
	Title string `toml:"title"`
	// Plugin names a bundled plugin (engineering, finance, service), run as
	// `switchboard plugin NAME` in its own process.
	Plugin string `toml:"plugin"`
	// Command is the path of a third-party plugin binary, instead of Plugin.
	Command string `toml:"command"`
	// SHA256 is the hex sha256 of Command; required with Command.
	SHA256 string `toml:"sha256"`
	// Settings is handed to the plugin as JSON when it starts (rosters,
	// queues: whatever the plugin documents).
	Settings map[string]any `toml:"settings"`
}

// Match selects tickets by their fields. An empty list matches anything; a
// non-empty one matches a ticket whose field equals one of its values.
type Match struct {
	// Kind: complaint, repair, request.
	Kind []string `toml:"kind"`
	// Category: free text, e.g. valve, invoice_correction.
	Category []string `toml:"category"`
	// Severity: minor, serious, major, critical.
	Severity []string `toml:"severity"`
	// Tier: general, member, vip.
	Tier []string `toml:"tier"`
}

// Matches reports whether a ticket with these fields is selected.
func (m Match) Matches(kind, category, severity, tier string) bool {
	return in(m.Kind, kind) && in(m.Category, category) && in(m.Severity, severity) && in(m.Tier, tier)
}

func in(list []string, v string) bool {
	if len(list) == 0 {
		return true
	}
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Route is one [[route]]: tickets it matches go to Department. The first
// matching route wins.
type Route struct {
	// Department names the [[department]] that gets the matched tickets.
	Department string `toml:"department"`
	Match
}

// Policy is one [[policy]]: the promises made about the tickets it matches.
// The first matching policy wins.
type Policy struct {
	// Name identifies the policy, e.g. "repair.serious".
	Name string `toml:"name"`
	// Escalation names the [[escalation]] chain followed on warning and
	// breach of any target.
	Escalation string `toml:"escalation"`
	Match
	Targets []Target `toml:"target"`
}

// Target is one [[policy.target]]: a promise with a deadline.
type Target struct {
	// Name is "response" (met when the ticket is acknowledged),
	// "resolution" (met when resolved), or another checklist name.
	Name string `toml:"name"`
	// After is the time allowed, counted from the ticket's creation.
	After Duration `toml:"after"`
	// Warn is the fraction of the span after which a warning is raised.
	// Default 0.8.
	Warn float64 `toml:"warn"`
}

// Chain is one [[escalation]]: who is told, and when, as a promise nears
// breach and breaks.
type Chain struct {
	// Name identifies the chain; a policy's escalation names it.
	Name string `toml:"name"`
	// Levels are told in the order their times come.
	Levels []Level `toml:"level"`
}

// Level is one [[escalation.level]].
type Level struct {
	// Name describes the level, e.g. "project engineering manager".
	Name string `toml:"name"`
	// At is "warning" or "breach".
	At string `toml:"at"`
	// After delays the level past At, e.g. "4h" after breach.
	After Duration `toml:"after"`
	// Notify lists the roles told; [roles] maps them to people.
	Notify []string `toml:"notify"`
}

// Duration is a time.Duration written as a Go duration string ("15m", "36h").
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.Duration.String()), nil }
