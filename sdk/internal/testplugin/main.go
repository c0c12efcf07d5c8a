package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/switchboard-desk/switchboard/sdk"
)

type department struct {
	sdk.Base
	mu   sync.Mutex
	host sdk.Host
}

// Info implements sdk.Department.
func (*department) Info() sdk.Info {
	return sdk.Info{Name: "testplugin", Version: "0.0.1", Description: "SDK test plugin"}
}

// UseHost implements sdk.HostUser.
func (d *department) UseHost(h sdk.Host) {
	d.mu.Lock()
	d.host = h
	d.mu.Unlock()
}

// HandleTicket implements sdk.Department.
func (d *department) HandleTicket(ctx context.Context, t sdk.Ticket) (sdk.Reply, error) {
	switch {
	case t.ID == "fail":
		return sdk.Reply{}, errors.New("refusing ticket fail")
	case t.Kind == "host-note":
		d.mu.Lock()
		h := d.host
		d.mu.Unlock()
		if h == nil {
			return sdk.Reply{}, errors.New("no host to add a note through")
		}
		got, err := h.AddNote(ctx, t.ID, "seen by testplugin")
		if err != nil {
			return sdk.Reply{Accept: true, Note: fmt.Sprintf("host error %s: %v", sdk.HostErrorCodeOf(err), err)}, nil
		}
		return sdk.Reply{Accept: true, Note: fmt.Sprintf("noted v%d", got.Version)}, nil
	}
	return sdk.Reply{Accept: true, Assignee: "tester", Note: fmt.Sprintf("%s %s %s", t.ID, t.Kind, t.Location)}, nil
}

func main() { sdk.Serve(&department{}) }
