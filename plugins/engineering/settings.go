package engineering

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the campus zone must load on a host without zoneinfo

	"github.com/switchboard-desk/switchboard/plugins/internal/kit"
)

// The defaults of the inspection limits and of the campus time zone.
const (
	DefaultMinTemperatureC = 45
	DefaultMaxTemperatureC = 75
	DefaultMinWaterVolumeL = 100
	DefaultZone            = "Asia/Shanghai"
)

// settings is the plugin's configuration; see the package comment.
type settings struct {
	Roster            map[string][]string `json:"roster"`
	OnDuty            map[string]string   `json:"on_duty"`
	DefaultTechnician string              `json:"default_technician"`
	Inspection        limits              `json:"inspection"`
	Zone              string              `json:"zone"`
	// EscalateOnBreach: an sla.breached event escalates the ticket
	// through the host (default false: the desk's escalation chain
	// escalates at breach itself). For a desk whose chain has no level at
	// breach.
	EscalateOnBreach *bool `json:"escalate_on_breach"`

	loc *time.Location // Zone, loaded by Validate
}

// limits are the bounds a daily inspection's readings are checked against.
// A nil bound takes its default.
type limits struct {
	MinTemperatureC *float64 `json:"min_temperature_c"`
	MaxTemperatureC *float64 `json:"max_temperature_c"`
	MinWaterVolumeL *float64 `json:"min_water_volume_l"`
}

// Validate checks settings after decoding and fills in the defaults;
// sdk.Settings calls it.
func (s *settings) Validate() error {
	for project, techs := range s.Roster {
		if err := checkProject("roster", project); err != nil {
			return err
		}
		for i, tech := range techs {
			if strings.TrimSpace(tech) == "" {
				return fmt.Errorf("roster.%s[%d]: empty technician name", project, i)
			}
		}
	}
	for project, tech := range s.OnDuty {
		if err := checkProject("on_duty", project); err != nil {
			return err
		}
		if strings.TrimSpace(tech) == "" {
			return fmt.Errorf("on_duty.%s: empty technician name", project)
		}
	}
	def := func(p **float64, v float64) {
		if *p == nil {
			*p = &v
		}
	}
	def(&s.Inspection.MinTemperatureC, DefaultMinTemperatureC)
	def(&s.Inspection.MaxTemperatureC, DefaultMaxTemperatureC)
	def(&s.Inspection.MinWaterVolumeL, DefaultMinWaterVolumeL)
	if lo, hi := *s.Inspection.MinTemperatureC, *s.Inspection.MaxTemperatureC; lo >= hi {
		return fmt.Errorf("inspection: min_temperature_c %g must be below max_temperature_c %g", lo, hi)
	}
	if v := *s.Inspection.MinWaterVolumeL; v < 0 {
		return fmt.Errorf("inspection.min_water_volume_l: %g is negative", v)
	}
	if s.EscalateOnBreach == nil {
		off := false
		s.EscalateOnBreach = &off
	}
	loc, err := kit.Zone(&s.Zone, DefaultZone)
	if err != nil {
		return err
	}
	s.loc = loc
	return nil
}

func checkProject(key, project string) error {
	if strings.TrimSpace(project) == "" {
		return fmt.Errorf("%s: empty project name", key)
	}
	if strings.Contains(project, "/") {
		return fmt.Errorf("%s: project %q: a project name cannot contain \"/\"", key, project)
	}
	return nil
}

// withDefaults returns s ready to use: the zero settings of an
// unconfigured department get the defaults too.
func (s settings) withDefaults() settings {
	if s.loc == nil {
		_ = s.Validate() // the zero value is valid
	}
	return s
}

// onDuty returns the technician on duty for a project: on_duty's, else
// the first of its roster, else "".
func (s settings) onDuty(project string) string {
	if tech := s.OnDuty[project]; tech != "" {
		return tech
	}
	if techs := s.Roster[project]; len(techs) > 0 {
		return techs[0]
	}
	return ""
}
