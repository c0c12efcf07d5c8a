package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/config"
)

// base is a small valid desk; tests append to it or replace parts of it.
const base = `
[server]
listen = "127.0.0.1:0"

[routing]
fallback = "service"

[[department]]
name = "service"
plugin = "service"

[[department]]
name = "engineering"
plugin = "engineering"

[department.settings]
default_technician = "Li Wei"
anything_goes = 1

[department.settings.roster]
north = ["Li Wei"]

[[route]]
department = "engineering"
kind = ["repair"]

[[policy]]
name = "repair"
escalation = "engineering"
kind = ["repair"]

[[policy.target]]
name = "response"
after = "15m"

[[policy.target]]
name = "resolution"
after = "2h"
warn = 0.5

[[escalation]]
name = "engineering"

[[escalation.level]]
name = "manager"
at = "warning"
notify = ["manager"]

[[escalation.level]]
name = "gm"
at = "breach"
after = "4h"
notify = ["gm"]

[roles]
manager = ["Wang Fang"]
gm = ["Zhao Min"]
`

func TestParseBase(t *testing.T) {
	cfg, err := config.Parse([]byte(base), "/etc/switchboard")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Policies[0].Targets[1]; got.After.Duration != 2*time.Hour || got.Warn != 0.5 {
		t.Errorf("target resolution = %+v, want after 2h warn 0.5", got)
	}
	if got := cfg.Escalations[0].Levels[1].After.Duration; got != 4*time.Hour {
		t.Errorf("level 2 after = %v, want 4h", got)
	}
	d, ok := cfg.Department("engineering")
	if !ok {
		t.Fatal("Department(engineering) not found")
	}
	roster, _ := d.Settings["roster"].(map[string]any)
	if d.Settings["default_technician"] != "Li Wei" || roster == nil {
		t.Errorf("engineering settings = %#v", d.Settings)
	}
	if _, ok := cfg.Department("nope"); ok {
		t.Error("Department(nope) found")
	}
}

func TestDefaults(t *testing.T) {
	cfg, err := config.Load(filepath.Join("testdata", "minimal.toml"))
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("testdata")
	checks := []struct{ name, got, want string }{
		{"listen", cfg.Server.Listen, "127.0.0.1:7480"},
		{"data_dir", cfg.Server.DataDir, "data"},
		{"log_level", cfg.Server.LogLevel, "info"},
		{"driver", cfg.Store.Driver, "sqlite"},
		{"title", cfg.Departments[0].Title, "desk"},
		{"Dir", cfg.Dir, abs},
		{"DataPath", cfg.DataPath(), filepath.Join(abs, "data")},
		{"StorePath", cfg.StorePath(), filepath.Join(abs, "data", "switchboard.db")},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if w := cfg.Policies[0].Targets[0].Warn; w != 0.8 {
		t.Errorf("warn = %v, want 0.8", w)
	}
	if tg := cfg.Policies[0].Targets[0]; tg.Clock != "business" || tg.Kind() != config.KindAfterBusiness {
		t.Errorf("target clock %q kind %q, want business after_business", tg.Clock, tg.Kind())
	}
	if c := cfg.Policies[0].Calendar; c != "always" {
		t.Errorf("policy calendar = %q, want always", c)
	}
	if cfg.Repeat.Enabled() {
		t.Errorf("repeat = %+v, want off: no general_manager role", cfg.Repeat)
	}
}

func TestPaths(t *testing.T) {
	tests := []struct {
		name            string
		dir             string
		cfg             config.Config
		data, storePath string
	}{
		{"relative data dir", "/srv/sb", config.Config{Server: config.Server{DataDir: "var"}, Store: config.Store{Driver: "sqlite"}},
			"/srv/sb/var", "/srv/sb/var/switchboard.db"},
		{"absolute data dir", "/srv/sb", config.Config{Server: config.Server{DataDir: "/var/lib/sb"}, Store: config.Store{Driver: "sqlite"}},
			"/var/lib/sb", "/var/lib/sb/switchboard.db"},
		{"relative sqlite dsn", "/srv/sb", config.Config{Server: config.Server{DataDir: "data"}, Store: config.Store{Driver: "sqlite", DSN: "db/desk.db"}},
			"/srv/sb/data", "/srv/sb/db/desk.db"},
		{"sqlite uri kept", "/srv/sb", config.Config{Server: config.Server{DataDir: "data"}, Store: config.Store{Driver: "sqlite", DSN: "file:desk.db?mode=memory"}},
			"/srv/sb/data", "file:desk.db?mode=memory"},
		{"postgres dsn kept", "/srv/sb", config.Config{Server: config.Server{DataDir: "data"}, Store: config.Store{Driver: "postgres", DSN: "postgres://u@h/db"}},
			"/srv/sb/data", "postgres://u@h/db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cfg
			c.Dir = tt.dir
			if got := c.DataPath(); got != tt.data {
				t.Errorf("DataPath = %q, want %q", got, tt.data)
			}
			if got := c.StorePath(); got != tt.storePath {
				t.Errorf("StorePath = %q, want %q", got, tt.storePath)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := config.Load(filepath.Join(t.TempDir(), "nope.toml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want not-exist", err)
	}
}

func TestLoadNamesFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "desk.toml")
	if err := os.WriteFile(p, []byte(base+"\n[bogus]\nx = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := config.Load(p)
	if err == nil || !strings.Contains(err.Error(), `desk.toml:`) || !strings.Contains(err.Error(), `unknown key "bogus"`) {
		t.Fatalf("err = %v, want desk.toml:LINE: unknown key \"bogus\"", err)
	}
}
