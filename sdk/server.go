package sdk

import (
	"context"
	"fmt"

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
}

func newGRPCServer(d Department) *grpcServer {
	return &grpcServer{impl: d, name: d.Info().Name}
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
	return &pb.HandleTicketResponse{Accept: reply.Accept, Assignee: reply.Assignee, Note: reply.Note}, nil
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
