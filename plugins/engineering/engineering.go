// Package engineering is the bundled department plugin for repair calls of
// the campus hot-water service: machines, valves and pipes.
//
// Settings (JSON, from the department's settings in config.toml):
//
//	{"roster": {"north-campus": ["Zhang San", "Li Si"]}, "default_technician": "Wang Wu"}
//
// roster maps a project to its technicians on duty, first on duty first.
// A ticket's project is the part of its Location before the first "/"
// ("north-campus/dorm-3" is project "north-campus").
//
// Every ticket is accepted. A repair call is assigned to the first
// technician on duty of its project, or to default_technician when the
// project has nobody on the roster, and its note gives the plan by
// severity, from the service company's rules: a minor fault is fixed at
// once; a serious fault is fixed the same day so the water is on by the
// evening; a major fault cannot be fixed the same day, is re-planned to the
// next day, and the service desk, the school and the students are told. A
// critical fault calls everyone on the project's roster.
// Any other ticket goes to default_technician with a note saying so.
//
// The answer depends only on the ticket and the settings, so a ticket
// delivered twice gets the same answer.
package engineering

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/switchboard-desk/switchboard/sdk"
)

// Version is the plugin's version.
const Version = "1.0.0"

// settings is the plugin's configuration.
type settings struct {
	Roster            map[string][]string `json:"roster"`
	DefaultTechnician string              `json:"default_technician"`
}

// Validate checks settings after decoding; sdk.Settings calls it.
func (s settings) Validate() error {
	for project, techs := range s.Roster {
		if strings.TrimSpace(project) == "" {
			return fmt.Errorf("roster: empty project name")
		}
		if strings.Contains(project, "/") {
			return fmt.Errorf("roster: project %q: a project name cannot contain \"/\"", project)
		}
		for i, tech := range techs {
			if strings.TrimSpace(tech) == "" {
				return fmt.Errorf("roster.%s[%d]: empty technician name", project, i)
			}
		}
	}
	return nil
}

// Department is the engineering department. Create it with New.
type Department struct {
	sdk.Base

	settings sdk.Settings[settings]
}

var (
	_ sdk.Department = (*Department)(nil)
	_ sdk.Configurer = (*Department)(nil)
)

// New returns the engineering department with empty settings.
func New() sdk.Department { return &Department{} }

// Info implements sdk.Department.
func (d *Department) Info() sdk.Info {
	return sdk.Info{
		Name:        "engineering",
		Version:     Version,
		Description: "hot-water repair calls: machines, valves, pipes",
	}
}

// Configure implements sdk.Configurer. Bad settings leave the previous
// ones in force.
func (d *Department) Configure(_ context.Context, raw json.RawMessage) error {
	if err := d.settings.Configure(raw); err != nil {
		return fmt.Errorf("engineering: %w", err)
	}
	return nil
}

// Project returns the project of a location: the part before the first
// "/", trimmed.
func Project(location string) string {
	project, _, _ := strings.Cut(location, "/")
	return strings.TrimSpace(project)
}

// HandleTicket implements sdk.Department.
func (d *Department) HandleTicket(_ context.Context, t sdk.Ticket) (sdk.Reply, error) {
	cfg := d.settings.Get()

	if t.Kind != "repair" {
		return sdk.Reply{
			Accept:   true,
			Assignee: cfg.DefaultTechnician,
			Note:     fmt.Sprintf("not a repair call (%s): held by the default technician", orNone(t.Kind)),
		}, nil
	}

	project := Project(t.Location)
	assignee, who := cfg.DefaultTechnician, "default technician"
	var roster []string
	if techs := cfg.Roster[project]; len(techs) > 0 {
		roster = techs
		assignee, who = techs[0], "on duty for "+project
	}
	note := plan(t.Severity, roster)
	if assignee == "" {
		note += "; nobody on duty for project " + orNone(project) + " and no default technician: assign by hand"
	} else {
		note += "; " + assignee + " (" + who + ")"
	}
	return sdk.Reply{Accept: true, Assignee: assignee, Note: note}, nil
}

// plan is the repair plan for a severity.
func plan(severity string, roster []string) string {
	switch severity {
	case "minor":
		return "general fault: fix at once"
	case "serious":
		return "serious fault: fix today, water on by evening"
	case "major":
		return "major fault: cannot be fixed today: re-planned to the next day; service desk, school and students to be told"
	case "critical":
		if len(roster) > 1 {
			return "critical fault: fix at once, all on duty called (" + strings.Join(roster, ", ") + "); project manager to be told"
		}
		return "critical fault: fix at once; project manager to be told"
	default:
		return fmt.Sprintf("fault of unknown severity %s: treated as serious, fix today, water on by evening", orNone(severity))
	}
}

func orNone(s string) string {
	if s == "" {
		return `""`
	}
	return s
}
