package config_test

import (
	"strings"
	"testing"

	"github.com/switchboard-desk/switchboard/daemon/config"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		old, new string // replace old with new in base; old "" appends new
		want     string
	}{
		{"listen not host:port", `listen = "127.0.0.1:0"`, `listen = "localhost"`,
			`server.listen: "localhost" is not host:port`},
		{"listen bad port", `listen = "127.0.0.1:0"`, `listen = ":http"`,
			`server.listen: ":http" has a bad port "http"`},
		{"log level", `listen = "127.0.0.1:0"`, `listen = ":0"` + "\nlog_level = \"verbose\"",
			`server.log_level: unknown level "verbose" (one of trace, debug, info, warn, error)`},
		{"store driver", "", "[store]\ndriver = \"mysql\"",
			`store.driver: unknown driver "mysql" (one of sqlite, postgres)`},
		{"postgres without dsn", "", "[store]\ndriver = \"postgres\"",
			`store.dsn: is required with driver "postgres"`},
		{"department name empty", `name = "service"` + "\nplugin", `name = ""` + "\nplugin",
			`department 1: name is required`},
		{"department name charset", `name = "service"` + "\nplugin", `name = "Service Desk"` + "\nplugin",
			`department "Service Desk": name may hold only a-z, 0-9, _ and -`},
		{"department name duplicate", `name = "engineering"` + "\nplugin", `name = "service"` + "\nplugin",
			`department "service": name is used by another department`},
		{"neither plugin nor command", `plugin = "service"`, `title = "Desk"`,
			`department "service": set plugin (one of engineering, finance, service) or command`},
		{"plugin and command", `plugin = "service"`, `plugin = "service"` + "\ncommand = \"./p\"",
			`department "service": set plugin or command, not both`},
		{"unknown bundled plugin", `plugin = "service"`, `plugin = "billing"`,
			`department "service": unknown bundled plugin "billing" (one of engineering, finance, service)`},
		{"command without sha256", `plugin = "service"`, `command = "./desk-plugin"`,
			`department "service": command requires sha256`},
		{"command with short sha256", `plugin = "service"`, `command = "./desk-plugin"` + "\nsha256 = \"abc123\"",
			`department "service": sha256 must be 64 hex characters, got 6 characters`},
		{"sha256 with plugin", `plugin = "service"`, `plugin = "service"` + "\nsha256 = \"" + strings.Repeat("a", 64) + "\"",
			`department "service": sha256 applies only to command`},
		{"route unknown department", `department = "engineering"` + "\nkind", `department = "plumbing"` + "\nkind",
			`route 1: unknown department "plumbing"`},
		{"route without department", `department = "engineering"` + "\nkind", `kind`,
			`route 1: department is required`},
		{"route bad kind", `kind = ["repair"]` + "\n\n[[policy]]", `kind = ["repairs"]` + "\n\n[[policy]]",
			`route 1: unknown kind "repairs" (one of complaint, repair, request)`},
		{"route bad severity", "", "[[route]]\ndepartment = \"service\"\nseverity = [\"urgent\"]",
			`route 2: unknown severity "urgent" (one of minor, serious, major, critical)`},
		{"route bad tier", "", "[[route]]\ndepartment = \"service\"\ntier = [\"gold\"]",
			`route 2: unknown tier "gold" (one of general, member, vip)`},
		{"fallback missing", `fallback = "service"`, ``,
			`routing.fallback: is required`},
		{"fallback unknown", `fallback = "service"`, `fallback = "desk"`,
			`routing.fallback: unknown department "desk"`},
		{"policy name empty", `name = "repair"`, `name = ""`,
			`policy 1: name is required`},
		{"policy name duplicate", "", "[[policy]]\nname = \"repair\"\n[[policy.target]]\nname = \"x\"\nafter = \"1h\"",
			`policy "repair": name is used by another policy`},
		{"policy without targets", "", "[[policy]]\nname = \"empty\"",
			`policy "empty": needs at least one [[policy.target]]`},
		{"policy bad tier", `kind = ["repair"]` + "\n\n[[policy.target]]", `tier = ["platinum"]` + "\n\n[[policy.target]]",
			`policy "repair": unknown tier "platinum"`},
		{"policy unknown escalation", `escalation = "engineering"`, `escalation = "engineers"`,
			`policy "repair": unknown escalation "engineers"`},
		{"target name duplicate", `name = "resolution"`, `name = "response"`,
			`policy "repair" target "response": name is used by another target of the policy`},
		{"target name empty", `name = "resolution"`, `name = ""`,
			`policy "repair" target 2: name is required`},
		{"target after missing", `after = "2h"`, ``,
			`policy "repair" target "resolution": say when it falls due: set one of after, same_day, next_business_day, business_days, day_of_month, event_offset`},
		{"target after negative", `after = "2h"`, `after = "-2h"`,
			`policy "repair" target "resolution": after must be more than zero`},
		{"warn one", `warn = 0.5`, `warn = 1.0`,
			`policy "repair" target "resolution": warn must be between 0 and 1 (exclusive), got 1`},
		{"warn negative", `warn = 0.5`, `warn = -0.2`,
			`policy "repair" target "resolution": warn must be between 0 and 1 (exclusive), got -0.2`},
		{"escalation name duplicate", "", "[[escalation]]\nname = \"engineering\"\n[[escalation.level]]\nat = \"breach\"\nnotify = [\"gm\"]",
			`escalation "engineering": name is used by another escalation`},
		{"escalation without levels", "", "[[escalation]]\nname = \"quiet\"",
			`escalation "quiet": needs at least one [[escalation.level]]`},
		{"level at", `at = "warning"`, `at = "warn"`,
			`escalation "engineering" level 1: at must be "warning" or "breach", got "warn"`},
		{"level after negative", `after = "4h"`, `after = "-4h"`,
			`escalation "engineering" level 2: after must not be negative`},
		{"level unknown role", `notify = ["gm"]`, `notify = ["ceo"]`,
			`escalation "engineering" level 2: notify names unknown role "ceo" (add it to [roles])`},
		{"level notifies nobody", `notify = ["gm"]`, `notify = []`,
			`escalation "engineering" level 2: notify lists no role`},
		{"role without people", `gm = ["Zhao Min"]`, `gm = []`,
			`roles.gm: lists nobody`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := base + "\n" + tt.new + "\n"
			if tt.old != "" {
				if !strings.Contains(base, tt.old) {
					t.Fatalf("base lacks %q", tt.old)
				}
				src = strings.Replace(base, tt.old, tt.new, 1)
			}
			_, err := config.Parse([]byte(src), t.TempDir())
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant it to contain:\n%s", err, tt.want)
			}
		})
	}
}

// TestValidateReportsAll checks that every problem is reported at once.
func TestValidateReportsAll(t *testing.T) {
	src := strings.NewReplacer(
		`fallback = "service"`, `fallback = "nowhere"`,
		`plugin = "engineering"`, `plugin = "plumbing"`,
		`at = "warning"`, `at = "soon"`,
		`notify = ["gm"]`, `notify = ["ceo"]`,
	).Replace(base)
	_, err := config.Parse([]byte(src), t.TempDir())
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`routing.fallback: unknown department "nowhere"`,
		`department "engineering": unknown bundled plugin "plumbing"`,
		`escalation "engineering" level 1: at must be`,
		`escalation "engineering" level 2: notify names unknown role "ceo"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if !strings.HasPrefix(err.Error(), "config.toml: invalid configuration:\n") {
		t.Errorf("error does not start by naming the file:\n%v", err)
	}
}

// TestBundledPlugins checks that the daemon can widen the bundled list.
func TestBundledPlugins(t *testing.T) {
	src := strings.Replace(base, `plugin = "engineering"`, `plugin = "reception"`, 1)
	if _, err := config.Parse([]byte(src), t.TempDir()); err == nil {
		t.Fatal("unknown bundled plugin accepted")
	}
	saved := config.BundledPlugins
	t.Cleanup(func() { config.BundledPlugins = saved })
	config.BundledPlugins = append([]string{"reception"}, saved...)
	if _, err := config.Parse([]byte(src), t.TempDir()); err != nil {
		t.Fatalf("with reception bundled: %v", err)
	}
}
