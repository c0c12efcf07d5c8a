package main

// This file holds what every client command shares: the common flags,
// finding the daemon and its token (flags, environment, config.toml,
// DATA_DIR/admin.token), and reporting errors with the right exit code.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/switchboard-desk/switchboard/daemon/client"
)

// defaultAddr is where the client looks for the daemon when nothing says
// otherwise; it matches the daemon's default [server] listen.
const defaultAddr = "127.0.0.1:7480"

// clientFile is the part of config.toml the client commands read. Decoding
// is deliberately not strict: the daemon validates the file, the client only
// looks for the daemon's address and its token.
type clientFile struct {
	Server struct {
		Listen  string `toml:"listen"`
		DataDir string `toml:"data_dir"`
		Token   string `toml:"token"`
	} `toml:"server"`
}

// clientSettings is where to reach the daemon and how to authenticate.
type clientSettings struct {
	BaseURL string // http(s)://host:port
	Token   string
	// TokenHint says where the token was looked for when none was found,
	// for the message shown on a 401.
	TokenHint string
}

// clientLookup holds the inputs of resolveClient: flags (empty when not
// given) and the environment.
type clientLookup struct {
	Addr, Token, Config, DataDir string
	// ConfigSet is true when --config was given explicitly: then a missing
	// file is an error, not a reason to use defaults.
	ConfigSet bool
	Getenv    func(string) string
}

// resolveClient works out the daemon's URL and token from, in order: flags,
// the environment (SWITCHBOARD_ADDR, SWITCHBOARD_TOKEN), the config file's
// [server] table, and DATA_DIR/admin.token.
func resolveClient(in clientLookup) (clientSettings, error) {
	var out clientSettings
	var file clientFile
	cfgDir := "."
	if in.Config != "" {
		_, err := toml.DecodeFile(in.Config, &file)
		switch {
		case err == nil:
			cfgDir = filepath.Dir(in.Config)
		case errors.Is(err, fs.ErrNotExist) && !in.ConfigSet:
			// No config here: defaults.
		default:
			return out, fmt.Errorf("read config: %w", err)
		}
	}

	addr := firstNonEmpty(in.Addr, in.Getenv("SWITCHBOARD_ADDR"), file.Server.Listen, defaultAddr)
	base, err := baseURL(addr)
	if err != nil {
		return out, err
	}
	out.BaseURL = base

	out.Token = firstNonEmpty(in.Token, in.Getenv("SWITCHBOARD_TOKEN"), file.Server.Token)
	if out.Token != "" {
		return out, nil
	}
	dataDir := in.DataDir
	if dataDir == "" {
		dataDir = firstNonEmpty(file.Server.DataDir, "data")
		if !filepath.IsAbs(dataDir) {
			dataDir = filepath.Join(cfgDir, dataDir)
		}
	}
	path := filepath.Join(dataDir, "admin.token")
	b, err := os.ReadFile(path)
	if err != nil {
		out.TokenHint = fmt.Sprintf("no token: pass --token, set SWITCHBOARD_TOKEN, or run where %s is readable (%v)", path, err)
		return out, nil
	}
	out.Token = strings.TrimSpace(string(b))
	if out.Token == "" {
		out.TokenHint = fmt.Sprintf("no token: %s is empty", path)
	}
	return out, nil
}

// baseURL turns "host:port", ":port" or a URL into the daemon's base URL.
// A wildcard listen host (0.0.0.0, ::, empty) means this machine.
func baseURL(addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	if !strings.Contains(addr, "://") {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return "", fmt.Errorf("bad address %q: want host:port or a URL (%v)", addr, err)
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		addr = "http://" + net.JoinHostPort(host, port)
	}
	u, err := url.Parse(addr)
	if err != nil {
		return "", fmt.Errorf("bad address %q: %v", addr, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("bad address %q: want host:port or an http(s) URL", addr)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// commonFlags are the flags every ticket command takes.
type commonFlags struct {
	addr, token, config, dataDir, as string
	json                             bool
}

// command is one parsed subcommand: its flag set and common flags.
type command struct {
	fs     *flag.FlagSet
	common commonFlags
	group  string // the command group, "ticket" or "sla"
	usage  string // the synopsis line, e.g. "show ID"
}

// newCommand returns `switchboard GROUP NAME` with the common flags.
func (c *ticketCLI) newCommand(group, name, synopsis string) *command {
	cmd := &command{fs: flag.NewFlagSet("switchboard "+group+" "+name, flag.ContinueOnError), group: group, usage: synopsis}
	cmd.fs.SetOutput(io.Discard)
	cmd.fs.Usage = func() {}
	f := &cmd.common
	cmd.fs.StringVar(&f.addr, "addr", "", "daemon address, host:port or URL")
	cmd.fs.StringVar(&f.token, "token", "", "API token")
	cmd.fs.StringVar(&f.config, "config", c.defaultConfig, "config file with [server] listen and data_dir")
	cmd.fs.StringVar(&f.dataDir, "data-dir", "", "data directory holding admin.token")
	cmd.fs.StringVar(&f.as, "as", "", "your name, recorded as the actor")
	cmd.fs.BoolVar(&f.json, "json", false, "raw JSON output")
	return cmd
}

// parse parses args, allowing flags after positional arguments
// ("show SB-1 --json"). It returns the positional arguments, or an exit
// code when parsing ended the command (-h, or a usage error).
func (c *ticketCLI) parse(cmd *command, args []string, nargs int) ([]string, int, bool) {
	var pos []string
	for {
		if err := cmd.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				c.printUsage(c.out, cmd)
				return nil, exitOK, false
			}
			return nil, c.usageError(cmd, err.Error()), false
		}
		rest := cmd.fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			pos = append(pos, rest...) // everything after "--" is positional
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	if len(pos) != nargs {
		if nargs == 0 {
			return nil, c.usageError(cmd, fmt.Sprintf("unexpected argument %q", pos[0])), false
		}
		return nil, c.usageError(cmd, fmt.Sprintf("want %d argument(s), got %d", nargs, len(pos))), false
	}
	return pos, 0, true
}

func (c *ticketCLI) printUsage(w io.Writer, cmd *command) {
	fmt.Fprintf(w, "Usage: switchboard %s %s\n\nFlags:\n", cmd.group, cmd.usage)
	cmd.fs.SetOutput(w)
	cmd.fs.PrintDefaults()
	cmd.fs.SetOutput(io.Discard)
}

func (c *ticketCLI) usageError(cmd *command, msg string) int {
	fmt.Fprintf(c.errw, "%s: %s\n", cmd.fs.Name(), msg)
	c.printUsage(c.errw, cmd)
	return exitUsage
}

// connect builds the API client from the common flags.
func (c *ticketCLI) connect(cmd *command) (*client.Client, clientSettings, int, bool) {
	in := clientLookup{Addr: cmd.common.addr, Token: cmd.common.token, Config: cmd.common.config,
		DataDir: cmd.common.dataDir, Getenv: c.getenv}
	cmd.fs.Visit(func(f *flag.Flag) { in.ConfigSet = in.ConfigSet || f.Name == "config" })
	s, err := resolveClient(in)
	if err != nil {
		fmt.Fprintf(c.errw, "switchboard: %v\n", err)
		return nil, s, exitUsage, false
	}
	var opts []client.Option
	if cmd.common.as != "" {
		opts = append(opts, client.WithActor(cmd.common.as))
	}
	opts = append(opts, client.WithHTTPClient(&http.Client{Timeout: 60 * time.Second}))
	return client.New(s.BaseURL, s.Token, opts...), s, 0, true
}

// fail reports an API or network error and returns exitAPI.
func (c *ticketCLI) fail(s clientSettings, err error) int {
	fmt.Fprintf(c.errw, "switchboard: %v\n", err)
	var ae *client.APIError
	switch {
	case errors.As(err, &ae) && ae.Status == http.StatusUnauthorized && s.TokenHint != "":
		fmt.Fprintf(c.errw, "switchboard: %s\n", s.TokenHint)
	case !errors.As(err, &ae) && !errors.Is(err, context.Canceled):
		fmt.Fprintf(c.errw, "switchboard: is the daemon running at %s? (switchboard agent)\n", s.BaseURL)
	}
	return exitAPI
}

// printJSON writes v indented, for --json.
func (c *ticketCLI) printJSON(v any) int {
	enc := json.NewEncoder(c.out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(c.errw, "switchboard: %v\n", err)
		return exitAPI
	}
	return exitOK
}
