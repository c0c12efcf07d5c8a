package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/calendar"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// Values of a schedule's every.
const (
	EveryBusinessDay = "business_day"
	EveryWeek        = "week"
	EveryMonth       = "month"
)

// Everies lists the accepted values of a schedule's every.
var Everies = []string{EveryBusinessDay, EveryWeek, EveryMonth}

// ReportSLA is the report a schedule may write: the SLA report of the
// period just ended.
const ReportSLA = "sla"

// MaxBusinessDay bounds a monthly schedule's business_day: no month has
// more than 23 business days.
const MaxBusinessDay = 23

// LocationPlaceholder in a scheduled ticket's title is replaced by the
// for_each value the ticket is created for.
const LocationPlaceholder = "{location}"

// Repeat defaults, applied by SetDefaults.
const (
	DefaultRepeatCount  = 3
	DefaultRepeatWindow = 7 * 24 * time.Hour
	// DefaultRepeatRole is the role repeated complaints escalate to. When
	// config.toml has no [repeat] table, detection is on only if [roles]
	// defines this role.
	DefaultRepeatRole = "general_manager"
)

// Enabled reports whether repeated complaints are detected: Count is 0
// when [repeat] says count = 0, or when it is left out and [roles] has no
// general_manager.
func (r Repeat) Enabled() bool { return r.Count > 0 }

// setRepeatDefaults: a [repeat] table left out turns detection on with the
// defaults if the general manager is a role; one given has its missing keys
// filled.
func (c *Config) setRepeatDefaults() {
	r := &c.Repeat
	if r.Count == 0 && r.Window.Duration == 0 && r.Notify == nil {
		if _, ok := c.Roles[DefaultRepeatRole]; !ok {
			return // off
		}
	}
	if r.Count == 0 {
		r.Count = DefaultRepeatCount
	}
	if r.Window.Duration == 0 {
		r.Window.Duration = DefaultRepeatWindow
	}
	if r.Notify == nil {
		r.Notify = []string{DefaultRepeatRole}
	}
}

func (c *Config) validateRepeat(add addFunc) {
	r := c.Repeat
	if r.Count < 0 || r.Count == 1 {
		add("repeat.count: must be at least 2 (or 0 to turn detection off), got %d", r.Count)
	}
	if !r.Enabled() {
		return
	}
	if r.Window.Duration <= 0 {
		add("repeat.window: must be more than zero, e.g. \"168h\" (7 days)")
	}
	if len(r.Notify) == 0 {
		add("repeat.notify: lists no role (write count = 0 to turn detection off)")
	}
	for _, role := range r.Notify {
		if _, ok := c.Roles[role]; !ok {
			add("repeat.notify: unknown role %q (add it to [roles], or write count = 0 to turn detection off)", role)
		}
	}
}

func (c *Config) setScheduleDefaults() {
	for i := range c.Schedules {
		s := &c.Schedules[i]
		if s.Calendar == "" {
			s.Calendar = AlwaysCalendar
		}
		if s.Every == EveryMonth && s.BusinessDay == 0 {
			s.BusinessDay = 1
		}
	}
}

func (c *Config) validateSchedules(add addFunc) {
	seen := map[string]bool{}
	for i, s := range c.Schedules {
		item := fmt.Sprintf("schedule %q", s.Name)
		switch {
		case s.Name == "":
			item = fmt.Sprintf("schedule %d", i+1)
			add("%s: name is required", item)
		case !nameRE.MatchString(s.Name):
			add("%s: name may hold only a-z, 0-9, _ and -", item)
		case seen[s.Name]:
			add("%s: name is used by another schedule", item)
		}
		seen[s.Name] = true
		if !c.hasCalendar(s.Calendar) {
			add("%s: unknown calendar %q (define it in [[calendar]], or use %q)", item, s.Calendar, AlwaysCalendar)
		}
		if !oneOf(s.Every, Everies) {
			add("%s: every must be one of %s, got %q", item, strings.Join(Everies, ", "), s.Every)
		}
		if at, ok := checkClock(add, item, "at", s.At); ok && at >= calendar.EndOfDay {
			add("%s: at must be before 24:00", item)
		}
		switch _, ok := ParseWeekday(s.Weekday); {
		case s.Every == EveryWeek && s.Weekday == "":
			add("%s: weekday is required with every = %q, e.g. \"monday\"", item, EveryWeek)
		case s.Every == EveryWeek && !ok:
			add("%s: unknown weekday %q (one of %s)", item, s.Weekday, strings.Join(Weekdays, ", "))
		case s.Every != EveryWeek && s.Weekday != "":
			add("%s: weekday applies only to every = %q", item, EveryWeek)
		}
		switch {
		case s.Every == EveryMonth && (s.BusinessDay < 1 || s.BusinessDay > MaxBusinessDay):
			add("%s: business_day must be from 1 to %d, got %d", item, MaxBusinessDay, s.BusinessDay)
		case s.Every != EveryMonth && s.BusinessDay != 0:
			add("%s: business_day applies only to every = %q", item, EveryMonth)
		}
		switch {
		case s.Ticket == nil && s.Report == "":
			add("%s: set ticket (a ticket to create) or report = %q", item, ReportSLA)
		case s.Ticket != nil && s.Report != "":
			add("%s: set ticket or report, not both", item)
		case s.Ticket != nil:
			validateScheduledTicket(add, item, *s.Ticket)
		case s.Report != ReportSLA:
			add("%s: unknown report %q (the only report is %q)", item, s.Report, ReportSLA)
		}
	}
}

func validateScheduledTicket(add addFunc, item string, t ScheduledTicket) {
	switch {
	case t.Kind == "":
		add("%s: ticket.kind is required (one of %s)", item, kindList())
	case !ticket.Kind(t.Kind).Valid():
		add("%s: ticket.kind: unknown kind %q (one of %s)", item, t.Kind, kindList())
	}
	if strings.TrimSpace(t.Category) == "" {
		add("%s: ticket.category is required", item)
	}
	if t.Severity != "" && !oneOf(t.Severity, ticket.Severities) {
		add("%s: ticket.severity: unknown severity %q (one of %s)", item, t.Severity, strings.Join(ticket.Severities, ", "))
	}
	switch {
	case strings.TrimSpace(t.Title) == "":
		add("%s: ticket.title is required", item)
	case strings.Contains(t.Title, LocationPlaceholder) && len(t.ForEach) == 0:
		add("%s: ticket.title uses %s but ticket.for_each lists no location", item, LocationPlaceholder)
	}
	seen := map[string]bool{}
	for i, v := range t.ForEach {
		switch {
		case strings.TrimSpace(v) == "":
			add("%s: ticket.for_each[%d] is empty", item, i+1)
		case seen[v]:
			add("%s: ticket.for_each lists %q twice", item, v)
		}
		seen[v] = true
	}
}

func kindList() string {
	s := make([]string, len(ticket.Kinds))
	for i, k := range ticket.Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}
