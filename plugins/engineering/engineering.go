// Package engineering is the bundled department plugin for the campus
// hot-water service's engineering: repair calls on machines, valves and
// pipes, and the maintenance staff's daily inspection.
//
// Settings (JSON, from the department's settings in config.toml):
//
//	{
//	  "roster": {"north-campus": ["Zhang San", "Li Si"]},
//	  "on_duty": {"north-campus": "Li Si"},
//	  "default_technician": "Wang Wu",
//	  "inspection": {"min_temperature_c": 45, "max_temperature_c": 75, "min_water_volume_l": 100},
//	  "zone": "Asia/Shanghai",
//	  "escalate_on_breach": false
//	}
//
// roster maps a project (a campus the company serves) to its technicians;
// on_duty names the one on duty (default: the first of the roster). A
// ticket's project is the part of its Location before the first "/"
// ("north-campus/dorm-3" is project "north-campus"). default_technician
// takes what no roster covers. inspection holds the limits a daily
// inspection's readings must meet (the defaults are shown), and zone the
// campus time zone (default Asia/Shanghai). escalate_on_breach (default
// false) makes a breach escalate the ticket through the host as well; it is
// for a desk whose escalation chain has no level at breach, since the
// chain's own breach levels escalate already. An unknown key is an error naming it.
//
// # Repairs
//
// Every ticket is accepted. A repair is triaged by severity, after the
// service company's rules: a critical, major or serious fault (a machine
// down, water off) goes at once to the project's technician on duty; a
// minor one (a broken valve) to the next technician of the project's roster,
// round robin by a stable hash of the ticket id, so that a ticket delivered
// twice goes to the same person. The reply's note gives the plan.
//
// # Daily inspection
//
// A ticket of category "inspection" (the "daily-inspection" schedule opens
// one per project every working day) goes to the project's technician on
// duty. Its readings, in Fields "water_temperature_c" and "water_volume_l"
// or in a later note (or transition note) "readings:
// water_temperature_c=52 water_volume_l=300",
// are recorded as a note and checked against the limits. Each failed check
// opens a repair ticket (category water_temperature or water_volume,
// severity serious, the same location) with the idempotency key
// "<inspection id>/<check>", so that a redelivery never opens a second one,
// and the new ticket's id is noted on the inspection. An inspection whose
// readings all pass is resolved: by the answer itself (sdk.Reply.Status)
// when the readings come with the ticket, through the host when they come
// later in a note.
//
// # What technicians cannot fix
//
// An sla.breached event, or a note starting with "cannot fix" (a
// technician's report, as a note or as the note of a transition, e.g. to
// waiting), escalates the ticket through the host with the
// reason. A major or critical fault in that case is re-planned: its
// resolution target moves to 12:00 on the next day, campus time, with the
// reason "major fault: parts ordered, repair re-planned to next day", and
// the desk tells the policy's stakeholders (the service desk, the school,
// the students). Events are delivered at least once: each is handled once
// by its id.
//
// Without the host API (an old daemon) the department still triages and
// answers; it then records no readings and escalates nothing itself.
package engineering

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/switchboard-desk/switchboard/plugins/internal/kit"
	"github.com/switchboard-desk/switchboard/sdk"
)

// Version is the plugin's version.
const Version = "1.1.0"

// Department is the engineering department. Create it with New.
type Department struct {
	sdk.Base

	settings sdk.Settings[settings]
	host     kit.HostRef
	seen     kit.Seen
}

var (
	_ sdk.Department   = (*Department)(nil)
	_ sdk.Configurer   = (*Department)(nil)
	_ sdk.EventHandler = (*Department)(nil)
	_ sdk.HostUser     = (*Department)(nil)
)

// New returns the engineering department with empty settings.
func New() sdk.Department { return &Department{} }

// Info implements sdk.Department.
func (d *Department) Info() sdk.Info {
	return sdk.Info{
		Name:        "engineering",
		Version:     Version,
		Description: "hot-water repairs, daily inspections and escalation of what technicians cannot fix",
	}
}

// UseHost implements sdk.HostUser.
func (d *Department) UseHost(h sdk.Host) { d.host.Set(h) }

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
func (d *Department) HandleTicket(ctx context.Context, t sdk.Ticket) (sdk.Reply, error) {
	cfg := d.settings.Get().withDefaults()
	switch {
	case t.Category == CategoryInspection:
		return d.inspect(ctx, cfg, t)
	case t.Kind != "repair":
		return sdk.Reply{
			Accept:   true,
			Assignee: cfg.DefaultTechnician,
			Note:     withAssignee(fmt.Sprintf("not a repair call (%s): held by the default technician", orNone(t.Kind)), cfg.DefaultTechnician, "default technician"),
		}, nil
	}
	return triage(cfg, t), nil
}

// triage answers a repair call by its severity.
func triage(cfg settings, t sdk.Ticket) sdk.Reply {
	project := Project(t.Location)
	roster := cfg.Roster[project]
	onDuty := cfg.onDuty(project)

	var assignee, who string
	switch {
	case t.Severity == "minor" && len(roster) > 0:
		assignee, who = RoundRobin(roster, t.ID), "next on the "+project+" roster"
	case onDuty != "":
		assignee, who = onDuty, "on duty for "+project+", called at once"
	default:
		assignee, who = cfg.DefaultTechnician, "default technician"
	}
	note := plan(t.Severity, roster)
	if assignee == "" {
		note += "; nobody on duty for project " + orNone(project) + " and no default technician: assign by hand"
	} else {
		note += "; " + assignee + " (" + who + ")"
	}
	return sdk.Reply{Accept: true, Assignee: assignee, Note: note}
}

// RoundRobin returns the technician of roster for a ticket id:
// roster[fnv-1a(id) mod len(roster)], so that the load spreads over the
// roster and a ticket always goes to the same person. It returns "" for an
// empty roster.
func RoundRobin(roster []string, id string) string {
	if len(roster) == 0 {
		return ""
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return roster[h.Sum32()%uint32(len(roster))]
}

// plan is the repair plan for a severity.
func plan(severity string, roster []string) string {
	switch severity {
	case "minor":
		return "general fault: fix at once"
	case "serious":
		return "serious fault: fix today, water on by evening"
	case "major":
		return "major fault: fix at once if possible; if it cannot be fixed today it is re-planned to the next day and the service desk, school and students are told"
	case "critical":
		if len(roster) > 1 {
			return "critical fault: fix at once, all on the roster called (" + strings.Join(roster, ", ") + "); project manager to be told"
		}
		return "critical fault: fix at once; project manager to be told"
	default:
		return fmt.Sprintf("fault of unknown severity %s: treated as serious, fix today, water on by evening", orNone(severity))
	}
}

// withAssignee ends a note with who holds the ticket.
func withAssignee(note, assignee, who string) string {
	if assignee == "" {
		return note + "; no default technician: assign by hand"
	}
	return note + "; " + assignee + " (" + who + ")"
}

func orNone(s string) string {
	if s == "" {
		return `""`
	}
	return s
}
