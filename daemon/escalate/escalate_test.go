package escalate_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/escalate"
)

// engineering is the hot-water company's chain from DESIGN.md: what
// maintenance staff cannot solve goes to the project manager, then to the
// company's engineering department, then to the general manager.
const engineering = `
[roles]
technician = ["Li Wei", "Chen Jie"]
project_engineering_manager = ["Wang Fang"]
engineering_department = ["Liu Yang", "Wang Fang"]
general_manager = ["Zhao Min"]

[[escalation]]
name = "engineering"

  [[escalation.level]]
  name = "technician"
  at = "warning"
  notify = ["technician"]

  [[escalation.level]]
  name = "project engineering manager"
  at = "warning"
  notify = ["project_engineering_manager"]

  [[escalation.level]]
  name = "company engineering department"
  at = "breach"
  notify = ["engineering_department", "project_engineering_manager"]

  [[escalation.level]]
  name = "general manager"
  at = "breach"
  after = "4h"
  notify = ["general_manager"]
`

func decode(t *testing.T, src string) config.Config {
	t.Helper()
	var c config.Config
	md, err := toml.Decode(src, &c)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Fatalf("undecoded keys: %v", u)
	}
	return c
}

func TestEngineeringChain(t *testing.T) {
	c := decode(t, engineering)
	e, err := escalate.New(c.Escalations, c.Roles)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Has("engineering") || e.Has("finance") {
		t.Fatalf("Has: got engineering=%v finance=%v", e.Has("engineering"), e.Has("finance"))
	}
	want := []escalate.Level{
		{Chain: "engineering", Number: 1, Name: "technician", At: "warning",
			Roles: []string{"technician"}, People: []string{"Li Wei", "Chen Jie"}},
		{Chain: "engineering", Number: 2, Name: "project engineering manager", At: "warning",
			Roles: []string{"project_engineering_manager"}, People: []string{"Wang Fang"}},
		{Chain: "engineering", Number: 3, Name: "company engineering department", At: "breach",
			Roles:  []string{"engineering_department", "project_engineering_manager"},
			People: []string{"Liu Yang", "Wang Fang"}}, // Wang Fang once
		{Chain: "engineering", Number: 4, Name: "general manager", At: "breach", After: 4 * time.Hour,
			Roles: []string{"general_manager"}, People: []string{"Zhao Min"}},
	}
	if got := e.Levels("engineering"); !reflect.DeepEqual(got, want) {
		t.Fatalf("Levels:\n got %+v\nwant %+v", got, want)
	}
	if got := e.Levels("nope"); got != nil {
		t.Errorf("Levels(unknown) = %+v, want nil", got)
	}

	d := want[3].Data("resolution", "resolution target breached at 2026-03-02T12:00:00Z")
	if d.Target != "resolution" || d.Chain != "engineering" || d.Level != 4 || d.Name != "general manager" ||
		!reflect.DeepEqual(d.People, []string{"Zhao Min"}) || !reflect.DeepEqual(d.Roles, []string{"general_manager"}) ||
		!strings.Contains(d.Reason, "breached") {
		t.Errorf("Data = %+v", d)
	}
}

func TestNilEscalator(t *testing.T) {
	var e *escalate.Escalator
	if e.Has("x") || e.Levels("x") != nil {
		t.Fatal("nil Escalator should know no chain")
	}
}

func TestNewErrors(t *testing.T) {
	roles := map[string][]string{"gm": {"Zhao Min"}, "vacant": nil}
	lvl := func(at, after string, notify ...string) config.Level {
		l := config.Level{Name: "lvl", At: at, Notify: notify}
		if after != "" {
			if err := l.After.UnmarshalText([]byte(after)); err != nil {
				t.Fatal(err)
			}
		}
		return l
	}
	tests := []struct {
		name   string
		chains []config.Chain
		want   string // substring of the error; "" means no error
	}{
		{"ok", []config.Chain{{Name: "a", Levels: []config.Level{lvl("breach", "1h", "gm")}}}, ""},
		{"vacant role is fine", []config.Chain{{Name: "a", Levels: []config.Level{lvl("warning", "", "vacant")}}}, ""},
		{"no chains", nil, ""},
		{"unknown role", []config.Chain{{Name: "eng", Levels: []config.Level{lvl("breach", "", "gm", "ceo")}}},
			`escalation "eng" level 1 (lvl): unknown role "ceo"`},
		{"bad at", []config.Chain{{Name: "eng", Levels: []config.Level{lvl("breech", "", "gm")}}},
			`escalation "eng" level 1 (lvl): at = "breech"`},
		{"empty at", []config.Chain{{Name: "eng", Levels: []config.Level{lvl("", "", "gm")}}},
			`at = ""`},
		{"negative after", []config.Chain{{Name: "eng", Levels: []config.Level{lvl("breach", "-1h", "gm")}}},
			"after = -1h0m0s is negative"},
		{"nobody", []config.Chain{{Name: "eng", Levels: []config.Level{lvl("breach", "")}}},
			"notify lists no role"},
		{"no name", []config.Chain{{Levels: []config.Level{lvl("breach", "", "gm")}}},
			"escalation #1: name is required"},
		{"duplicate", []config.Chain{{Name: "eng"}, {Name: "eng"}},
			`escalation "eng" is defined twice`},
		{"second level", []config.Chain{{Name: "eng", Levels: []config.Level{lvl("breach", "", "gm"), lvl("breach", "", "x")}}},
			`level 2 (lvl): unknown role "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := escalate.New(tt.chains, roles)
			if tt.want == "" {
				if err != nil || e == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("New: no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "escalate: ") {
				t.Fatalf("New: error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}
