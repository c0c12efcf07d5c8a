// Package service is the bundled department plugin for complaints and
// requests: the service desk, and the desk's fallback department (whatever
// no other route claims comes here). Several departments may run it with
// their own agents: config.toml's tally, emergency desk and hotel reception
// do.
//
// Settings (JSON, from the department's settings in config.toml):
//
//	{"agents": ["Huang Min", "Xu Lan", "Guo Tao"]}
//
// An unknown key is an error naming it.
//
// Every ticket is accepted (acknowledged) and assigned to one of agents,
// chosen by a stable hash of the ticket ID, so the load spreads evenly and
// a ticket delivered twice goes to the same agent.
//
// A complaint is answered to the customer's satisfaction, not just
// answered: when one of the department's complaints is resolved (by an
// agent, or by another department's work), the department notes that it
// asked the reporter to confirm the complaint is solved; the ticket stays
// resolved until the reporter confirms and the agent closes it, or
// reopens it. When a promise on a ticket is at risk (sla.warning), it
// notes that the assignee is being chased. Events are delivered at least
// once: each is handled once by its id.
package service

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/switchboard-desk/switchboard/plugins/internal/kit"
	"github.com/switchboard-desk/switchboard/sdk"
)

// Version is the plugin's version.
const Version = "1.1.0"

// ConfirmNote is in the note of every accepted complaint.
const ConfirmNote = "reporter will be asked to confirm before closing"

type settings struct {
	Agents []string `json:"agents"`
}

// Validate checks settings after decoding; sdk.Settings calls it.
func (s settings) Validate() error {
	seen := make(map[string]bool, len(s.Agents))
	for i, a := range s.Agents {
		if strings.TrimSpace(a) == "" {
			return fmt.Errorf("agents[%d]: empty agent name", i)
		}
		if seen[a] {
			return fmt.Errorf("agents[%d]: %q listed twice", i, a)
		}
		seen[a] = true
	}
	return nil
}

// Department is the service department. Create it with New.
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

// New returns the service department with no agents.
func New() sdk.Department { return &Department{} }

// Info implements sdk.Department.
func (d *Department) Info() sdk.Info {
	return sdk.Info{
		Name:        "service",
		Version:     Version,
		Description: "complaints, confirmed by the reporter before closing, and everything no other department takes",
	}
}

// UseHost implements sdk.HostUser.
func (d *Department) UseHost(h sdk.Host) { d.host.Set(h) }

// Configure implements sdk.Configurer. Bad settings leave the previous
// ones in force.
func (d *Department) Configure(_ context.Context, raw json.RawMessage) error {
	if err := d.settings.Configure(raw); err != nil {
		return fmt.Errorf("service: %w", err)
	}
	return nil
}

// HandleTicket implements sdk.Department.
func (d *Department) HandleTicket(_ context.Context, t sdk.Ticket) (sdk.Reply, error) {
	agent := Pick(d.settings.Get().Agents, t.ID)
	note := "request acknowledged"
	if t.Kind == "complaint" {
		note = "complaint acknowledged; " + ConfirmNote
	}
	if agent == "" {
		return sdk.Reply{Accept: true, Note: note + "; no agents configured: assign by hand"}, nil
	}
	return sdk.Reply{Accept: true, Assignee: agent, Note: note + "; " + agent + " answers the reporter"}, nil
}

// HandleEvent implements sdk.EventHandler: a resolved complaint's reporter
// is asked to confirm, and the assignee of a ticket at risk is chased.
func (d *Department) HandleEvent(ctx context.Context, ev sdk.Event) error {
	h := d.host.Get()
	if h == nil || d.seen.Has(ev.ID) || kit.Own(ev) {
		return nil
	}
	note := eventNote(ev)
	if note == "" {
		return nil
	}
	if _, err := h.AddNote(ctx, ev.TicketID, note); err != nil {
		if kit.Retryable(err) {
			return fmt.Errorf("service: note on %s: %w", ev.TicketID, err)
		}
		sdk.NewLogger("service").Warn("host refused a note", "ticket", ev.TicketID, "error", err)
	}
	d.seen.Add(ev.ID)
	return nil
}

// eventNote is the note an event calls for, or "".
func eventNote(ev sdk.Event) string {
	t := ev.Ticket
	switch ev.Type {
	case kit.EventStatus:
		sc, ok := kit.StatusOf(ev)
		if !ok || sc.To != "resolved" || t.Kind != "complaint" {
			return ""
		}
		return ConfirmRequest(t)
	case kit.EventWarning:
		if !kit.Open(t.Status) {
			return ""
		}
		sla := kit.SLAOf(ev)
		what := "the " + orDefault(sla.Target, "ticket's") + " promise is at risk"
		if !sla.DueAt.IsZero() {
			what += ", due " + sla.DueAt.UTC().Format(time.RFC3339)
		}
		if t.Assignee == "" {
			return "chasing the department: " + what + " and nobody holds the ticket"
		}
		return "chasing " + t.Assignee + ": " + what
	}
	return ""
}

// ConfirmRequest is the note on a resolved complaint: the reporter is
// asked to confirm it is solved before it is closed.
func ConfirmRequest(t sdk.Ticket) string {
	return fmt.Sprintf("asked %s (%s) to confirm the complaint is solved before it is closed",
		orDefault(t.ReporterName, "the reporter"), orDefault(t.ReporterContact, "no contact given"))
}

// Pick returns the agent for a ticket id: agents[fnv-1a(id) mod
// len(agents)]. It returns "" when agents is empty.
func Pick(agents []string, id string) string {
	if len(agents) == 0 {
		return ""
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return agents[h.Sum32()%uint32(len(agents))]
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
