// Package finance is the bundled department plugin for the tally company's
// finance desk: invoice corrections, monthly bills and voyage bills.
//
// Settings (JSON, from the department's settings in config.toml):
//
//	{"clerks": {"invoice-correction": "Chen Jing", "monthly-bill": "Sun Mei"}, "default_clerk": "Zhou Qiang"}
//
// clerks maps a ticket category to the clerk who owns it. Every ticket is
// accepted and assigned to its category's clerk, or to default_clerk. The
// note restates the finance desk's promise for the category: an invoice
// correction is done within 36 hours; a monthly-settled customer's bill
// goes out before the 10th of the month; a voyage bill goes out one week
// after the ship leaves (the ticket's EventAt), with the date when it is
// known. Which promise applies is read from the category's words:
// "invoice", "monthly", "voyage" or "ship".
//
// The answer depends only on the ticket and the settings, so a ticket
// delivered twice gets the same answer.
package finance

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-desk/switchboard/sdk"
)

// Version is the plugin's version.
const Version = "1.0.0"

// VoyageBillDelay is how long after a ship leaves its bill goes out.
const VoyageBillDelay = 7 * 24 * time.Hour

type settings struct {
	Clerks       map[string]string `json:"clerks"`
	DefaultClerk string            `json:"default_clerk"`
}

// Validate checks settings after decoding; sdk.Settings calls it.
func (s settings) Validate() error {
	for category, clerk := range s.Clerks {
		if strings.TrimSpace(category) == "" {
			return fmt.Errorf("clerks: empty category name")
		}
		if strings.TrimSpace(clerk) == "" {
			return fmt.Errorf("clerks.%s: empty clerk name", category)
		}
	}
	return nil
}

// Department is the finance department. Create it with New.
type Department struct {
	sdk.Base

	settings sdk.Settings[settings]
}

var (
	_ sdk.Department = (*Department)(nil)
	_ sdk.Configurer = (*Department)(nil)
)

// New returns the finance department with empty settings.
func New() sdk.Department { return &Department{} }

// Info implements sdk.Department.
func (d *Department) Info() sdk.Info {
	return sdk.Info{
		Name:        "finance",
		Version:     Version,
		Description: "invoice corrections, monthly bills and voyage bills",
	}
}

// Configure implements sdk.Configurer. Bad settings leave the previous
// ones in force.
func (d *Department) Configure(_ context.Context, raw json.RawMessage) error {
	if err := d.settings.Configure(raw); err != nil {
		return fmt.Errorf("finance: %w", err)
	}
	return nil
}

// HandleTicket implements sdk.Department.
func (d *Department) HandleTicket(_ context.Context, t sdk.Ticket) (sdk.Reply, error) {
	cfg := d.settings.Get()

	assignee, who := cfg.Clerks[t.Category], "clerk for "+t.Category
	if assignee == "" {
		assignee, who = cfg.DefaultClerk, "default clerk"
	}
	note := promise(t)
	if assignee == "" {
		note += "; no clerk for this category and no default clerk: assign by hand"
	} else {
		note += "; " + assignee + " (" + who + ")"
	}
	return sdk.Reply{Accept: true, Assignee: assignee, Note: note}, nil
}

// promise is the finance desk's promise for the ticket's category.
func promise(t sdk.Ticket) string {
	c := strings.ToLower(t.Category)
	switch {
	case strings.Contains(c, "invoice"):
		return "invoice correction: done within 36 hours"
	case strings.Contains(c, "monthly"):
		return "monthly-settled bill: sent before the 10th of the month"
	case strings.Contains(c, "voyage"), strings.Contains(c, "ship"):
		if t.EventAt.IsZero() {
			return "voyage bill: sent one week after the ship leaves (departure time not given)"
		}
		due := t.EventAt.Add(VoyageBillDelay).UTC()
		return "voyage bill: sent one week after the ship leaves, by " + due.Format(time.RFC3339)
	default:
		return fmt.Sprintf("finance request (%s): handled by the finance desk", orNone(t.Category))
	}
}

func orNone(s string) string {
	if s == "" {
		return `no category`
	}
	return s
}
