package pluginhost

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
)

// Spec says how to run one department's plugin.
type Spec struct {
	// Name is the department's name; unique within a Host.
	Name string
	// Title is the department's display title.
	Title string
	// Cmd is the argv of the plugin process; Cmd[0] is the binary, looked
	// up in PATH when it holds no slash. A bundled plugin is
	// {os.Executable(), "plugin", NAME}.
	Cmd []string
	// SHA256 is the hex sha256 of the binary. When set, it is verified
	// before every start; a mismatch refuses to start.
	SHA256 string
	// Settings is handed to the plugin's Configure after each start.
	Settings json.RawMessage
	// NoTLS turns off go-plugin's AutoMTLS for the connection to the
	// plugin, which is on by default. Set it for a plugin written in a
	// language whose go-plugin support lacks AutoMTLS (Python, say).
	NoTLS bool
}

// changed reports whether t differs from s in anything that takes a new
// process: the command, the sum, the settings or the TLS switch. Title is
// only shown, so a new title alone does not restart the plugin.
func (s Spec) changed(t Spec) bool {
	return !slices.Equal(s.Cmd, t.Cmd) ||
		!strings.EqualFold(s.SHA256, t.SHA256) ||
		!bytes.Equal(s.Settings, t.Settings) ||
		s.NoTLS != t.NoTLS
}

// validate checks one spec on its own.
func (s Spec) validate() error {
	if strings.TrimSpace(s.Name) == "" {
		return errors.New("name is empty")
	}
	if len(s.Cmd) == 0 || strings.TrimSpace(s.Cmd[0]) == "" {
		return fmt.Errorf("department %q: command is empty", s.Name)
	}
	if s.SHA256 != "" {
		b, err := hex.DecodeString(s.SHA256)
		if err != nil || len(b) != sha256.Size {
			return fmt.Errorf("department %q: sha256 %q is not 64 hex digits", s.Name, s.SHA256)
		}
	}
	if len(s.Settings) > 0 && !json.Valid(s.Settings) {
		return fmt.Errorf("department %q: settings are not valid JSON", s.Name)
	}
	return nil
}

// validateSpecs checks every spec and that names are unique.
func validateSpecs(specs []Spec) error {
	seen := make(map[string]bool, len(specs))
	for i, s := range specs {
		if err := s.validate(); err != nil {
			return fmt.Errorf("pluginhost: spec %d: %w", i, err)
		}
		if seen[s.Name] {
			return fmt.Errorf("pluginhost: spec %d: department %q is listed twice", i, s.Name)
		}
		seen[s.Name] = true
	}
	return nil
}

// Check reports what would refuse this spec's start: an invalid spec, a
// binary that cannot be found, or a sum that does not match (a
// *ChecksumError), so that a daemon can refuse a bad config before it
// starts anything. The Host checks again before every start.
func (s Spec) Check() error {
	if err := s.validate(); err != nil {
		return fmt.Errorf("pluginhost: %w", err)
	}
	if _, err := resolveBinary(s); err != nil {
		return fmt.Errorf("pluginhost: department %q: %w", s.Name, err)
	}
	return nil
}

// resolveBinary finds the binary a spec names and, when the spec pins a
// sum, verifies it. Both failures are permanent: a restart cannot cure
// them.
func resolveBinary(s Spec) (string, error) {
	path, err := exec.LookPath(s.Cmd[0])
	if err != nil {
		return "", permanent(fmt.Errorf("plugin binary: %w", err))
	}
	if s.SHA256 == "" {
		return path, nil
	}
	got, err := fileSHA256(path)
	if err != nil {
		return "", permanent(fmt.Errorf("plugin binary: %w", err))
	}
	if !strings.EqualFold(got, s.SHA256) {
		return "", permanent(&ChecksumError{Path: path, Want: strings.ToLower(s.SHA256), Got: got})
	}
	return path, nil
}

// fileSHA256 returns the hex sha256 of a file.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
