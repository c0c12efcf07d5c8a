package sdk_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-desk/switchboard/sdk"
)

// facilities is a complete department plugin: it embeds sdk.Base for the
// optional capabilities it does not need and overrides Configure.
type facilities struct {
	sdk.Base
	onDuty string
}

func (f *facilities) Info() sdk.Info {
	return sdk.Info{Name: "facilities", Version: "1.0.0", Description: "building repairs"}
}

func (f *facilities) Configure(_ context.Context, settings json.RawMessage) error {
	var s struct {
		OnDuty string `json:"on_duty"`
	}
	if err := json.Unmarshal(settings, &s); err != nil {
		return fmt.Errorf("facilities: settings: %w", err)
	}
	if s.OnDuty == "" {
		return errors.New("facilities: settings: on_duty is required")
	}
	f.onDuty = s.OnDuty
	return nil
}

// HandleTicket depends only on the ticket and the settings, so a ticket
// delivered twice gets the same answer.
func (f *facilities) HandleTicket(_ context.Context, t sdk.Ticket) (sdk.Reply, error) {
	return sdk.Reply{Accept: true, Assignee: f.onDuty, Note: "visit " + t.Location}, nil
}

// A department is plain Go: here it is called directly. In a plugin binary,
// main is just sdk.Serve(&facilities{}).
func Example() {
	d := &facilities{}
	ctx := context.Background()
	if err := d.Configure(ctx, json.RawMessage(`{"on_duty": "Wang Li"}`)); err != nil {
		fmt.Println(err)
		return
	}
	reply, _ := d.HandleTicket(ctx, sdk.Ticket{ID: "T-1", Kind: "repair", Location: "block-b/boiler-room"})
	fmt.Printf("accept=%v assignee=%s note=%q\n", reply.Accept, reply.Assignee, reply.Note)
	// Output: accept=true assignee=Wang Li note="visit block-b/boiler-room"
}

// The main function of a department plugin binary.
func ExampleServe() {
	// In package main:
	//
	//	func main() { sdk.Serve(&facilities{}) }
	//
	// Run by hand instead of by the daemon, the binary explains that it is a
	// plugin and exits.
	_ = sdk.Serve
}

// A host tells a plugin's own failures from failures to reach it.
func ExampleIsPluginError() {
	errs := []error{
		fmt.Errorf("dispatch T-1: %w", &sdk.PluginError{Plugin: "facilities", Op: "HandleTicket", Message: "nobody on duty"}),
		fmt.Errorf("dispatch T-2: %w", sdk.ErrUnavailable),
	}
	for _, err := range errs {
		fmt.Printf("%-60s plugin's fault=%v retry=%v\n", err, sdk.IsPluginError(err), errors.Is(err, sdk.ErrUnavailable))
	}
	// Output:
	// dispatch T-1: plugin "facilities": HandleTicket: nobody on duty plugin's fault=true retry=false
	// dispatch T-2: plugin unavailable                             plugin's fault=false retry=true
}

// Settings errors should name the setting, since the operator sees them.
func ExampleConfigurer() {
	var d sdk.Configurer = &facilities{}
	err := d.Configure(context.Background(), json.RawMessage(`{}`))
	fmt.Println(strings.TrimSpace(err.Error()))
	// Output: facilities: settings: on_duty is required
}
