package sdk

import (
	"context"
	"errors"

	pb "github.com/switchboard-desk/switchboard/sdk/proto/departmentv1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// grpcClient is the host side of the protocol: it implements Client by
// converting SDK types to requests.
type grpcClient struct {
	rpc pb.DepartmentClient
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

// Configure implements Client.
func (c *grpcClient) Configure(ctx context.Context, cfg Config) error {
	// TODO(sdk helper): serve cfg.Host through the broker.
	_, err := call(ctx, "Configure", c.rpc.Configure, &pb.ConfigureRequest{Settings: cfg.Settings, Department: cfg.Department})
	return err
}

// Capabilities implements Client. TODO(sdk helper).
func (c *grpcClient) Capabilities(ctx context.Context) (Capabilities, error) {
	return Capabilities{Legacy: true}, nil
}

// OpenStream implements Client. TODO(sdk helper).
func (c *grpcClient) OpenStream(ctx context.Context) (Stream, error) {
	return nil, errors.New("sdk: OpenStream: not yet implemented")
}

// HandleTicket implements Client.
func (c *grpcClient) HandleTicket(ctx context.Context, t Ticket) (Reply, error) {
	resp, err := call(ctx, "HandleTicket", c.rpc.HandleTicket, &pb.HandleTicketRequest{Ticket: ticketToPB(t)})
	if err != nil {
		return Reply{}, err
	}
	return Reply{Accept: resp.GetAccept(), Assignee: resp.GetAssignee(), Note: resp.GetNote()}, nil
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
