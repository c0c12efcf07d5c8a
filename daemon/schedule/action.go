package schedule

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/report"
	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// Creator creates tickets; *desk.Desk implements it.
type Creator interface {
	Create(ctx context.Context, t ticket.Ticket, idempotencyKey, actor string) (ticket.Ticket, bool, error)
}

// Actions is the work schedules do in a running desk: Run is a Func.
type Actions struct {
	// Desk creates the tickets of ticket schedules.
	Desk Creator
	// Store is read by report schedules.
	Store store.Store
	// DataDir receives reports, in DataDir/reports.
	DataDir string
	// Log receives a line per ticket created; nil discards.
	Log hclog.Logger
}

// FromConfig builds the runner of cfg's schedules on cfg's calendars, whose
// ticket schedules create tickets on dk and whose report schedules read st
// and write into dataDir/reports. Start it after the desk, stop it before.
func FromConfig(cfg *config.Config, clock sla.Clock, dk Creator, st store.Store, dataDir string, log hclog.Logger) (*Runner, error) {
	cals, err := cfg.BuildCalendars()
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	acts := &Actions{Desk: dk, Store: st, DataDir: dataDir, Log: log}
	return New(cfg.Schedules, cals, clock, acts.Run, log)
}

// Actor returns the actor recorded on the tickets schedule name creates.
func Actor(name string) string { return "schedule:" + name }

// IdempotencyKey returns the key of the ticket a schedule's run creates for
// one for_each value ("" when the schedule has no for_each).
func IdempotencyKey(name string, run time.Time, value string) string {
	return "schedule:" + name + ":" + run.UTC().Format(time.RFC3339) + ":" + value
}

// Run does one run: it creates the schedule's tickets, or writes its report.
func (a *Actions) Run(ctx context.Context, r Run) error {
	if r.Schedule.Ticket != nil {
		return a.tickets(ctx, r)
	}
	return a.report(ctx, r)
}

// tickets creates one ticket per for_each value (one ticket without), each
// with an idempotency key naming the run, so a repeated run creates none.
func (a *Actions) tickets(ctx context.Context, r Run) error {
	log := a.Log
	if log == nil {
		log = hclog.NewNullLogger()
	}
	spec := r.Schedule.Ticket
	values := spec.ForEach
	if len(values) == 0 {
		values = []string{""}
	}
	kind := ticket.Kind(spec.Kind)
	if kind == "" {
		kind = ticket.KindRequest
	}
	name := r.Schedule.Name
	var errs []error
	for _, v := range values {
		in := ticket.Ticket{
			Kind: kind, Category: spec.Category, Severity: spec.Severity,
			Title:    strings.ReplaceAll(spec.Title, config.LocationPlaceholder, v),
			Reporter: ticket.Reporter{Name: Actor(name)},
			Location: v,
			Fields:   map[string]string{"schedule": name, "run": r.At.UTC().Format(time.RFC3339)},
		}
		t, created, err := a.Desk.Create(ctx, in, IdempotencyKey(name, r.At, v), Actor(name))
		switch {
		case errors.Is(err, store.ErrIdempotencyReused):
			// Created before with other fields (the config changed
			// since): the run was done.
			log.Warn("scheduled ticket was already created with different fields", "schedule", name, "for_each", v, "error", err)
		case err != nil:
			errs = append(errs, fmt.Errorf("for_each %q: %w", v, err))
		case created:
			log.Info("scheduled ticket created", "schedule", name, "ticket", t.ID, "for_each", v)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("schedule %q: create tickets: %w", name, err)
	}
	return nil
}

// Files is the content of a report schedule's JSON file.
type Files struct {
	From         time.Time     `json:"from"`
	To           time.Time     `json:"to"`
	ByDepartment report.Report `json:"by_department"`
	ByAssignee   report.Report `json:"by_assignee"`
}

// ReportPath returns DataDir/reports/sla-FROM-TO.EXT, with the dates of
// from and to as they read in from's zone.
func ReportPath(dataDir string, from, to time.Time, ext string) string {
	name := "sla-" + from.Format("2006-01-02") + "-" + to.In(from.Location()).Format("2006-01-02") + "." + ext
	return filepath.Join(dataDir, "reports", name)
}

// report writes the SLA report of r's period, by department and by
// assignee, as JSON and CSV. Files are replaced atomically.
func (a *Actions) report(ctx context.Context, r Run) error {
	reps, err := report.SLAs(ctx, a.Store, r.From, r.To, report.ByDepartment, report.ByAssignee)
	if err != nil {
		return fmt.Errorf("schedule %q: %w", r.Schedule.Name, err)
	}
	dep, asg := reps[0], reps[1]
	js, err := json.MarshalIndent(Files{From: r.From, To: r.To, ByDepartment: dep, ByAssignee: asg}, "", "  ")
	if err != nil {
		return fmt.Errorf("schedule %q: encode report: %w", r.Schedule.Name, err)
	}
	var csv bytes.Buffer
	if err := report.WriteCSV(&csv, dep, asg); err != nil {
		return fmt.Errorf("schedule %q: %w", r.Schedule.Name, err)
	}
	for ext, b := range map[string][]byte{"json": append(js, '\n'), "csv": csv.Bytes()} {
		if err := writeFile(ReportPath(a.DataDir, r.From, r.To, ext), b); err != nil {
			return fmt.Errorf("schedule %q: %w", r.Schedule.Name, err)
		}
	}
	if a.Log != nil {
		a.Log.Info("SLA report written", "schedule", r.Schedule.Name, "path", ReportPath(a.DataDir, r.From, r.To, "json"))
	}
	return nil
}

// writeFile replaces path with b through a temporary file and a rename.
func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".report-*")
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write report %s: %w", path, err)
	}
	return nil
}
