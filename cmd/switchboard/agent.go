package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/hashicorp/go-hclog"

	"github.com/switchboard-desk/switchboard/daemon/agent"
	"github.com/switchboard-desk/switchboard/daemon/config"
)

func agentCmd(ctx context.Context, args []string, sighup <-chan os.Signal, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "config.toml", "configuration file")
	listen := fs.String("listen", "", "HTTP listen address, overrides [server] listen")
	dataDir := fs.String("data-dir", "", "data directory, overrides [server] data_dir")
	logJSON := fs.Bool("log-json", false, "log as JSON lines")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "switchboard: %v\n", err)
		return 1
	}
	log := hclog.New(&hclog.LoggerOptions{
		Name:       "switchboard",
		Level:      hclog.LevelFromString(cfg.Server.LogLevel),
		Output:     stderr,
		JSONFormat: *logJSON,
	})
	reload := make(chan struct{}, 1)
	go func() {
		for range sighup {
			select {
			case reload <- struct{}{}:
			default:
			}
		}
	}()
	a, err := agent.New(cfg, agent.Options{
		ConfigPath: *cfgPath, Listen: *listen, DataDir: *dataDir,
		Logger: log, Stdout: stdout, Terminal: isTerminal(stdout), Reload: reload,
	})
	if err != nil {
		fmt.Fprintf(stderr, "switchboard: %v\n", err)
		return 1
	}
	if err := a.Run(ctx); err != nil {
		log.Error("agent stopped", "error", err)
		return 1
	}
	return 0
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
