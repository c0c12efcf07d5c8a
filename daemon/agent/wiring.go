package agent

import (
	"encoding/json"
	"path/filepath"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/desk"
	"github.com/switchboard-desk/switchboard/daemon/escalate"
	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
	"github.com/switchboard-desk/switchboard/daemon/route"
	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

type rules struct {
	router *route.Router
	engine *sla.Engine
}

// buildRules makes the routing and SLA rules of cfg; all fallible work of a
// reload happens here, before anything live is touched.
func buildRules(cfg *config.Config) (rules, error) {
	esc, err := escalate.New(cfg.Escalations, cfg.Roles)
	if err != nil {
		return rules{}, err
	}
	cals, err := cfg.BuildCalendars()
	if err != nil {
		return rules{}, err
	}
	eng, err := sla.New(cfg.Policies, esc,
		sla.WithCalendars(cals), sla.WithRoles(cfg.Roles), sla.WithChains(cfg.Escalations))
	if err != nil {
		return rules{}, err
	}
	return rules{router: route.New(cfg.Routes, cfg.Routing.Fallback), engine: eng}, nil
}

func pluginSpecs(cfg *config.Config, exe string) []pluginhost.Spec {
	specs := make([]pluginhost.Spec, 0, len(cfg.Departments))
	for _, d := range cfg.Departments {
		s := pluginhost.Spec{Name: d.Name, Title: d.Title, SHA256: d.SHA256, NoTLS: !d.UseTLS()}
		switch {
		case d.Plugin != "":
			s.Cmd = []string{exe, "plugin", d.Plugin}
		case strings.ContainsRune(d.Command, filepath.Separator) && !filepath.IsAbs(d.Command):
			s.Cmd = []string{filepath.Join(cfg.Dir, d.Command)} // relative to config.toml
		default:
			s.Cmd = []string{d.Command}
		}
		if d.Settings != nil {
			// Settings came from TOML: plain maps, lists and scalars.
			b, err := json.Marshal(d.Settings)
			if err == nil {
				s.Settings = b
			}
		}
		specs = append(specs, s)
	}
	return specs
}

func departmentOf(s pluginhost.Status) wire.Department {
	return wire.Department{
		Name: s.Name, Title: s.Title, State: string(s.State), PID: s.PID, Version: s.Version, Capabilities: s.Capabilities,
		Restarts: s.Restarts, Error: s.LastError, Since: s.Since,
	}
}

func departments(cfg *config.Config, host *pluginhost.Host) []wire.Department {
	out := make([]wire.Department, 0, len(cfg.Departments))
	for _, d := range cfg.Departments {
		s, ok := host.Status(d.Name)
		if !ok {
			s = pluginhost.Status{Name: d.Name, Title: d.Title, State: pluginhost.StateStopped}
		}
		out = append(out, departmentOf(s))
	}
	return out
}

func registerDeskMetrics(reg *prometheus.Registry, dk *desk.Desk) {
	events := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "switchboard", Name: "ticket_events_total",
		Help: "Ticket events committed, by type.",
	}, []string{"type"})
	created := prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "switchboard", Name: "tickets_routed_total",
		Help: "Tickets accepted, by the department they were first routed to.",
	}, []string{"department"})
	reg.MustRegister(events, created)
	dk.OnCommit(func(t ticket.Ticket, evs []ticket.Event) {
		for _, ev := range evs {
			events.WithLabelValues(ev.Type).Inc()
			if ev.Type == ticket.EventCreated {
				created.WithLabelValues(t.Department).Inc()
			}
		}
	})
}
