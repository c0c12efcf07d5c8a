// Package main is the e2eplugin command: the department plugin that the
// end-to-end tests of plugin supervision and delivery build and run as a
// third-party plugin (command and sha256 in config.toml).
//
// It accepts every ticket, assigns it to "e2e", and notes which version of
// the plugin took it ("e2eplugin 2 took T-…"). The version is set at build
// time:
//
//	go build -ldflags "-X main.version=2" ./daemon/e2e/internal/e2eplugin
//
// Settings:
//
//   - hang_category: a ticket of this category makes HandleTicket block
//     forever, ignoring its context, the first time the ticket is offered,
//     so that the host must time the call out and kill the plugin. The
//     first offer is recorded as a file "hung-<ticket id>" in marker_dir,
//     so that the offer after the restart is answered as any other.
//   - marker_dir: the directory of those files; required with
//     hang_category.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/switchboard-desk/switchboard/sdk"
)

// version is the plugin's version, reported in Info; set with -ldflags.
var version = "dev"

// settings are the department's settings from config.toml.
type settings struct {
	HangCategory string `json:"hang_category"`
	MarkerDir    string `json:"marker_dir"`
}

// Validate implements the check sdk.Settings runs.
func (s *settings) Validate() error {
	if s.HangCategory != "" && s.MarkerDir == "" {
		return errors.New("hang_category needs marker_dir, the directory that records the first offer")
	}
	return nil
}

type department struct {
	sdk.Base
	settings sdk.Settings[settings]
}

// Info implements sdk.Department.
func (d *department) Info() sdk.Info {
	return sdk.Info{Name: "e2eplugin", Version: version, Description: "end-to-end test department"}
}

// Configure implements sdk.Configurer.
func (d *department) Configure(_ context.Context, raw json.RawMessage) error {
	return d.settings.Configure(raw)
}

// HandleTicket implements sdk.Department.
func (d *department) HandleTicket(_ context.Context, t sdk.Ticket) (sdk.Reply, error) {
	s := d.settings.Get()
	if s.HangCategory != "" && t.Category == s.HangCategory {
		marker := filepath.Join(s.MarkerDir, "hung-"+t.ID)
		f, err := os.OpenFile(marker, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		switch {
		case err == nil:
			fmt.Fprintf(f, "%d\n", os.Getpid())
			f.Close()
			<-make(chan struct{}) // hang: never returns, whatever the context says
		case !errors.Is(err, fs.ErrExist):
			return sdk.Reply{}, fmt.Errorf("e2eplugin: marker for %s: %w", t.ID, err)
		}
	}
	return sdk.Reply{Accept: true, Assignee: "e2e", Note: fmt.Sprintf("e2eplugin %s took %s", version, t.ID)}, nil
}

func main() { sdk.Serve(&department{}) }
