package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// The defaults applied by SetDefaults.
const (
	DefaultListen   = "127.0.0.1:7480"
	DefaultDataDir  = "data"
	DefaultLogLevel = "info"
	DefaultDriver   = "sqlite"
	DefaultWarn     = 0.8
	// DefaultDBFile is the sqlite file name inside the data directory.
	DefaultDBFile = "switchboard.db"
)

// Load reads, strictly decodes, defaults and validates the config file at
// path. Every problem is reported, each naming the file, the line where it
// can and the key or item at fault. Relative paths in the file are taken
// relative to its directory.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return parse(filepath.Base(path), data, dir)
}

// Parse is Load on data already read; dir is the directory relative paths
// are resolved against. Errors name the file "config.toml".
func Parse(data []byte, dir string) (*Config, error) {
	return parse("config.toml", data, dir)
}

func parse(name string, data []byte, dir string) (*Config, error) {
	cfg, md, err := decode(name, data)
	if err != nil {
		return nil, err
	}
	cfg.Dir = dir
	// "count = 0" written out turns repeat detection off, which a [repeat]
	// table left out does not: only the file can tell them apart.
	repeatOff := md.IsDefined("repeat", "count") && cfg.Repeat.Count == 0
	cfg.SetDefaults()
	if repeatOff {
		cfg.Repeat.Count = 0
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: invalid configuration:\n%w", name, err)
	}
	return cfg, nil
}

// LineError is a problem at one line of a config file: a syntax error, an
// unknown key or a bad value.
type LineError struct {
	File string
	Line int // 0 when unknown
	// Key is the dotted key at fault, e.g. "policy.target.after"; empty
	// for a syntax error.
	Key string
	Msg string
	Err error // the underlying error, if any
}

// Error returns "FILE:LINE: message".
func (e *LineError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	return loc + ": " + e.Msg
}

// Unwrap returns the underlying error, if any.
func (e *LineError) Unwrap() error { return e.Err }

// decode runs the strict TOML decode: a syntax error, a bad value and every
// unknown key are errors with their line.
func decode(name string, data []byte) (*Config, toml.MetaData, error) {
	var cfg Config
	src := string(data)
	md, err := toml.Decode(src, &cfg)
	if err != nil {
		return nil, md, decodeError(name, src, err)
	}
	if errs := unknownKeys(name, src, md.Undecoded()); len(errs) > 0 {
		return nil, md, errors.Join(errs...)
	}
	return &cfg, md, nil
}

// freeForm lists the tables whose sub-keys are the user's own, never
// unknown: department settings are handed to the plugin as they are.
var freeForm = []string{"department.settings."}

func unknownKeys(name, src string, undecoded []toml.Key) []error {
	if len(undecoded) == 0 {
		return nil
	}
	positions := scanKeys(src)
	seen := map[string]int{}      // occurrences of each key met so far
	reported := map[string]bool{} // keys reported, to skip their children
	var errs []error
outer:
	for _, k := range undecoded {
		ks := k.String()
		n := seen[ks]
		seen[ks]++
		for _, p := range freeForm {
			if strings.HasPrefix(ks, p) {
				continue outer
			}
		}
		for i := 1; i < len(k); i++ {
			if reported[toml.Key(k[:i]).String()] {
				continue outer
			}
		}
		reported[ks] = true
		errs = append(errs, &LineError{
			File: name,
			Line: nthLine(positions, ks, n),
			Key:  ks,
			Msg:  fmt.Sprintf("unknown key %q", ks),
		})
	}
	return errs
}

// nthLine is the line of the n-th (from 0) occurrence of key, or 0.
func nthLine(positions []keyPos, key string, n int) int {
	for _, p := range positions {
		if p.key == key {
			if n == 0 {
				return p.line
			}
			n--
		}
	}
	return 0
}

// typeErr matches the decoder's plain errors, which name a line and key.
var typeErr = regexp.MustCompile(`^toml: (?:line (\d+) )?\(last key "(.*?)"\): (.*)$`)

// durationHint makes a bad-duration message say what is expected.
const durationHint = ` (write a duration such as "90s", "15m", "2h30m" or "36h")`

// decodeError turns the decoder's error into a LineError naming the file,
// line and key. The decoder knows only the last line a key was set on, so
// for a key repeated in an array of tables the line is found by matching
// the offending value against each occurrence.
func decodeError(name, src string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		var generic map[string]any
		if _, serr := toml.Decode(src, &generic); serr != nil || pe.LastKey == "" {
			// A syntax error: the decoder's position is exact.
			msg := pe.Message
			if pe.Usage != "" {
				msg += "\n" + strings.TrimSpace(pe.Usage)
			}
			return &LineError{File: name, Line: pe.Position.Line, Msg: msg, Err: err}
		}
		return valueError(name, src, pe.LastKey, pe.Position.Line, pe.Message, err)
	}
	if m := typeErr.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return valueError(name, src, m[2], line, m[3], err)
	}
	return &LineError{File: name, Msg: strings.TrimPrefix(err.Error(), "toml: "), Err: err}
}

func valueError(name, src, key string, line int, msg string, err error) error {
	var occ []keyPos
	for _, p := range scanKeys(src) {
		if p.key == key {
			occ = append(occ, p)
		}
	}
	p, ok := pickOccurrence(occ, msg)
	if ok {
		line = p.line
	}
	if strings.HasPrefix(msg, "time: ") {
		// time.ParseDuration's own words ("unknown unit \" minutes\"")
		// help less than an example.
		msg = strings.TrimPrefix(msg, "time: ")
		switch {
		case ok && p.kind == "string":
			msg = fmt.Sprintf("invalid duration %q", p.value)
		case ok:
			msg = fmt.Sprintf("invalid duration %s, a duration is a quoted string", p.value)
		}
		msg += durationHint
	}
	return &LineError{File: name, Line: line, Key: key, Msg: fmt.Sprintf("bad value for key %q: %s", key, msg), Err: err}
}

// pickOccurrence finds, among the occurrences of a key, the one a decode
// error is about: the only one, the first whose value the message quotes,
// or the first whose type the message names.
func pickOccurrence(occ []keyPos, msg string) (keyPos, bool) {
	if len(occ) == 1 {
		return occ[0], true
	}
	for _, p := range occ {
		if p.value != "" && strings.Contains(msg, strconv.Quote(p.value)) {
			return p, true
		}
	}
	if _, rest, found := strings.Cut(msg, "TOML value has type "); found {
		for _, p := range occ {
			if p.kind != "" && strings.HasPrefix(rest, p.kind) {
				return p, true
			}
		}
	}
	return keyPos{}, false
}

// SetDefaults fills what the file left out: the listen address, data
// directory, log level, store driver, each department's title, each
// calendar's zone (UTC), each policy's calendar ("always"), each target's
// warning fraction (0.8) and, with after, its clock ("business"), the
// [repeat] keys (see Repeat.Enabled), and each schedule's calendar
// ("always") and, monthly, its business_day (1).
func (c *Config) SetDefaults() {
	if c.Server.Listen == "" {
		c.Server.Listen = DefaultListen
	}
	if c.Server.DataDir == "" {
		c.Server.DataDir = DefaultDataDir
	}
	if c.Server.LogLevel == "" {
		c.Server.LogLevel = DefaultLogLevel
	}
	if c.Store.Driver == "" {
		c.Store.Driver = DefaultDriver
	}
	for i := range c.Departments {
		if c.Departments[i].Title == "" {
			c.Departments[i].Title = c.Departments[i].Name
		}
	}
	for i := range c.Calendars {
		if c.Calendars[i].Zone == "" {
			c.Calendars[i].Zone = DefaultZone
		}
	}
	for i := range c.Policies {
		p := &c.Policies[i]
		if p.Calendar == "" {
			p.Calendar = AlwaysCalendar
		}
		for j := range p.Targets {
			t := &p.Targets[j]
			if t.Warn == 0 {
				t.Warn = DefaultWarn
			}
			if t.Clock == "" && t.After.Duration != 0 {
				t.Clock = ClockBusiness
			}
		}
	}
	c.setRepeatDefaults()
	c.setScheduleDefaults()
}

// DataPath is the data directory, resolved against the config's directory.
func (c *Config) DataPath() string {
	return c.resolve(c.Server.DataDir)
}

// StorePath is the store's data source: for sqlite the database file
// (DSN resolved against the config's directory, default
// DATA_DIR/switchboard.db), for postgres the DSN as written.
func (c *Config) StorePath() string {
	if c.Store.Driver == "postgres" {
		return c.Store.DSN
	}
	if c.Store.DSN == "" {
		return filepath.Join(c.DataPath(), DefaultDBFile)
	}
	if strings.HasPrefix(c.Store.DSN, "file:") || strings.HasPrefix(c.Store.DSN, ":memory:") {
		return c.Store.DSN
	}
	return c.resolve(c.Store.DSN)
}

func (c *Config) resolve(p string) string {
	if p == "" || filepath.IsAbs(p) || c.Dir == "" {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// Department returns the department with the given name.
func (c *Config) Department(name string) (Department, bool) {
	for _, d := range c.Departments {
		if d.Name == name {
			return d, true
		}
	}
	return Department{}, false
}
