package sdk

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	pb "github.com/switchboard-desk/switchboard/sdk/proto/departmentv1"
	"google.golang.org/grpc"
)

// GRPCPlugin is the go-plugin glue of a department. On the plugin side Impl
// is the department to serve; on the host side Impl is unused and
// dispensing returns a [Client].
type GRPCPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	// Impl is the department served by GRPCServer.
	Impl Department
}

var _ plugin.GRPCPlugin = (*GRPCPlugin)(nil)

// GRPCServer registers the department service, backed by Impl, on s.
// The broker is kept to dial the Host service the host names in Configure.
func (p *GRPCPlugin) GRPCServer(broker *plugin.GRPCBroker, s *grpc.Server) error {
	if p.Impl == nil {
		return fmt.Errorf("sdk: GRPCPlugin has no department to serve")
	}
	pb.RegisterDepartmentServer(s, newGRPCServer(p.Impl, broker))
	return nil
}

// GRPCClient returns a [Client] speaking to the plugin over conn. The
// broker is kept to serve a [Config.Host] to the plugin.
func (p *GRPCPlugin) GRPCClient(_ context.Context, broker *plugin.GRPCBroker, conn *grpc.ClientConn) (any, error) {
	return &grpcClient{rpc: pb.NewDepartmentClient(conn), broker: broker}, nil
}

// PluginSet is the plugin set a host puts in plugin.ClientConfig.Plugins.
func PluginSet() plugin.PluginSet {
	return plugin.PluginSet{PluginName: &GRPCPlugin{}}
}

// NewLogger returns a logger for a plugin: JSON on stderr, which go-plugin
// parses and forwards into the host's log, tagged with the plugin.
func NewLogger(name string) hclog.Logger { return newLogger(name, os.Stderr) }

func newLogger(name string, out *os.File) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Name:       name,
		Level:      hclog.Debug,
		Output:     out,
		JSONFormat: true,
	})
}

// Serve serves d as a department plugin and blocks until the host ends the
// plugin. It is the whole main of a plugin binary. Run by hand rather than
// by a host, it prints a message and exits with status 1.
//
// On Unix, if the host dies without ending the plugin (kill -9, a crash),
// Serve notices within a second that its parent process has changed, logs
// it and exits the process with status 0, so that no orphaned plugin is
// left running.
func Serve(d Department) {
	// go-plugin replaces os.Stderr with a pipe of its own during Serve;
	// the logger, and the flush on the host's death, keep the real one.
	stderr := os.Stderr
	log := newLogger(d.Info().Name, stderr)
	parentWatch{
		getppid: os.Getppid,
		every:   parentPoll,
		log:     log,
		exit:    exitFlushed(stderr),
	}.start()
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         plugin.PluginSet{PluginName: &GRPCPlugin{Impl: d}},
		GRPCServer:      plugin.DefaultGRPCServer,
		Logger:          log,
	})
}
