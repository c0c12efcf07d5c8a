// Package finance is the bundled department plugin for the tally company's
// finance desk: invoice corrections, monthly bills and voyage bills.
//
// Settings (JSON, from the department's settings in config.toml):
//
//	{
//	  "clerks": {"invoice_correction": "He Jing", "monthly_bill": "Ma Lin"},
//	  "default_clerk": "Zhou Qiang",
//	  "zone": "Asia/Shanghai"
//	}
//
// clerks maps a ticket category to the clerk who owns it; default_clerk
// takes the other categories; zone is the office's time zone, in which a
// monthly bill's due date is counted (default Asia/Shanghai). An unknown
// key is an error naming it.
//
// Every ticket is accepted and assigned to its category's clerk, or to
// default_clerk. Which rule applies is read from the category's words
// ("invoice", "monthly", "voyage" or "ship"), and the reply's note states
// it:
//
//   - an invoice correction is done within 36 hours. It needs the invoice
//     number, from the ticket's field "invoice". Without it the department
//     asks for it: its answer says "waiting for the invoice number" and
//     moves the ticket to waiting with the acceptance (sdk.Reply.Status),
//     which stops its SLA clock until the reporter answers;
//   - a monthly-settled customer's bill goes out before the 10th of the
//     month: the note gives the date, counted from the ticket's creation
//     in the office's zone;
//   - a voyage bill goes out one week after the ship leaves (the ticket's
//     EventAt), with the date when it is known.
//
// The answer depends only on the ticket and the settings, so a ticket
// delivered twice gets the same answer; the desk applies it once.
package finance

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the office zone must load on a host without zoneinfo

	"github.com/switchboard-desk/switchboard/plugins/internal/kit"
	"github.com/switchboard-desk/switchboard/sdk"
)

// Version is the plugin's version.
const Version = "1.1.0"

// VoyageBillDelay is how long after a ship leaves its bill goes out.
const VoyageBillDelay = 7 * 24 * time.Hour

// MonthlyBillDay is the day of the month before which a monthly-settled
// customer's bill goes out.
const MonthlyBillDay = 10

// DefaultZone is the office's time zone when settings name none.
const DefaultZone = "Asia/Shanghai"

// FieldInvoice is the ticket field that carries the invoice number of an
// invoice correction.
const FieldInvoice = "invoice"

// WaitingNote is what the answer to an invoice correction that lacks the
// invoice number says as it moves the ticket to waiting.
const WaitingNote = "waiting for the invoice number"

type settings struct {
	Clerks       map[string]string `json:"clerks"`
	DefaultClerk string            `json:"default_clerk"`
	Zone         string            `json:"zone"`

	loc *time.Location
}

// Validate checks settings after decoding and loads the zone;
// sdk.Settings calls it.
func (s *settings) Validate() error {
	for category, clerk := range s.Clerks {
		if strings.TrimSpace(category) == "" {
			return fmt.Errorf("clerks: empty category name")
		}
		if strings.TrimSpace(clerk) == "" {
			return fmt.Errorf("clerks.%s: empty clerk name", category)
		}
	}
	loc, err := kit.Zone(&s.Zone, DefaultZone)
	if err != nil {
		return err
	}
	s.loc = loc
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
func New() sdk.Department {
	return &Department{}
}

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
	if cfg.loc == nil {
		_ = cfg.Validate() // unconfigured: the defaults
	}

	assignee, who := cfg.Clerks[t.Category], "clerk for "+t.Category
	if assignee == "" {
		assignee, who = cfg.DefaultClerk, "default clerk"
	}
	note, needInvoice := rule(t, cfg.loc)
	if assignee == "" {
		note += "; no clerk for this category and no default clerk: assign by hand"
	} else {
		note += "; " + assignee + " (" + who + ")"
	}
	reply := sdk.Reply{Accept: true, Assignee: assignee, Note: note}
	if needInvoice {
		// Waits for the reporter from the start: the move is committed
		// with the acceptance, and a redelivery gives the same answer.
		reply.Status, reply.StatusNote = "waiting", "invoice correction: "+WaitingNote+" from the reporter"
	}
	return reply, nil
}

// rule is the finance desk's rule for the ticket's category, and whether
// the department must ask for the invoice number.
func rule(t sdk.Ticket, loc *time.Location) (note string, needInvoice bool) {
	c := strings.ToLower(t.Category)
	switch {
	case strings.Contains(c, "invoice"):
		if inv := strings.TrimSpace(t.Fields[FieldInvoice]); inv != "" {
			return "invoice correction of invoice " + inv + ": done within 36 hours", false
		}
		return "invoice correction: done within 36 hours; the invoice number is missing: " + WaitingNote, true
	case strings.Contains(c, "monthly"):
		if t.CreatedAt.IsZero() {
			return "monthly-settled bill: sent before the 10th of the month", false
		}
		due := MonthlyDue(t.CreatedAt, loc)
		return "monthly-settled bill: sent before the 10th of the month, by " + due.Format("2006-01-02 15:04 MST"), false
	case strings.Contains(c, "voyage"), strings.Contains(c, "ship"):
		if t.EventAt.IsZero() {
			return "voyage bill: sent one week after the ship leaves (departure time not given)", false
		}
		due := t.EventAt.Add(VoyageBillDelay).UTC()
		return "voyage bill: sent one week after the ship leaves, by " + due.Format(time.RFC3339), false
	default:
		return fmt.Sprintf("finance request (%s): handled by the finance desk", orNone(t.Category)), false
	}
}

// MonthlyDue is when a monthly-settled bill asked for at created is due:
// the start (local midnight, in loc) of the first 10th of a month after
// created.
func MonthlyDue(created time.Time, loc *time.Location) time.Time {
	local := created.In(loc)
	due := time.Date(local.Year(), local.Month(), MonthlyBillDay, 0, 0, 0, 0, loc)
	if !local.Before(due) {
		due = time.Date(local.Year(), local.Month()+1, MonthlyBillDay, 0, 0, 0, 0, loc)
	}
	return due
}

func orNone(s string) string {
	if s == "" {
		return `no category`
	}
	return s
}
