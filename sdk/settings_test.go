package sdk_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-desk/switchboard/sdk"
)

func TestDecodeSettings(t *testing.T) {
	type roster struct {
		Roster  map[string][]string `json:"roster"`
		Default string              `json:"default_technician"`
	}
	tests := []struct {
		name    string
		in      string
		want    roster
		wantErr string
	}{
		{"empty", ``, roster{}, ""},
		{"null", `null`, roster{}, ""},
		{"ok", `{"roster":{"n":["a","b"]},"default_technician":"d"}`, roster{Roster: map[string][]string{"n": {"a", "b"}}, Default: "d"}, ""},
		{"unknown key", `{"rostr":{}}`, roster{}, `unknown field "rostr"`},
		{"wrong type", `{"default_technician":3}`, roster{}, "default_technician: want string, got JSON number"},
		{"nested wrong type", `{"roster":{"n":"a"}}`, roster{}, "roster: want []string"},
		{"bad JSON", `{"roster":`, roster{}, "settings:"},
		{"two values", `{} {}`, roster{}, "more than one JSON value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got roster
			err := sdk.DecodeSettings(json.RawMessage(tc.in), &got)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if gj, wj := mustJSON(t, got), mustJSON(t, tc.want); gj != wj {
				t.Errorf("got %s, want %s", gj, wj)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type rosterSettings struct {
	Technicians []string `json:"technicians"`
}

func (s rosterSettings) Validate() error {
	for i, n := range s.Technicians {
		if n == "" {
			return fmt.Errorf("technicians[%d]: empty name", i)
		}
	}
	return nil
}

func TestSettingsSwapAndKeep(t *testing.T) {
	var s sdk.Settings[rosterSettings]
	if got := s.Get(); got.Technicians != nil {
		t.Fatalf("zero value holds %+v", got)
	}
	if err := s.Configure(json.RawMessage(`{"technicians":["Li Wei"]}`)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct{ raw, want string }{
		{`{"technicians":["Li Wei",""]}`, "technicians[1]: empty name"},
		{`{"technicans":["x"]}`, "technicans"},
		{`{"technicians":"Li Wei"}`, "technicians"},
	} {
		err := s.Configure(json.RawMessage(bad.raw))
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Configure(%s) = %v, want an error naming %q", bad.raw, err, bad.want)
		}
		if got := s.Get().Technicians; len(got) != 1 || got[0] != "Li Wei" {
			t.Errorf("after bad settings %s: %v, want the previous settings kept", bad.raw, got)
		}
	}
}
