// Package agent wires the daemon together: it opens the store, starts the
// department plugins, the SLA scheduler, the desk and the HTTP server, and
// runs them until its context is cancelled. It touches no signals, so a test
// can run a whole agent on port 0.
package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/switchboard-desk/switchboard/daemon/api"
	"github.com/switchboard-desk/switchboard/daemon/config"
	"github.com/switchboard-desk/switchboard/daemon/desk"
	"github.com/switchboard-desk/switchboard/daemon/hostapi"
	"github.com/switchboard-desk/switchboard/daemon/live"
	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
	"github.com/switchboard-desk/switchboard/daemon/report"
	"github.com/switchboard-desk/switchboard/daemon/schedule"
	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/store/sqlite"
	"github.com/switchboard-desk/switchboard/daemon/wire"
	"github.com/switchboard-desk/switchboard/dashboards"
	"github.com/switchboard-desk/switchboard/sdk"
)

// Options configure an Agent beyond its config file.
type Options struct {
	// ConfigPath is the file reloaded on a reload request.
	ConfigPath string
	// Listen and DataDir override the config when not empty.
	Listen  string
	DataDir string
	// Executable runs the bundled plugins as `Executable plugin NAME`;
	// default os.Executable().
	Executable string
	Logger     hclog.Logger
	// Stdout receives the start banner (where to point a browser); default
	// io.Discard.
	Stdout io.Writer
	// Terminal says Stdout is a person's terminal: the banner then includes
	// the admin token in the wallboard URL.
	Terminal bool
	// Reload delivers reload requests (SIGHUP in main).
	Reload <-chan struct{}
	// Plugin tunes plugin supervision (zero values take pluginhost's
	// defaults).
	Plugin pluginhost.Options
}

// Agent is one running daemon.
type Agent struct {
	opts Options
	log  hclog.Logger

	mu  sync.Mutex
	cfg *config.Config

	addr  chan string
	ready chan struct{}

	// runCtx lives until shutdown; background passes (recompute, re-arm)
	// run under it, one at a time, and shutdown waits for them.
	runCtx context.Context
	bgMu   sync.Mutex
	bg     sync.WaitGroup
}

// background runs f in its own goroutine, after any earlier background
// pass, and makes shutdown wait for it.
func (a *Agent) background(f func()) {
	a.bg.Add(1)
	go func() {
		defer a.bg.Done()
		a.bgMu.Lock()
		defer a.bgMu.Unlock()
		f()
	}()
}

// recompute moves the open deadlines a changed calendar or policy touches.
func (a *Agent) recompute(ctx context.Context, dk *desk.Desk, why string) {
	n, err := dk.Recompute(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		a.log.Error("recompute deadlines", "after", why, "error", err)
	case n > 0:
		a.log.Info("deadlines re-planned under the current calendars", "after", why, "tickets", n)
	}
}

// New checks the config and returns an agent ready to Run.
func New(cfg *config.Config, o Options) (*Agent, error) {
	if o.Logger == nil {
		o.Logger = hclog.NewNullLogger()
	}
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Listen != "" {
		cfg.Server.Listen = o.Listen
	}
	if o.DataDir != "" {
		// A flag is relative to where the command runs, not to the
		// config file (as data_dir in the file is).
		abs, err := filepath.Abs(o.DataDir)
		if err != nil {
			return nil, fmt.Errorf("agent: --data-dir: %w", err)
		}
		cfg.Server.DataDir = abs
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if o.Executable == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("agent: find own executable for bundled plugins: %w", err)
		}
		o.Executable = exe
	}
	return &Agent{opts: o, log: o.Logger, cfg: cfg, addr: make(chan string, 1), ready: make(chan struct{})}, nil
}

// Addr returns the address the HTTP server listens on, once it does.
func (a *Agent) Addr(ctx context.Context) (string, error) {
	select {
	case s := <-a.addr:
		a.addr <- s
		return s, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Run starts everything and blocks until ctx is cancelled, then shuts down
// in order: stop intake, drain, stop plugins, close the store.
func (a *Agent) Run(ctx context.Context) error {
	cfg := a.cfg
	dataDir := cfg.DataPath()
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return fmt.Errorf("agent: create data dir: %w", err)
	}
	token, tokenPath, created, err := ensureToken(cfg.Server.Token, dataDir)
	if err != nil {
		return err
	}
	if created {
		a.log.Info("created admin token", "path", tokenPath)
	}

	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()

	// Bind the port before anything starts working, so that an address in
	// use fails at once, before plugins start or schedules create tickets.
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("agent: listen on %s: %w", cfg.Server.Listen, err)
	}
	defer ln.Close()

	rs, err := buildRules(cfg)
	if err != nil {
		return err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	var dk *desk.Desk
	hub := live.NewHub(live.Options{
		Logger:   a.log.Named("live"),
		Snapshot: func(ctx context.Context) (wire.Message, error) { return dk.Snapshot(ctx) },
		Backfill: func(ctx context.Context, after, upto int64) ([]wire.Message, error) {
			return dk.Backfill(ctx, after, upto)
		},
		AllowedOrigins: cfg.Server.AllowedOrigins,
		Registry:       reg,
	})

	popts := a.opts.Plugin
	popts.Logger = a.log.Named("plugin")
	// Plugins call back into the desk through the host API, acting only on
	// their own department's tickets unless config.toml grants more (read
	// on every call, so a reload's grants apply at once).
	grants := func(dept, other string) bool {
		d, ok := a.config().Department(dept)
		return ok && d.Granted(other)
	}
	popts.HostAPI = func(dept string) sdk.Host { return hostapi.New(dk, grants).For(dept) }
	popts.OnState = func(s pluginhost.Status) {
		d := departmentOf(s)
		hub.Publish(wire.Message{Type: wire.MsgDepartment, Department: &d})
		if s.State == pluginhost.StateRunning && dk != nil {
			go func() {
				if err := dk.Redeliver(ctx, s.Name); err != nil && ctx.Err() == nil {
					a.log.Error("redeliver", "department", s.Name, "error", err)
				}
			}()
		}
	}
	specs := pluginSpecs(cfg, a.opts.Executable)
	for _, s := range specs {
		// A missing binary or a wrong sha256 is told now, by name; the
		// department is marked failed when its start is refused, and the
		// rest of the desk runs.
		if err := s.Check(); err != nil {
			a.log.Error("department plugin will not start", "department", s.Name, "error", err)
		}
	}
	host, err := pluginhost.New(specs, popts)
	if err != nil {
		return err
	}

	clock := sla.RealClock{}
	var sched *sla.Scheduler
	dk = desk.New(desk.Options{
		Store:     st,
		Publisher: hub,
		Plugins:   host,
		Departments: func() []wire.Department {
			return departments(a.config(), host)
		},
		Logger: a.log.Named("desk"),
		Now:    clock.Now,
	})
	// 32 fire workers: with 1M open tickets, 4 left breaches seconds late
	// (BENCHMARKS.md, "A million open tickets").
	sched = sla.NewScheduler(clock, dk.FireSLA, a.log.Named("sla"), sla.WithWorkers(desk.FireWorkers))
	dk.SetScheduler(sched)
	dk.SetRules(rs.router, desk.WithDirectory(rs.engine, desk.Directory{Repeat: cfg.Repeat}), cfg.Routing.Fallback)
	registerDeskMetrics(reg, dk)

	runCtx, stopRun := context.WithCancel(context.Background())
	defer stopRun()
	bgCtx, stopBackground := context.WithCancel(context.Background())
	defer stopBackground()
	a.runCtx = bgCtx
	go hub.Run(runCtx)
	sched.Start(runCtx)
	host.Start(runCtx)
	if err := dk.Start(ctx); err != nil {
		host.Stop(context.Background())
		return fmt.Errorf("agent: rebuild timers: %w", err)
	}
	// A calendar or policy edited while the daemon was down moves the open
	// deadlines it touches. It reads every open ticket (half a minute at a
	// million), so it runs in the background; the timers are live already.
	a.background(func() { a.recompute(bgCtx, dk, "start") })
	// Recurring work ([[schedule]]): started after the desk (its catch-up
	// creates tickets through it), stopped before the desk stops.
	// A reload builds the new schedules with newSchedules before it changes
	// anything, and swaps them in with the rest.
	newSchedules := func(c *config.Config) (*schedule.Runner, error) {
		return schedule.FromConfig(c, clock, dk, st, dataDir, a.log.Named("schedule"))
	}
	schedules, err := newSchedules(cfg)
	if err != nil {
		host.Stop(context.Background())
		return fmt.Errorf("agent: %w", err)
	}
	schedules.Start(runCtx)
	var schedMu sync.Mutex
	swapSchedules := func(next *schedule.Runner) {
		schedMu.Lock()
		defer schedMu.Unlock()
		schedules.Stop()
		schedules = next
		// No catch-up: the runs due so far were done by the old runner.
		next.Resume(runCtx)
	}

	var shuttingDown bool
	var sdMu sync.Mutex
	srv := &http.Server{
		Handler: api.New(api.Options{
			Desk:     dk,
			Hub:      hub,
			Token:    token,
			Logger:   a.log.Named("api"),
			Registry: reg,
			Static:   dashboards.FS(),
			Reports: func(ctx context.Context, from, to time.Time, by string) (any, error) {
				return report.SLA(ctx, st, from, to, by)
			},
			Ready: func() error {
				sdMu.Lock()
				defer sdMu.Unlock()
				if shuttingDown {
					return errors.New("shutting down")
				}
				return nil
			},
		}).Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          a.log.Named("http").StandardLogger(&hclog.StandardLoggerOptions{InferLevels: true}),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	addr := ln.Addr().String()
	a.addr <- addr
	a.log.Info("switchboard agent started", "listen", addr, "data_dir", dataDir, "store", cfg.Store.Driver)
	a.banner(addr, token, tokenPath)
	close(a.ready)

	var runErr error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-serveErr:
			runErr = fmt.Errorf("agent: http server: %w", err)
			break loop
		case <-a.opts.Reload:
			a.reload(dk, host, newSchedules, swapSchedules)
		}
	}

	a.log.Info("shutting down")
	sdMu.Lock()
	shuttingDown = true
	sdMu.Unlock()
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hub.Close()
	if err := srv.Shutdown(shutCtx); err != nil {
		a.log.Warn("http shutdown", "error", err)
	}
	stopBackground() // a recompute in progress stops where it is; the next start redoes it
	a.bg.Wait()
	sched.Stop()
	schedMu.Lock()
	schedules.Stop() // recurring work: before the desk stops
	schedMu.Unlock()
	dk.Stop(shutCtx)
	host.Stop(shutCtx)
	stopRun()
	a.log.Info("stopped")
	return runErr
}

func (a *Agent) banner(addr, token, tokenPath string) {
	url := "http://" + addr
	fmt.Fprintf(a.opts.Stdout, "Switchboard is running.\n")
	fmt.Fprintf(a.opts.Stdout, "  API:       %s/api/v1\n", url)
	if tokenPath == "" {
		fmt.Fprintf(a.opts.Stdout, "  Wallboard: %s/  (paste the token from config.toml)\n", url)
		fmt.Fprintf(a.opts.Stdout, "  Intake:    %s/new\n", url)
		return
	}
	fmt.Fprintf(a.opts.Stdout, "  Token:     %s (the CLI reads it from there)\n", tokenPath)
	if a.opts.Terminal {
		// Only to a person at a terminal: a log collector never sees it.
		fmt.Fprintf(a.opts.Stdout, "  Wallboard: %s/#token=%s\n", url, token)
		fmt.Fprintf(a.opts.Stdout, "  Intake:    %s/new#token=%s\n", url, token)
		return
	}
	fmt.Fprintf(a.opts.Stdout, "  Wallboard: %s/#token=<the token in %s>\n", url, tokenPath)
	fmt.Fprintf(a.opts.Stdout, "  Intake:    %s/new#token=<the token>\n", url)
}

// config returns the configuration in force.
func (a *Agent) config() *config.Config {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cfg
}

// reload reads the config file again and swaps in its routes, policies,
// escalation chains and plugins: departments added get a plugin process,
// removed ones lose theirs, and one whose plugin, command, sha256, tls or
// settings changed gets a new process that takes over what the old one had
// not acknowledged (it stays in the outbox). A bad file, or a plugin binary
// that is missing or fails its sha256, leaves everything running as it was.
func (a *Agent) reload(dk *desk.Desk, host *pluginhost.Host,
	newSchedules func(*config.Config) (*schedule.Runner, error), swapSchedules func(*schedule.Runner)) {
	if a.opts.ConfigPath == "" {
		a.log.Warn("reload requested but the agent has no config file")
		return
	}
	cfg, err := config.Load(a.opts.ConfigPath)
	if err == nil {
		err = cfg.Validate()
	}
	var rs rules
	if err == nil {
		rs, err = buildRules(cfg)
	}
	var runner *schedule.Runner
	if err == nil {
		runner, err = newSchedules(cfg)
	}
	var specs []pluginhost.Spec
	if err == nil {
		specs = pluginSpecs(cfg, a.opts.Executable)
		for _, s := range specs {
			if err = s.Check(); err != nil {
				break
			}
		}
	}
	if err != nil {
		a.log.Error("reload failed; keeping the running configuration", "error", err)
		return
	}
	changes, err := host.Update(a.runCtx, specs)
	if err != nil {
		// Update changes nothing when it fails (a new plugin that does not
		// start): the routes and rules stay those of the running plugins.
		a.log.Error("reload failed; keeping the running configuration", "error", err)
		return
	}
	if len(changes.Added)+len(changes.Removed)+len(changes.Upgraded) > 0 {
		a.log.Info("reload: plugins changed", "added", changes.Added, "removed", changes.Removed, "upgraded", changes.Upgraded)
	}
	a.mu.Lock()
	a.cfg = cfg
	a.mu.Unlock()
	dk.SetRules(rs.router, desk.WithDirectory(rs.engine, desk.Directory{Repeat: cfg.Repeat}), cfg.Routing.Fallback)
	swapSchedules(runner)
	// Moving open deadlines and re-arming their timers reads every open
	// ticket: in the background, one reload's pass after another's.
	a.background(func() {
		a.recompute(a.runCtx, dk, "reload")
		if err := dk.Rearm(a.runCtx); err != nil && a.runCtx.Err() == nil {
			a.log.Error("reload: re-arm SLA timers", "error", err)
		}
	})
	a.log.Info("configuration reloaded: routes, policies, escalation chains, plugins and schedules",
		"routes", len(cfg.Routes), "policies", len(cfg.Policies), "departments", len(cfg.Departments), "schedules", len(cfg.Schedules))
}

func openStore(ctx context.Context, cfg *config.Config) (store.Store, error) {
	switch cfg.Store.Driver {
	case "", "sqlite":
		return sqlite.Open(ctx, cfg.StorePath())
	default:
		return nil, fmt.Errorf("agent: store driver %q is not available yet (use sqlite)", cfg.Store.Driver)
	}
}
