package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/switchboard-desk/switchboard/sdk"
)

type dept struct {
	sdk.Base
	version string

	mu       sync.Mutex
	assignee string
}

func (d *dept) Info() sdk.Info {
	return sdk.Info{Name: "testplugin", Version: d.version, Description: "pluginhost test plugin"}
}

func (d *dept) Configure(_ context.Context, settings json.RawMessage) error {
	if len(settings) == 0 {
		return nil
	}
	var s struct {
		Assignee string `json:"assignee"`
		Refuse   bool   `json:"refuse"`
	}
	if err := json.Unmarshal(settings, &s); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	if s.Refuse {
		return errors.New("settings: refuse is set")
	}
	d.mu.Lock()
	d.assignee = s.Assignee
	d.mu.Unlock()
	return nil
}

func (d *dept) HandleTicket(ctx context.Context, t sdk.Ticket) (sdk.Reply, error) {
	switch {
	case t.Fields["hang"] != "":
		select {} // until killed
	case t.Fields["crash"] != "":
		os.Exit(7)
	case t.Fields["fail"] != "":
		return sdk.Reply{}, errors.New(t.Fields["fail"])
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return sdk.Reply{Accept: true, Assignee: d.assignee, Note: "pid=" + strconv.Itoa(os.Getpid()) + " id=" + t.ID}, nil
}

func (d *dept) HandleEvent(_ context.Context, ev sdk.Event) error {
	if ev.Type == "fail" {
		return errors.New("event refused")
	}
	return nil
}

func main() {
	d := &dept{version: os.Getenv("TESTPLUGIN_VERSION")}
	if d.version == "" {
		d.version = "0.0.1"
	}
	for _, arg := range os.Args[1:] {
		key, val, _ := strings.Cut(arg, "=")
		switch key {
		case "version":
			d.version = val
		case "exit":
			n, _ := strconv.Atoi(val)
			os.Exit(n)
		case "startlog":
			f, err := os.OpenFile(val, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err == nil {
				fmt.Fprintln(f, os.Getpid())
				f.Close()
			}
		}
	}
	sdk.Serve(d)
}
