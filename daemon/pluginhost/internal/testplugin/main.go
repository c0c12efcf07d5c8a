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
	"time"

	"github.com/switchboard-desk/switchboard/sdk"
)

// builtVersion is the default version, set at build time with -ldflags.
var builtVersion = "0.0.1"

type dept struct {
	sdk.Base
	version string

	mu       sync.Mutex
	assignee string
	host     sdk.Host
}

func (d *dept) UseHost(h sdk.Host) {
	d.mu.Lock()
	d.host = h
	d.mu.Unlock()
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
	case t.Fields["sleep"] != "":
		pause, err := time.ParseDuration(t.Fields["sleep"])
		if err != nil {
			return sdk.Reply{}, err
		}
		time.Sleep(pause)
	case t.Fields["tls"] != "":
		return sdk.Reply{Accept: true, Note: "tls=" + strconv.FormatBool(os.Getenv("PLUGIN_CLIENT_CERT") != "")}, nil
	case t.Fields["note"] != "":
		d.mu.Lock()
		h := d.host
		d.mu.Unlock()
		if h == nil {
			return sdk.Reply{}, errors.New("no host")
		}
		if _, err := h.AddNote(ctx, t.ID, t.Fields["note"]); err != nil {
			return sdk.Reply{}, err
		}
		return sdk.Reply{Accept: true, Note: "noted"}, nil
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
		d.version = builtVersion
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
