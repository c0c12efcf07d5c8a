package sdk

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/go-plugin"
	pb "github.com/switchboard-desk/switchboard/sdk/proto/departmentv1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// grpcServer is the plugin side of the protocol: it converts requests to
// SDK types and calls the author's Department.
type grpcServer struct {
	pb.UnimplementedDepartmentServer
	impl Department
	name string
	// broker dials the Host service the host serves (nil in tests that
	// build a server without go-plugin).
	broker *plugin.GRPCBroker

	mu       sync.Mutex
	hostConn *grpc.ClientConn // the current Host connection, if any
}

func newGRPCServer(d Department, broker *plugin.GRPCBroker) *grpcServer {
	return &grpcServer{impl: d, name: d.Info().Name, broker: broker}
}

// pluginErr marks err as the plugin's own: the client turns it into a
// *PluginError naming the plugin.
func (s *grpcServer) pluginErr(ctx context.Context, err error) error {
	_ = grpc.SetTrailer(ctx, metadata.Pairs(trailerPlugin, s.name))
	return status.Error(codes.Unknown, err.Error())
}

// guard turns a panic in the author's code into a plugin error, so one bad
// ticket does not kill the process.
func (s *grpcServer) guard(ctx context.Context, err *error) {
	if r := recover(); r != nil {
		*err = s.pluginErr(ctx, fmt.Errorf("panic: %v", r))
	}
}

// Describe implements pb.DepartmentServer.
func (s *grpcServer) Describe(ctx context.Context, _ *pb.DescribeRequest) (resp *pb.DescribeResponse, err error) {
	defer s.guard(ctx, &err)
	info := s.impl.Info()
	return &pb.DescribeResponse{
		Name:            info.Name,
		Version:         info.Version,
		Description:     info.Description,
		ProtocolVersion: ProtocolVersion,
	}, nil
}

// Configure implements pb.DepartmentServer.
func (s *grpcServer) Configure(ctx context.Context, req *pb.ConfigureRequest) (resp *pb.ConfigureResponse, err error) {
	defer s.guard(ctx, &err)
	if err := s.useHost(req.GetHostServiceId()); err != nil {
		return nil, err
	}
	if c, ok := s.impl.(Configurer); ok {
		var settings []byte
		if len(req.GetSettings()) > 0 {
			settings = req.GetSettings()
		}
		if err := c.Configure(ctx, settings); err != nil {
			return nil, s.pluginErr(ctx, err)
		}
	}
	return &pb.ConfigureResponse{}, nil
}

// useHost dials the Host service the host serves on broker id and hands it
// to a HostUser department, replacing (and closing) the Host of an earlier
// Configure. It does nothing when id is 0 or the department is no HostUser.
func (s *grpcServer) useHost(id uint32) error {
	hu, ok := s.impl.(HostUser)
	if id == 0 || !ok {
		return nil
	}
	if s.broker == nil {
		return status.Error(codes.FailedPrecondition, "Configure: host_service_id is set but the plugin has no go-plugin broker")
	}
	conn, err := s.broker.Dial(id)
	if err != nil {
		return status.Errorf(codes.Unavailable, "Configure: dialing the host service (broker id %d): %v", id, err)
	}
	s.mu.Lock()
	old := s.hostConn
	s.hostConn = conn
	s.mu.Unlock()
	hu.UseHost(newHostClient(conn))
	if old != nil {
		_ = old.Close()
	}
	return nil
}

// Capabilities implements pb.DepartmentServer. Every SDK plugin serves the
// work stream, takes events (acknowledging them unread without an
// EventHandler) and answers Health; "host" is listed for a HostUser.
func (s *grpcServer) Capabilities(context.Context, *pb.CapabilitiesRequest) (*pb.CapabilitiesResponse, error) {
	caps := []string{capDeliver, capEvents, capHealth}
	if _, ok := s.impl.(HostUser); ok {
		caps = append(caps, capHost)
	}
	return &pb.CapabilitiesResponse{Capabilities: caps}, nil
}

// HandleTicket implements pb.DepartmentServer.
func (s *grpcServer) HandleTicket(ctx context.Context, req *pb.HandleTicketRequest) (resp *pb.HandleTicketResponse, err error) {
	defer s.guard(ctx, &err)
	if req.GetTicket() == nil {
		return nil, status.Error(codes.InvalidArgument, "HandleTicket: request has no ticket")
	}
	reply, err := s.impl.HandleTicket(ctx, ticketFromPB(req.GetTicket()))
	if err != nil {
		return nil, s.pluginErr(ctx, err)
	}
	return replyToPB(reply), nil
}

// HandleEvent implements pb.DepartmentServer.
func (s *grpcServer) HandleEvent(ctx context.Context, req *pb.HandleEventRequest) (resp *pb.HandleEventResponse, err error) {
	defer s.guard(ctx, &err)
	if req.GetEvent() == nil {
		return nil, status.Error(codes.InvalidArgument, "HandleEvent: request has no event")
	}
	h, ok := s.impl.(EventHandler)
	if !ok {
		return &pb.HandleEventResponse{Handled: false}, nil
	}
	if err := h.HandleEvent(ctx, eventFromPB(req.GetEvent())); err != nil {
		return nil, s.pluginErr(ctx, err)
	}
	return &pb.HandleEventResponse{Handled: true}, nil
}

// Health implements pb.DepartmentServer.
func (s *grpcServer) Health(ctx context.Context, _ *pb.HealthRequest) (resp *pb.HealthResponse, err error) {
	defer s.guard(ctx, &err)
	if h, ok := s.impl.(HealthChecker); ok {
		if err := h.Health(ctx); err != nil {
			return nil, s.pluginErr(ctx, err)
		}
	}
	return &pb.HealthResponse{}, nil
}
