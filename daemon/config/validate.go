package config

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// BundledPlugins lists the department plugins built into the switchboard
// binary, which a department may name with plugin = "…". The daemon may
// replace it before loading the config.
var BundledPlugins = []string{"engineering", "finance", "service"}

// LogLevels are the accepted values of server.log_level.
var LogLevels = []string{"trace", "debug", "info", "warn", "error"}

// Drivers are the accepted values of store.driver.
var Drivers = []string{"sqlite", "postgres"}

// Escalation checkpoints a level may be anchored to.
const (
	AtWarning = "warning"
	AtBreach  = "breach"
)

var (
	nameRE   = regexp.MustCompile(`^[a-z0-9_-]+$`)
	sha256RE = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
)

// Validate checks the whole configuration after SetDefaults and returns
// every problem found, joined, each naming the item at fault.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	c.validateServer(add)
	c.validateDepartments(add)
	c.validateRoutes(add)
	if _, err := c.BuildCalendars(); err != nil {
		add("%w", err)
	}
	c.validatePolicies(add)
	c.validateEscalations(add)
	c.validateRepeat(add)
	c.validateSchedules(add)
	for _, role := range slices.Sorted(maps.Keys(c.Roles)) {
		people := c.Roles[role]
		if len(people) == 0 {
			add("roles.%s: lists nobody; give at least one person", role)
		}
		for i, p := range people {
			if strings.TrimSpace(p) == "" {
				add("roles.%s: person %d is empty", role, i+1)
			}
		}
	}
	return errors.Join(errs...)
}

type addFunc func(format string, args ...any)

func (c *Config) validateServer(add addFunc) {
	// The host may be empty, for all interfaces.
	if _, port, err := net.SplitHostPort(c.Server.Listen); err != nil {
		add("server.listen: %q is not host:port: %v", c.Server.Listen, err)
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		add("server.listen: %q has a bad port %q (want 0-65535)", c.Server.Listen, port)
	}
	if !oneOf(c.Server.LogLevel, LogLevels) {
		add("server.log_level: unknown level %q (one of %s)", c.Server.LogLevel, strings.Join(LogLevels, ", "))
	}
	if !oneOf(c.Store.Driver, Drivers) {
		add("store.driver: unknown driver %q (one of %s)", c.Store.Driver, strings.Join(Drivers, ", "))
	} else if c.Store.Driver == "postgres" && c.Store.DSN == "" {
		add("store.dsn: is required with driver \"postgres\" (a connection URL)")
	}
}

func (c *Config) validateDepartments(add addFunc) {
	seen := map[string]bool{}
	for i, d := range c.Departments {
		item := departmentItem(i, d.Name)
		switch {
		case d.Name == "":
			add("%s: name is required", item)
		case !nameRE.MatchString(d.Name):
			add("%s: name may hold only a-z, 0-9, _ and -", item)
		case seen[d.Name]:
			add("%s: name is used by another department", item)
		}
		seen[d.Name] = true
		switch {
		case d.Plugin == "" && d.Command == "":
			add("%s: set plugin (one of %s) or command (a plugin binary)", item, strings.Join(BundledPlugins, ", "))
		case d.Plugin != "" && d.Command != "":
			add("%s: set plugin or command, not both", item)
		case d.Plugin != "" && !oneOf(d.Plugin, BundledPlugins):
			add("%s: unknown bundled plugin %q (one of %s)", item, d.Plugin, strings.Join(BundledPlugins, ", "))
		case d.Command != "" && d.SHA256 == "":
			add("%s: command requires sha256, the hex sha256 of the binary", item)
		case d.Command != "" && !sha256RE.MatchString(d.SHA256):
			add("%s: sha256 must be 64 hex characters, got %d characters", item, len(d.SHA256))
		}
		if d.Plugin != "" && d.SHA256 != "" {
			add("%s: sha256 applies only to command", item)
		}
	}
	for i, d := range c.Departments {
		for _, g := range d.Grants {
			if _, ok := c.Department(g); !ok && g != "*" {
				add("%s: grants names unknown department %q", departmentItem(i, d.Name), g)
			}
		}
	}
	if len(c.Departments) == 0 {
		add("department: at least one [[department]] is required")
	}
}

func departmentItem(i int, name string) string {
	if name == "" {
		return fmt.Sprintf("department %d", i+1)
	}
	return fmt.Sprintf("department %q", name)
}

func (c *Config) validateRoutes(add addFunc) {
	for i, r := range c.Routes {
		item := fmt.Sprintf("route %d", i+1)
		switch _, ok := c.Department(r.Department); {
		case r.Department == "":
			add("%s: department is required", item)
		case !ok:
			add("%s: unknown department %q", item, r.Department)
		}
		validateMatch(add, item, r.Match)
	}
	switch _, ok := c.Department(c.Routing.Fallback); {
	case c.Routing.Fallback == "":
		add("routing.fallback: is required (the department that gets tickets no route matches)")
	case !ok:
		add("routing.fallback: unknown department %q", c.Routing.Fallback)
	}
}

// validateMatch checks the values of a route's or policy's match fields.
// Categories are the desk's own and free.
func validateMatch(add addFunc, item string, m Match) {
	kinds := make([]string, len(ticket.Kinds))
	for i, k := range ticket.Kinds {
		kinds[i] = string(k)
	}
	for _, f := range []struct {
		name   string
		values []string
		valid  []string
	}{
		{"kind", m.Kind, kinds},
		{"severity", m.Severity, ticket.Severities},
		{"tier", m.Tier, ticket.Tiers},
	} {
		for _, v := range f.values {
			if !oneOf(v, f.valid) {
				add("%s: unknown %s %q (one of %s)", item, f.name, v, strings.Join(f.valid, ", "))
			}
		}
	}
	for _, v := range m.Category {
		if v == "" {
			add("%s: empty category", item)
		}
	}
}

func (c *Config) validatePolicies(add addFunc) {
	seen := map[string]bool{}
	for i, p := range c.Policies {
		item := fmt.Sprintf("policy %q", p.Name)
		switch {
		case p.Name == "":
			item = fmt.Sprintf("policy %d", i+1)
			add("%s: name is required", item)
		case seen[p.Name]:
			add("%s: name is used by another policy", item)
		}
		seen[p.Name] = true
		validateMatch(add, item, p.Match)
		if p.Escalation != "" && !c.hasChain(p.Escalation) {
			add("%s: unknown escalation %q", item, p.Escalation)
		}
		if !c.hasCalendar(p.Calendar) {
			add("%s: unknown calendar %q (define it in [[calendar]], or use %q)", item, p.Calendar, AlwaysCalendar)
		}
		for _, r := range p.Stakeholders {
			if _, ok := c.Roles[r]; !ok {
				add("%s: stakeholders names unknown role %q (add it to [roles])", item, r)
			}
		}
		if len(p.Targets) == 0 {
			add("%s: needs at least one [[policy.target]]", item)
		}
		targets := map[string]bool{}
		for j, t := range p.Targets {
			titem := fmt.Sprintf("%s target %q", item, t.Name)
			switch {
			case t.Name == "":
				titem = fmt.Sprintf("%s target %d", item, j+1)
				add("%s: name is required", titem)
			case targets[t.Name]:
				add("%s: name is used by another target of the policy", titem)
			}
			targets[t.Name] = true
			validateTarget(add, titem, t)
		}
	}
}

func (c *Config) hasChain(name string) bool {
	for _, ch := range c.Escalations {
		if ch.Name == name {
			return true
		}
	}
	return false
}

func (c *Config) validateEscalations(add addFunc) {
	seen := map[string]bool{}
	for i, ch := range c.Escalations {
		item := fmt.Sprintf("escalation %q", ch.Name)
		switch {
		case ch.Name == "":
			item = fmt.Sprintf("escalation %d", i+1)
			add("%s: name is required", item)
		case seen[ch.Name]:
			add("%s: name is used by another escalation", item)
		}
		seen[ch.Name] = true
		if len(ch.Levels) == 0 {
			add("%s: needs at least one [[escalation.level]]", item)
		}
		for j, l := range ch.Levels {
			litem := fmt.Sprintf("%s level %d", item, j+1)
			if l.At != AtWarning && l.At != AtBreach {
				add("%s: at must be %q or %q, got %q", litem, AtWarning, AtBreach, l.At)
			}
			if l.After.Duration < 0 {
				add("%s: after must not be negative", litem)
			}
			if len(l.Notify) == 0 {
				add("%s: notify lists no role", litem)
			}
			for _, r := range l.Notify {
				if _, ok := c.Roles[r]; !ok {
					add("%s: notify names unknown role %q (add it to [roles])", litem, r)
				}
			}
			if _, ok := c.Roles[l.Reassign]; l.Reassign != "" && !ok {
				add("%s: reassign names unknown role %q (add it to [roles])", litem, l.Reassign)
			}
		}
	}
}

func oneOf(v string, list []string) bool { return slices.Contains(list, v) }
