package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"sync"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/switchboard-desk/switchboard/sdk"
)

// instance is one started plugin process.
type instance struct {
	client  *plugin.Client
	cmd     *exec.Cmd
	rpc     plugin.ClientProtocol
	dept    sdk.Client
	pid     int
	version string

	// broken is closed, once, when a caller or the health check finds the
	// instance unusable; reason says why. The supervisor then kills it.
	brokenOnce sync.Once
	broken     chan struct{}
	reason     error
}

// launch starts the plugin of spec (with a parent-death signal where the
// platform has one, see startProcess), handshakes, dispenses the sdk client,
// reads its Info and hands it its settings. On error nothing is left
// running. track is told the go-plugin client as soon as it exists, so that
// Stop can kill a start in progress.
func launch(ctx context.Context, spec Spec, opts Options, log hclog.Logger, track func(*plugin.Client)) (*instance, error) {
	path, err := resolveBinary(spec)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, spec.Cmd[1:]...)
	out := log.StandardWriter(&hclog.StandardLoggerOptions{InferLevels: true})
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  sdk.Handshake,
		Plugins:          sdk.PluginSet(),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           log,
		StartTimeout:     opts.StartTimeout,
		AutoMTLS:         true,
		SyncStdout:       out,
		SyncStderr:       out,
	})
	track(client)
	defer track(nil)

	if err := startProcess(client, cmd); err != nil {
		client.Kill()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	rpc, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	inst := &instance{client: client, cmd: cmd, rpc: rpc, broken: make(chan struct{})}
	if cmd.Process != nil {
		inst.pid = cmd.Process.Pid
	}
	fail := func(err error) (*instance, error) {
		inst.kill()
		return nil, err
	}
	raw, err := rpc.Dispense(sdk.PluginName)
	if err != nil {
		return fail(fmt.Errorf("dispense %q: %w", sdk.PluginName, err))
	}
	dept, ok := raw.(sdk.Client)
	if !ok {
		return fail(fmt.Errorf("dispense %q: got %T, not an sdk.Client", sdk.PluginName, raw))
	}
	inst.dept = dept

	cctx, cancel := context.WithTimeout(ctx, opts.CallTimeout)
	info, err := dept.Info(cctx)
	cancel()
	if err != nil {
		return fail(fmt.Errorf("info: %w", err))
	}
	inst.version = info.Version

	cctx, cancel = context.WithTimeout(ctx, opts.CallTimeout)
	err = dept.Configure(cctx, sdk.Config{Department: spec.Name, Settings: spec.Settings})
	cancel()
	if err != nil {
		err = fmt.Errorf("configure: %w", err)
		if sdk.IsPluginError(err) {
			// The plugin refused its settings: a restart with the same
			// settings cannot cure it; fixing them takes a daemon restart.
			err = permanent(err)
		}
		return fail(err)
	}
	return inst, nil
}

// breakWith marks the instance unusable; the first reason wins.
func (i *instance) breakWith(reason error) {
	i.brokenOnce.Do(func() {
		i.reason = reason
		close(i.broken)
	})
}

// exited reports whether the process has exited.
func (i *instance) exited() bool { return i.client.Exited() }

// kill ends the process at once (SIGKILL through the exec handle, which
// cannot hit a recycled pid) and lets go-plugin clean up its goroutines.
func (i *instance) kill() {
	i.signalKill()
	i.client.Kill()
}

// signalKill sends SIGKILL and returns without waiting.
func (i *instance) signalKill() {
	if i.cmd.Process != nil && !i.client.Exited() {
		_ = i.cmd.Process.Kill()
	}
}

// health pings the gRPC connection and calls the plugin's Health, bounded
// by timeout. go-plugin's Ping takes no context, so it runs aside and is
// abandoned (to end when the process is killed) if it hangs.
func (i *instance) health(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- i.rpc.Ping() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("ping: %w", err)
		}
	case <-ctx.Done():
		return fmt.Errorf("ping: %w", ctx.Err())
	}
	if err := i.dept.Health(ctx); err != nil {
		return fmt.Errorf("health: %w", err)
	}
	return nil
}

// errStopping is the reason of instances killed by Stop.
var errStopping = errors.New("host stopping")
