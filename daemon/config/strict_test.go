package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-desk/switchboard/daemon/config"
)

// lines numbers a snippet from 1, as a file would be.
func lines(ls ...string) []byte { return []byte(strings.Join(ls, "\n") + "\n") }

func TestUnknownKeys(t *testing.T) {
	tests := []struct {
		name string
		src  []byte
		want []string // each error, in order
	}{
		{"top level", lines(
			`typo = 1`, // 1
			`[server]`, // 2
			`listen = "127.0.0.1:1"`,
		), []string{`config.toml:1: unknown key "typo"`}},
		{"in server", lines(
			`[server]`,               // 1
			`listen = "127.0.0.1:1"`, // 2
			`# a comment`,            // 3
			`  lissen = "x"`,         // 4
			`data_dir = "d"`,         // 5
			`log-level = "debug"`,    // 6
		), []string{
			`config.toml:4: unknown key "server.lissen"`,
			`config.toml:6: unknown key "server.log-level"`,
		}},
		{"unknown table reported once, not its keys", lines(
			`[server]`,   // 1
			`[serer]`,    // 2
			`listen = 1`, // 3
			`port = 2`,   // 4
		), []string{`config.toml:2: unknown key "serer"`}},
		{"dotted and inline keys", lines(
			`[store]`,                 // 1
			`driver = "sqlite"`,       // 2
			`pool.size = 3`,           // 3
			`opts = { a = 1, b = 2 }`, // 4
			`"quoted key" = true`,     // 5
		), []string{
			`config.toml:3: unknown key "store.pool.size"`,
			`config.toml:4: unknown key "store.opts"`,
			`config.toml:5: unknown key "store.\"quoted key\""`,
		}},
		{"in policy target, second occurrence", lines(
			`[[policy]]`,          // 1
			`name = "a"`,          // 2
			`[[policy.target]]`,   // 3
			`name = "response"`,   // 4
			`after = "1m"`,        // 5
			`[[policy]]`,          // 6
			`name = "b"`,          // 7
			`[[policy.target]]`,   // 8
			`name = "resolution"`, // 9
			`aftr = "2h"`,         // 10
			`[[policy.target]]`,   // 11
			`name = "other"`,      // 12
			`after = "2h"`,        // 13
			`warning = 0.5`,       // 14
			`aftr = "3h"`,         // 15
		), []string{
			`config.toml:10: unknown key "policy.target.aftr"`,
			`config.toml:14: unknown key "policy.target.warning"`,
			`config.toml:15: unknown key "policy.target.aftr"`,
		}},
		{"in escalation level, after a multi-line array and string", lines(
			`[roles]`,                  // 1
			`gm = [`,                   // 2
			`  "Zhao Min", # boss`,     // 3
			`  "x = 1",`,               // 4
			`]`,                        // 5
			`[[escalation]]`,           // 6
			`name = """chain`,          // 7
			`notify = "no"`,            // 8
			`"""`,                      // 9
			`[[escalation.level]]`,     // 10
			`at = "breach"`,            // 11
			`notify = ["gm"]`,          // 12
			`[[escalation.level]]`,     // 13
			`at = "breach"`,            // 14
			`notfy = ["gm"]`,           // 15
			`[escalation.level.extra]`, // 16
			`k = 1`,                    // 17
		), []string{
			`config.toml:15: unknown key "escalation.level.notfy"`,
			`config.toml:16: unknown key "escalation.level.extra"`,
		}},
		{"settings are free-form", lines(
			`[[department]]`,             // 1
			`name = "d"`,                 // 2
			`[department.settings]`,      // 3
			`whatever = 1`,               // 4
			`[department.settings.deep]`, // 5
			`x.y = [1, 2]`,               // 6
			`[department.setting]`,       // 7
			`x = 1`,                      // 8
		), []string{`config.toml:7: unknown key "department.setting"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse(tt.src, t.TempDir())
			if err == nil {
				t.Fatal("no error")
			}
			got := strings.Split(err.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", err, strings.Join(tt.want, "\n"))
			}
			var le *config.LineError
			if !errors.As(err, &le) || le.Line == 0 || le.Key == "" {
				t.Errorf("error %v is not a *LineError with line and key", err)
			}
		})
	}
}

func TestBadValues(t *testing.T) {
	tests := []struct {
		name string
		src  []byte
		want string
	}{
		{"duration with words", lines(
			`[[policy]]`,        // 1
			`name = "p"`,        // 2
			`[[policy.target]]`, // 3
			`name = "response"`, // 4
			`after = "15 minutes"`,
		), `config.toml:5: bad value for key "policy.target.after": invalid duration "15 minutes" (write a duration such as "90s", "15m", "2h30m" or "36h")`},
		{"bad duration in the first of several targets", lines(
			`[[policy]]`,        // 1
			`name = "p"`,        // 2
			`[[policy.target]]`, // 3
			`after = "1 hour"`,  // 4
			`[[policy.target]]`, // 5
			`after = "2h"`,      // 6
			`[[policy.target]]`, // 7
			`after = "3h"`,      // 8
		), `config.toml:4: bad value for key "policy.target.after": invalid duration "1 hour"`},
		{"number for a duration", lines(
			`[[escalation]]`,       // 1
			`[[escalation.level]]`, // 2
			`after = 15`,           // 3
			`[[escalation.level]]`, // 4
			`after = "1h"`,         // 5
		), `config.toml:3: bad value for key "escalation.level.after": invalid duration 15, a duration is a quoted string (write a duration such as "90s", "15m", "2h30m" or "36h")`},
		{"string for a number", lines(
			`[[policy]]`,        // 1
			`[[policy.target]]`, // 2
			`warn = 0.5`,        // 3
			`[[policy.target]]`, // 4
			`warn = "half"`,     // 5
			`[[policy.target]]`, // 6
			`warn = 0.7`,        // 7
		), `config.toml:5: bad value for key "policy.target.warn": incompatible types`},
		{"number for a string", lines(
			`[server]`,    // 1
			`listen = 80`, // 2
		), `config.toml:2: bad value for key "server.listen": incompatible types`},
		{"string for a list", lines(
			`[[route]]`,        // 1
			`department = "x"`, // 2
			`kind = "repair"`,  // 3
		), `config.toml:3: bad value for key "route.kind": incompatible types`},
		{"syntax error", lines(
			`[server]`,       // 1
			`listen = "x`,    // 2
			`data_dir = "y"`, // 3
		), `config.toml:2: strings cannot contain newlines`},
		{"duplicate key", lines(
			`[server]`,     // 1
			`listen = "x"`, // 2
			`listen = "y"`, // 3
		), `config.toml:3: `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse(tt.src, t.TempDir())
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error:\n%v\nwant prefix:\n%s", err, tt.want)
			}
		})
	}
}
