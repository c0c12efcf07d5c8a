// Package service is the bundled department plugin for complaints and the
// desk's fallback department: whatever no other route claims comes here.
//
// Settings (JSON, from the department's settings in config.toml):
//
//	{"agents": ["Huang Min", "Xu Lan", "Guo Tao"]}
//
// Every ticket is accepted and assigned to one of agents, chosen by a
// stable hash of the ticket ID, so the load spreads evenly and a ticket
// delivered twice goes to the same agent. The note reminds the agent that
// the reporter will be asked to confirm before the ticket is closed (a
// complaint is answered to the customer's satisfaction, not just answered).
package service

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/switchboard-desk/switchboard/sdk"
)

// Version is the plugin's version.
const Version = "1.0.0"

// ConfirmNote is the note on every accepted ticket.
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
}

var (
	_ sdk.Department = (*Department)(nil)
	_ sdk.Configurer = (*Department)(nil)
)

// New returns the service department with no agents.
func New() sdk.Department { return &Department{} }

// Info implements sdk.Department.
func (d *Department) Info() sdk.Info {
	return sdk.Info{
		Name:        "service",
		Version:     Version,
		Description: "complaints and everything no other department takes",
	}
}

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
	agents := d.settings.Get().Agents

	if len(agents) == 0 {
		return sdk.Reply{Accept: true, Note: ConfirmNote + "; no agents configured: assign by hand"}, nil
	}
	return sdk.Reply{Accept: true, Assignee: Pick(agents, t.ID), Note: ConfirmNote}, nil
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
