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
	// Calendars are the business calendars deadlines are counted on.
	Calendars []Calendar `toml:"calendar"`
	// Repeat detects repeated complaints about one place or asset.
	Repeat Repeat `toml:"repeat"`
	// Schedules create tickets, and write reports, on a calendar.
	Schedules []Schedule `toml:"schedule"`

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
	// TLS turns go-plugin's AutoMTLS on for the connection to the plugin
	// (default true). Set it to false for a plugin written in a language
	// without go-plugin's AutoMTLS support (sdk/PROTOCOL.md).
	TLS *bool `toml:"tls"`
	// Grants lists other departments whose tickets the plugin may act on
	// through the host API; "*" grants every department. A plugin always
	// acts on its own department's tickets.
	Grants []string `toml:"grants"`
	// Settings is handed to the plugin as JSON when it starts (rosters,
	// queues: whatever the plugin documents).
	Settings map[string]any `toml:"settings"`
}

// UseTLS reports whether AutoMTLS is on for the department's plugin.
func (d Department) UseTLS() bool { return d.TLS == nil || *d.TLS }

// Granted reports whether the department's plugin may act on tickets of
// department other.
func (d Department) Granted(other string) bool {
	if other == d.Name {
		return true
	}
	for _, g := range d.Grants {
		if g == "*" || g == other {
			return true
		}
	}
	return false
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
	// Calendar names the [[calendar]] business time is counted on.
	// Default "always" (every hour of every day).
	Calendar string `toml:"calendar"`
	// Escalation names the [[escalation]] chain followed on warning and
	// breach of any target.
	Escalation string `toml:"escalation"`
	// Stakeholders lists roles told when a ticket under this policy is
	// created and whenever one of its deadlines is re-planned (the service
	// desk, the school and the students, for a major fault).
	Stakeholders []string `toml:"stakeholders"`
	Match
	// Targets are the policy's promises; at least one.
	Targets []Target `toml:"target"`
}

// Target is one [[policy.target]]: a promise with a deadline. Exactly one
// of after, same_day, next_business_day, business_days, day_of_month and
// event_offset says when it falls due.
type Target struct {
	// Name is "response" (met when the ticket is first acknowledged),
	// "resolution" (met when resolved), or another checklist name.
	Name string `toml:"name"`
	// After is the time allowed, counted from the ticket's creation on
	// the clock below.
	After Duration `toml:"after"`
	// Clock, with after: "business" (only working hours of the policy's
	// calendar count; the default) or "calendar" (real time: 36h is 36
	// hours, across nights, weekends and daylight-saving changes).
	Clock string `toml:"clock"`
	// SameDay: due that business day at the given time if the ticket
	// came in at or before the cut-off, else the next business day.
	SameDay *SameDay `toml:"same_day"`
	// NextBusinessDay: due on the first business day after the day the
	// ticket came in, at this local time ("18:00").
	NextBusinessDay string `toml:"next_business_day"`
	// BusinessDays: due at close of business on the Nth business day after
	// the day the ticket came in.
	BusinessDays int `toml:"business_days"`
	// DayOfMonth: due at the start (local midnight) of the next day N of a
	// month ("before the 10th").
	DayOfMonth int `toml:"day_of_month"`
	// EventOffset: due this long after the ticket's event_at (negative:
	// before it, "-2h"). A ticket without event_at is refused.
	EventOffset *Duration `toml:"event_offset"`
	// Warn is the fraction of the span after which a warning is raised,
	// measured on the target's own clock. Default 0.8.
	Warn float64 `toml:"warn"`
}

// SameDay is a target's same_day = { at = "18:00", cutoff = "14:00" }.
type SameDay struct {
	// At is the local time the target falls due, "18:00".
	At string `toml:"at"`
	// Cutoff is the latest local time a ticket may come in and still be
	// due the same business day, "14:00"; not after At.
	Cutoff string `toml:"cutoff"`
}

// Calendar is one [[calendar]]: when a desk works.
type Calendar struct {
	// Name identifies the calendar; policies and schedules name it.
	Name string `toml:"name"`
	// Zone is an IANA time zone, e.g. "Asia/Shanghai". Default "UTC".
	Zone string `toml:"zone"`
	// Week maps a weekday (monday … sunday) to its working hours, e.g.
	// monday = ["09:00-12:00", "13:30-18:00"]; "00:00-24:00" is a whole
	// day. Weekdays not listed are days off.
	Week map[string][]string `toml:"week"`
	// Holidays are dates with no work: "2026-10-01", or a range
	// "2026-10-01..2026-10-07".
	Holidays []string `toml:"holidays"`
	// HolidaysFile loads more holidays from a file (one date a line, or
	// iCalendar), relative to this config file.
	HolidaysFile string `toml:"holidays_file"`
	// Extra are dates worked although their weekday is not (make-up
	// working days), with Monday's hours; written like holidays.
	Extra []string `toml:"extra"`
}

// Repeat is the [repeat] table: repeated complaints about the same
// location or asset escalate on their own.
type Repeat struct {
	// Count complaints (default 3, at least 2) about one location or
	// asset ... Written as 0, detection is off; see Enabled for a
	// [repeat] table left out.
	Count int `toml:"count"`
	// ... within Window (default "168h", 7 days) ...
	Window Duration `toml:"window"`
	// ... are escalated straight to these roles (default
	// ["general_manager"]), with the earlier tickets linked.
	Notify []string `toml:"notify"`
}

// Schedule is one [[schedule]]: recurring work on a calendar.
type Schedule struct {
	// Name identifies the schedule.
	Name string `toml:"name"`
	// Calendar names the [[calendar]] whose business days and zone count.
	// Default "always".
	Calendar string `toml:"calendar"`
	// Every is "business_day", "week" or "month".
	Every string `toml:"every"`
	// At is the local time of day, "09:00".
	At string `toml:"at"`
	// Weekday, with every = "week": the day ("monday"); the schedule runs
	// on it, or on the next business day when it is not one.
	Weekday string `toml:"weekday"`
	// BusinessDay, with every = "month": the Nth business day of the
	// month (default 1).
	BusinessDay int `toml:"business_day"`
	// Ticket is the ticket to create, once per entry of ForEach.
	Ticket *ScheduledTicket `toml:"ticket"`
	// Report writes the SLA report of the period just ended to the data
	// dir ("sla"), instead of creating a ticket.
	Report string `toml:"report"`
}

// ScheduledTicket is the ticket a schedule creates.
type ScheduledTicket struct {
	// Kind is complaint, repair or request. Required.
	Kind string `toml:"kind"`
	// Category is the desk's category, e.g. "inspection". Required.
	Category string `toml:"category"`
	// Severity is minor (the default), serious, major or critical.
	Severity string `toml:"severity"`
	// Title is the ticket's title. Required.
	Title string `toml:"title"`
	// ForEach creates one ticket per value, with the value as its
	// location and in its title ("{location}"); empty: one ticket.
	ForEach []string `toml:"for_each"`
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
	// Reassign, when set, names a role: the ticket is reassigned to its
	// first person when the level fires.
	Reassign string `toml:"reassign"`
	// RaiseSeverity raises the ticket's severity one step when the level
	// fires (minor → serious → major → critical).
	RaiseSeverity bool `toml:"raise_severity"`
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
