package pluginhost

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"

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
	caps    sdk.Capabilities

	// ctx lives as long as the instance is usable: it is cancelled when
	// the instance breaks or is killed, which ends its work stream.
	ctx    context.Context
	cancel context.CancelFunc
	// mux is the work stream of a plugin with Capabilities.Deliver, nil
	// for the others (they get unary calls).
	mux *streamMux

	// broken is closed, once, when a caller or the health check finds the
	// instance unusable; reason says why. The supervisor then kills it.
	brokenOnce sync.Once
	broken     chan struct{}
	reason     error
}

// launch starts the plugin of spec (with a parent-death signal where the
// platform has one, see startProcess), handshakes, dispenses the sdk client,
// reads its Info and Capabilities, hands it its department, settings and
// (when it asks for one) the Host API, and opens its work stream if it has
// one. On error nothing is left running. track is told the go-plugin
// client as soon as it exists, so that Stop can kill a start in progress.
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
		AutoMTLS:         !spec.NoTLS,
		SyncStdout:       out,
		SyncStderr:       out,
	})
	track(client)
	defer track(nil)

	if err := startProcess(client, cmd); err != nil {
		client.Kill()
		if line, ok := strayStdout(err); ok {
			return nil, permanent(fmt.Errorf("plugin %s (%s) wrote to stdout before the go-plugin handshake: %q; "+
				"a plugin must keep stdout for the handshake and log to stderr (sdk.NewLogger)", spec.Name, path, line))
		}
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	rpc, err := client.Client()
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	ictx, cancel := context.WithCancel(context.Background())
	inst := &instance{client: client, cmd: cmd, rpc: rpc, ctx: ictx, cancel: cancel, broken: make(chan struct{})}
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
	inst.caps, err = dept.Capabilities(cctx)
	cancel()
	if err != nil {
		return fail(fmt.Errorf("capabilities: %w", err))
	}

	cfg := sdk.Config{Department: spec.Name, Settings: spec.Settings}
	if inst.caps.Host && opts.HostAPI != nil {
		cfg.Host = opts.HostAPI(spec.Name)
	}
	cctx, cancel = context.WithTimeout(ctx, opts.CallTimeout)
	err = dept.Configure(cctx, cfg)
	cancel()
	if err != nil {
		err = fmt.Errorf("configure: %w", err)
		if sdk.IsPluginError(err) {
			// The plugin refused its settings: a restart with the same
			// settings cannot cure it; fixing them takes a new spec.
			err = permanent(err)
		}
		return fail(err)
	}

	if inst.caps.Deliver {
		stream, err := dept.OpenStream(inst.ctx)
		if err != nil {
			return fail(fmt.Errorf("open work stream: %w", err))
		}
		inst.mux = newStreamMux(inst, stream)
	}
	return inst, nil
}

// unrecognized starts go-plugin's error for a first line of stdout that is
// not its handshake.
const unrecognized = "Unrecognized remote plugin message: "

// strayStdout returns the first line a plugin printed to stdout instead of
// the go-plugin handshake, if that is why its start failed. A plugin that
// printed nothing (it exited at once) is not one.
func strayStdout(err error) (string, bool) {
	msg := err.Error()
	i := strings.Index(msg, unrecognized)
	if i < 0 {
		return "", false
	}
	line, _, _ := strings.Cut(msg[i+len(unrecognized):], "\n")
	if line == "" {
		return "", false
	}
	return line, true
}

// breakWith marks the instance unusable, and ends its work stream; the
// first reason wins.
func (i *instance) breakWith(reason error) {
	i.brokenOnce.Do(func() {
		i.reason = reason
		close(i.broken)
	})
	i.cancel()
}

// usable reports whether no one has found the instance broken yet.
func (i *instance) usable() bool {
	select {
	case <-i.broken:
		return false
	default:
		return true
	}
}

// exited reports whether the process has exited.
func (i *instance) exited() bool { return i.client.Exited() }

// exitsWithin reports whether the process has exited, or exits within d.
func (i *instance) exitsWithin(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for !i.exited() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// kill ends the process at once (SIGKILL through the exec handle, which
// cannot hit a recycled pid) and lets go-plugin clean up its goroutines.
func (i *instance) kill() {
	i.signalKill()
	i.client.Kill()
}

// stop ends the process gracefully: go-plugin closes the connection, then
// kills the process if it has not exited within 2s.
func (i *instance) stop() {
	i.cancel()
	i.client.Kill()
}

// signalKill ends the work stream, sends SIGKILL and returns without
// waiting.
func (i *instance) signalKill() {
	i.cancel()
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
