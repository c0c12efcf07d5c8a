package sdk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/hashicorp/go-plugin"
	pb "github.com/switchboard-desk/switchboard/sdk/proto/departmentv1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// grpcClient is the host side of the protocol: it implements Client by
// converting SDK types to requests.
type grpcClient struct {
	rpc pb.DepartmentClient
	// broker serves Config.Host to the plugin; nil only in a client built
	// without go-plugin.
	broker *plugin.GRPCBroker

	mu         sync.Mutex
	hostServer *grpc.Server // serving the Host of the latest Configure
}

var _ Client = (*grpcClient)(nil)

// call runs one RPC and classifies its error.
func call[Req, Resp any](ctx context.Context, op string, fn func(context.Context, Req, ...grpc.CallOption) (Resp, error), req Req) (Resp, error) {
	var trailer metadata.MD
	resp, err := fn(ctx, req, grpc.Trailer(&trailer))
	if err != nil {
		var zero Resp
		return zero, clientError(ctx, op, err, trailer.Get(trailerPlugin))
	}
	return resp, nil
}

// Info implements Client.
func (c *grpcClient) Info(ctx context.Context) (Info, error) {
	resp, err := call(ctx, "Describe", c.rpc.Describe, &pb.DescribeRequest{})
	if err != nil {
		return Info{}, err
	}
	return Info{Name: resp.GetName(), Version: resp.GetVersion(), Description: resp.GetDescription()}, nil
}

// Configure implements Client. When cfg.Host is set it is served on a new
// broker connection whose id goes to the plugin; the Host of an earlier
// Configure stops taking calls (those under way finish).
func (c *grpcClient) Configure(ctx context.Context, cfg Config) error {
	req := &pb.ConfigureRequest{Settings: cfg.Settings, Department: cfg.Department}
	if cfg.Host != nil {
		if c.broker == nil {
			return errors.New("sdk: Configure: a Host is set but the client has no go-plugin broker to serve it")
		}
		id := c.broker.NextId()
		srv := &hostServer{h: cfg.Host}
		go c.broker.AcceptAndServe(id, func(opts []grpc.ServerOption) *grpc.Server {
			s := grpc.NewServer(opts...)
			pb.RegisterHostServer(s, srv)
			c.replaceHostServer(s)
			return s
		})
		req.HostServiceId = id
	}
	_, err := call(ctx, "Configure", c.rpc.Configure, req)
	return err
}

// replaceHostServer records s as the server of the current Host and stops
// the one it replaces gracefully.
func (c *grpcClient) replaceHostServer(s *grpc.Server) {
	c.mu.Lock()
	old := c.hostServer
	c.hostServer = s
	c.mu.Unlock()
	if old != nil {
		go old.GracefulStop()
	}
}

// Capabilities implements Client.
func (c *grpcClient) Capabilities(ctx context.Context) (Capabilities, error) {
	resp, err := c.rpc.Capabilities(ctx, &pb.CapabilitiesRequest{HostProtocolVersion: ProtocolVersion})
	if status.Code(err) == codes.Unimplemented {
		return Capabilities{Legacy: true}, nil
	}
	if err != nil {
		return Capabilities{}, clientError(ctx, "Capabilities", err, nil)
	}
	var caps Capabilities
	for _, name := range resp.GetCapabilities() {
		switch name {
		case capDeliver:
			caps.Deliver = true
		case capEvents:
			caps.Events = true
		case capHealth:
			caps.Health = true
		case capHost:
			caps.Host = true
		}
	}
	return caps, nil
}

// OpenStream implements Client.
func (c *grpcClient) OpenStream(ctx context.Context) (Stream, error) {
	s, err := c.rpc.Deliver(ctx)
	if err != nil {
		return nil, clientError(ctx, "Deliver", err, nil)
	}
	return &clientStream{ctx: ctx, s: s}, nil
}

// clientStream is the host's end of the work stream: it converts between
// SDK types and the stream's messages.
type clientStream struct {
	ctx context.Context
	s   pb.Department_DeliverClient
}

// Send implements Stream. If the stream has ended, the error wraps
// ErrUnavailable and Recv tells why it ended.
func (cs *clientStream) Send(d Delivery) error {
	err := cs.s.Send(deliveryToPB(d))
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("sdk: Deliver: sending item %d: stream ended: %w", d.ID, ErrUnavailable)
	}
	if err != nil {
		return clientError(cs.ctx, "Deliver", err, nil)
	}
	return nil
}

// Recv implements Stream.
func (cs *clientStream) Recv() (Ack, error) {
	a, err := cs.s.Recv()
	if errors.Is(err, io.EOF) {
		return Ack{}, io.EOF
	}
	if err != nil {
		return Ack{}, clientError(cs.ctx, "Deliver", err, nil)
	}
	return ackFromPB(a), nil
}

// CloseSend implements Stream.
func (cs *clientStream) CloseSend() error { return cs.s.CloseSend() }

// HandleTicket implements Client.
func (c *grpcClient) HandleTicket(ctx context.Context, t Ticket) (Reply, error) {
	resp, err := call(ctx, "HandleTicket", c.rpc.HandleTicket, &pb.HandleTicketRequest{Ticket: ticketToPB(t)})
	if err != nil {
		return Reply{}, err
	}
	return replyFromPB(resp), nil
}

// HandleEvent implements Client.
func (c *grpcClient) HandleEvent(ctx context.Context, ev Event) error {
	_, err := call(ctx, "HandleEvent", c.rpc.HandleEvent, &pb.HandleEventRequest{Event: eventToPB(ev)})
	return err
}

// Health implements Client.
func (c *grpcClient) Health(ctx context.Context) error {
	_, err := call(ctx, "Health", c.rpc.Health, &pb.HealthRequest{})
	return err
}
