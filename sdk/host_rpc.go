package sdk

import (
	"context"
	"errors"
	"time"

	pb "github.com/switchboard-desk/switchboard/sdk/proto/departmentv1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// hostClient is the plugin's end of the Host service: it implements Host
// over the connection the plugin dialed through go-plugin's broker.
type hostClient struct {
	rpc pb.HostClient
}

var _ Host = (*hostClient)(nil)

func newHostClient(conn grpc.ClientConnInterface) *hostClient {
	return &hostClient{rpc: pb.NewHostClient(conn)}
}

// hostCall runs one Host RPC and converts its answer.
func hostCall[Req any](ctx context.Context, op string, fn func(context.Context, Req, ...grpc.CallOption) (*pb.TicketResponse, error), req Req) (Ticket, error) {
	resp, err := fn(ctx, req)
	if err != nil {
		return Ticket{}, hostErrorFromStatus(op, err)
	}
	return ticketFromPB(resp.GetTicket()), nil
}

// Ticket implements Host.
func (h *hostClient) Ticket(ctx context.Context, id string) (Ticket, error) {
	return hostCall(ctx, "Ticket", h.rpc.GetTicket, &pb.GetTicketRequest{TicketId: id})
}

// AddNote implements Host.
func (h *hostClient) AddNote(ctx context.Context, id, note string) (Ticket, error) {
	return hostCall(ctx, "AddNote", h.rpc.AddNote, &pb.AddNoteRequest{TicketId: id, Note: note})
}

// Transition implements Host.
func (h *hostClient) Transition(ctx context.Context, id, st, note string) (Ticket, error) {
	return hostCall(ctx, "Transition", h.rpc.Transition, &pb.TransitionRequest{TicketId: id, Status: st, Note: note})
}

// Assign implements Host.
func (h *hostClient) Assign(ctx context.Context, id, assignee, note string) (Ticket, error) {
	return hostCall(ctx, "Assign", h.rpc.Assign, &pb.AssignRequest{TicketId: id, Assignee: assignee, Note: note})
}

// Replan implements Host.
func (h *hostClient) Replan(ctx context.Context, id, target string, plannedAt time.Time, reason string) (Ticket, error) {
	return hostCall(ctx, "Replan", h.rpc.Replan, &pb.ReplanRequest{TicketId: id, Target: target, PlannedAt: timeToPB(plannedAt), Reason: reason})
}

// CreateTicket implements Host.
func (h *hostClient) CreateTicket(ctx context.Context, nt NewTicket, idempotencyKey string) (Ticket, error) {
	return hostCall(ctx, "CreateTicket", h.rpc.CreateTicket, &pb.CreateTicketRequest{Ticket: newTicketToPB(nt), IdempotencyKey: idempotencyKey})
}

// Escalate implements Host.
func (h *hostClient) Escalate(ctx context.Context, id, reason string) (Ticket, error) {
	return hostCall(ctx, "Escalate", h.rpc.Escalate, &pb.EscalateRequest{TicketId: id, Reason: reason})
}

// hostErrorFromStatus turns the error of a Host RPC into a *HostError for
// the call op, classified by its gRPC status code.
func hostErrorFromStatus(op string, err error) *HostError {
	st, ok := status.FromError(err)
	if !ok {
		return &HostError{Op: op, Code: HostInternal, Message: err.Error()}
	}
	var code HostErrorCode
	switch st.Code() {
	case codes.NotFound:
		code = HostNotFound
	case codes.PermissionDenied:
		code = HostPermissionDenied
	case codes.InvalidArgument:
		code = HostInvalid
	case codes.FailedPrecondition, codes.AlreadyExists:
		code = HostConflict
	case codes.Unavailable, codes.Canceled, codes.DeadlineExceeded:
		code = HostUnavailable
	default:
		code = HostInternal
	}
	return &HostError{Op: op, Code: code, Message: st.Message()}
}

// hostServer is the host's end of the Host service: it serves a Host (the
// daemon's, or a test's fake) to a plugin through go-plugin's broker.
type hostServer struct {
	pb.UnimplementedHostServer
	h Host
}

// ticketResponse converts the answer of a Host call into the RPC's.
func ticketResponse(t Ticket, err error) (*pb.TicketResponse, error) {
	if err != nil {
		return nil, hostStatus(err)
	}
	return &pb.TicketResponse{Ticket: ticketToPB(t)}, nil
}

// hostStatus converts an error of the host's Host into a gRPC status: a
// *HostError to its code's status, a context's error to Canceled or
// DeadlineExceeded, anything else to Internal.
func hostStatus(err error) error {
	var he *HostError
	if errors.As(err, &he) {
		var c codes.Code
		switch he.Code {
		case HostNotFound:
			c = codes.NotFound
		case HostPermissionDenied:
			c = codes.PermissionDenied
		case HostInvalid:
			c = codes.InvalidArgument
		case HostConflict:
			c = codes.FailedPrecondition
		case HostUnavailable:
			c = codes.Unavailable
		default:
			c = codes.Internal
		}
		return status.Error(c, he.Message)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	}
	return status.Error(codes.Internal, err.Error())
}

// GetTicket implements pb.HostServer.
func (s *hostServer) GetTicket(ctx context.Context, req *pb.GetTicketRequest) (*pb.TicketResponse, error) {
	return ticketResponse(s.h.Ticket(ctx, req.GetTicketId()))
}

// AddNote implements pb.HostServer.
func (s *hostServer) AddNote(ctx context.Context, req *pb.AddNoteRequest) (*pb.TicketResponse, error) {
	return ticketResponse(s.h.AddNote(ctx, req.GetTicketId(), req.GetNote()))
}

// Transition implements pb.HostServer.
func (s *hostServer) Transition(ctx context.Context, req *pb.TransitionRequest) (*pb.TicketResponse, error) {
	return ticketResponse(s.h.Transition(ctx, req.GetTicketId(), req.GetStatus(), req.GetNote()))
}

// Assign implements pb.HostServer.
func (s *hostServer) Assign(ctx context.Context, req *pb.AssignRequest) (*pb.TicketResponse, error) {
	return ticketResponse(s.h.Assign(ctx, req.GetTicketId(), req.GetAssignee(), req.GetNote()))
}

// Replan implements pb.HostServer.
func (s *hostServer) Replan(ctx context.Context, req *pb.ReplanRequest) (*pb.TicketResponse, error) {
	return ticketResponse(s.h.Replan(ctx, req.GetTicketId(), req.GetTarget(), timeFromPB(req.GetPlannedAt()), req.GetReason()))
}

// CreateTicket implements pb.HostServer.
func (s *hostServer) CreateTicket(ctx context.Context, req *pb.CreateTicketRequest) (*pb.TicketResponse, error) {
	return ticketResponse(s.h.CreateTicket(ctx, newTicketFromPB(req.GetTicket()), req.GetIdempotencyKey()))
}

// Escalate implements pb.HostServer.
func (s *hostServer) Escalate(ctx context.Context, req *pb.EscalateRequest) (*pb.TicketResponse, error) {
	return ticketResponse(s.h.Escalate(ctx, req.GetTicketId(), req.GetReason()))
}
