package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/switchboard-desk/switchboard/sdk"
	pb "github.com/switchboard-desk/switchboard/sdk/proto/departmentv1"
)

// server serves the unary calls of the department protocol.
type server struct {
	pb.UnimplementedDepartmentServer
	caps   []string // nil: Capabilities is unimplemented
	events atomic.Int64
}

func (s *server) Describe(context.Context, *pb.DescribeRequest) (*pb.DescribeResponse, error) {
	return &pb.DescribeResponse{Name: "rawplugin", Version: "0.1.0", ProtocolVersion: sdk.ProtocolVersion}, nil
}

func (s *server) Capabilities(ctx context.Context, req *pb.CapabilitiesRequest) (*pb.CapabilitiesResponse, error) {
	if s.caps == nil {
		return s.UnimplementedDepartmentServer.Capabilities(ctx, req)
	}
	return &pb.CapabilitiesResponse{Capabilities: s.caps}, nil
}

func (s *server) Configure(context.Context, *pb.ConfigureRequest) (*pb.ConfigureResponse, error) {
	return &pb.ConfigureResponse{}, nil
}

func (s *server) HandleTicket(ctx context.Context, req *pb.HandleTicketRequest) (*pb.HandleTicketResponse, error) {
	t := req.GetTicket()
	if msg := t.GetFields()["fail"]; msg != "" {
		return nil, pluginError(ctx, msg)
	}
	note := fmt.Sprintf("pid=%d id=%s events=%d", os.Getpid(), t.GetId(), s.events.Load())
	return &pb.HandleTicketResponse{Accept: true, Note: note}, nil
}

func (s *server) HandleEvent(ctx context.Context, req *pb.HandleEventRequest) (*pb.HandleEventResponse, error) {
	if req.GetEvent().GetType() == "fail" {
		return nil, pluginError(ctx, "event refused")
	}
	s.events.Add(1)
	return &pb.HandleEventResponse{Handled: true}, nil
}

func (s *server) Health(context.Context, *pb.HealthRequest) (*pb.HealthResponse, error) {
	return &pb.HealthResponse{}, nil
}

// pluginError marks an error as the plugin's own, as the protocol says:
// the trailer names the plugin.
func pluginError(ctx context.Context, msg string) error {
	_ = grpc.SetTrailer(ctx, metadata.Pairs("switchboard-plugin-error", "rawplugin"))
	return status.Error(codes.Unknown, msg)
}

// grpcPlugin registers the server with go-plugin.
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	srv *server
}

func (p *grpcPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	pb.RegisterDepartmentServer(s, p.srv)
	return nil
}

func (p *grpcPlugin) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, fmt.Errorf("rawplugin: no client side")
}

func main() {
	srv := &server{}
	for _, arg := range os.Args[1:] {
		if list, ok := strings.CutPrefix(arg, "caps="); ok {
			srv.caps = []string{}
			if list != "" {
				srv.caps = strings.Split(list, ",")
			}
		}
	}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: sdk.Handshake,
		Plugins:         plugin.PluginSet{sdk.PluginName: &grpcPlugin{srv: srv}},
		GRPCServer:      plugin.DefaultGRPCServer,
	})
}
