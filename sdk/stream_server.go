package sdk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	pb "github.com/switchboard-desk/switchboard/sdk/proto/departmentv1"
)

// The capability names of the protocol (CapabilitiesResponse).
const (
	capDeliver = "deliver"
	capEvents  = "events"
	capHealth  = "health"
	capHost    = "host"
)

// deliverQueue is how many items one stream worker may hold waiting. The
// host bounds what it has in flight, so the queue rarely fills; when it
// does, reading from the stream waits.
const deliverQueue = 1024

// deliverWorkers is the number of goroutines that run a stream's items:
// twice GOMAXPROCS, at least 4. Items of one ticket always go to the same
// worker, which serves them in order.
func deliverWorkers() int {
	return max(4, 2*runtime.GOMAXPROCS(0))
}

// Deliver implements pb.DepartmentServer: it reads items, runs each through
// the department on the worker its ticket id hashes to (so that the items
// of a ticket run in order while different tickets run in parallel), and
// sends the acks from one goroutine. When the host closes its side it
// finishes the items it holds, sends their acks and returns; when the
// stream's context ends it drops what it holds and returns.
func (s *grpcServer) Deliver(stream pb.Department_DeliverServer) error {
	ctx := stream.Context()
	n := deliverWorkers()
	acks := make(chan *pb.DeliveryAck, deliverQueue)
	queues := make([]chan *pb.Delivery, n)
	var workers sync.WaitGroup
	for i := range queues {
		q := make(chan *pb.Delivery, deliverQueue)
		queues[i] = q
		workers.Go(func() {
			for d := range q {
				if ctx.Err() != nil {
					continue // the stream is gone: drop what is held
				}
				acks <- s.deliverOne(ctx, d)
			}
		})
	}

	// The sender: the only goroutine that calls stream.Send. After a
	// failed Send it keeps draining so that no worker blocks.
	sendErr := make(chan error, 1)
	go func() {
		var err error
		for ack := range acks {
			if err != nil {
				continue
			}
			if err = stream.Send(ack); err != nil {
				err = fmt.Errorf("Deliver: sending the ack of item %d: %w", ack.GetId(), err)
			}
		}
		sendErr <- err
	}()

	recvErr := func() error {
		for {
			d, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			select {
			case queues[workerOf(d, n)] <- d:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}()
	for _, q := range queues {
		close(q)
	}
	workers.Wait()
	close(acks)
	if err := <-sendErr; err != nil && recvErr == nil {
		return err
	}
	if recvErr == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return recvErr
}

// workerOf picks the worker of an item by the FNV-1a hash of its ticket's
// id.
func workerOf(d *pb.Delivery, n int) int {
	var id string
	if t := d.GetTicket(); t != nil {
		id = t.GetId()
	} else {
		id = d.GetEvent().GetTicketId()
	}
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h ^= uint32(id[i])
		h *= 16777619
	}
	return int(h % uint32(n))
}

// deliverOne runs one item through the department and returns its ack: the
// reply of a ticket offer, and the text of an error or panic of the
// department's code in Error.
func (s *grpcServer) deliverOne(ctx context.Context, d *pb.Delivery) (ack *pb.DeliveryAck) {
	ack = &pb.DeliveryAck{Id: d.GetId()}
	defer func() {
		if r := recover(); r != nil {
			ack.Reply = nil
			ack.Error = fmt.Sprintf("panic: %v", r)
		}
	}()
	t, ev := d.GetTicket(), d.GetEvent()
	switch {
	case t != nil && ev != nil:
		ack.Error = fmt.Sprintf("delivery %d has both a ticket and an event", d.GetId())
	case t != nil:
		reply, err := s.impl.HandleTicket(ctx, ticketFromPB(t))
		if err != nil {
			ack.Error = err.Error()
			return ack
		}
		ack.Reply = replyToPB(reply)
	case ev != nil:
		if h, ok := s.impl.(EventHandler); ok {
			if err := h.HandleEvent(ctx, eventFromPB(ev)); err != nil {
				ack.Error = err.Error()
			}
		}
	default:
		ack.Error = fmt.Sprintf("delivery %d has neither a ticket nor an event", d.GetId())
	}
	return ack
}
