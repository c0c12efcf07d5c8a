package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-desk/switchboard/sdk"
)

type department struct{ sdk.Base }

// Info implements sdk.Department.
func (department) Info() sdk.Info {
	return sdk.Info{Name: "testplugin", Version: "0.0.1", Description: "SDK test plugin"}
}

// HandleTicket implements sdk.Department.
func (department) HandleTicket(_ context.Context, t sdk.Ticket) (sdk.Reply, error) {
	if t.ID == "fail" {
		return sdk.Reply{}, errors.New("refusing ticket fail")
	}
	return sdk.Reply{Accept: true, Assignee: "tester", Note: fmt.Sprintf("%s %s %s", t.ID, t.Kind, t.Location)}, nil
}

func main() { sdk.Serve(department{}) }
