package sdk_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/switchboard-desk/switchboard/sdk"
	pb "github.com/switchboard-desk/switchboard/sdk/proto/departmentv1"
	"github.com/switchboard-desk/switchboard/sdk/sdktest"
	"google.golang.org/grpc"
)

// hostMinimal is minimal plus HostUser.
type hostMinimal struct {
	minimal
	mu sync.Mutex
	h  sdk.Host
}

func (d *hostMinimal) UseHost(h sdk.Host) {
	d.mu.Lock()
	d.h = h
	d.mu.Unlock()
}

func TestCapabilities(t *testing.T) {
	tests := []struct {
		name string
		d    sdk.Department
		want sdk.Capabilities
	}{
		{"plain department", minimal{}, sdk.Capabilities{Deliver: true, Events: true, Health: true}},
		{"every optional interface but HostUser", &recorder{}, sdk.Capabilities{Deliver: true, Events: true, Health: true}},
		{"HostUser", &hostMinimal{}, sdk.Capabilities{Deliver: true, Events: true, Health: true, Host: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := sdktest.Serve(t, tc.d)
			got, err := c.Capabilities(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Capabilities = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// legacyPlugin serves the department service as a plugin built before
// Capabilities and Deliver existed: a service description with only the
// unary calls of version 1.0.
type legacyPlugin struct {
	sdk.GRPCPlugin
}

func (p *legacyPlugin) GRPCServer(_ *plugin.GRPCBroker, s *grpc.Server) error {
	desc := pb.Department_ServiceDesc
	desc.Methods = nil
	for _, m := range pb.Department_ServiceDesc.Methods {
		if m.MethodName != "Capabilities" {
			desc.Methods = append(desc.Methods, m)
		}
	}
	desc.Streams = nil
	s.RegisterService(&desc, legacyServer{})
	return nil
}

// legacyServer accepts every ticket.
type legacyServer struct {
	pb.UnimplementedDepartmentServer
}

func (legacyServer) HandleTicket(context.Context, *pb.HandleTicketRequest) (*pb.HandleTicketResponse, error) {
	return &pb.HandleTicketResponse{Accept: true}, nil
}

func TestLegacyPluginHasNoCapabilities(t *testing.T) {
	client, server := plugin.TestPluginGRPCConn(t, false, plugin.PluginSet{
		sdk.PluginName: &legacyPlugin{},
	})
	t.Cleanup(func() { server.Stop(); _ = client.Close() })
	raw, err := client.Dispense(sdk.PluginName)
	if err != nil {
		t.Fatal(err)
	}
	c := raw.(sdk.Client)
	ctx := context.Background()
	caps, err := c.Capabilities(ctx)
	if err != nil {
		t.Fatalf("Capabilities of a legacy plugin = %v, want no error", err)
	}
	if caps != (sdk.Capabilities{Legacy: true}) {
		t.Errorf("Capabilities = %+v, want only Legacy", caps)
	}
	// The old calls still work.
	if reply, err := c.HandleTicket(ctx, sdk.Ticket{ID: "T-1"}); err != nil || !reply.Accept {
		t.Errorf("HandleTicket on a legacy plugin = %+v, %v", reply, err)
	}
}

// orderDept records, per ticket, the order in which its items ran, and
// how many times each item ran.
type orderDept struct {
	mu   sync.Mutex
	seen map[string][]int64 // ticket id → event seqs and, for an offer, -1
	ran  map[string]int     // item key → times run
}

func newOrderDept() *orderDept {
	return &orderDept{seen: map[string][]int64{}, ran: map[string]int{}}
}

func (d *orderDept) Info() sdk.Info { return sdk.Info{Name: "order"} }

func (d *orderDept) record(ticket, key string, seq int64) {
	// Slow down some items so that, were the items of a ticket spread
	// over workers, a later one would overtake them.
	if seq == -1 || seq == 2 {
		time.Sleep(100 * time.Microsecond)
	}
	d.mu.Lock()
	d.seen[ticket] = append(d.seen[ticket], seq)
	d.ran[key]++
	d.mu.Unlock()
}

func (d *orderDept) HandleTicket(_ context.Context, t sdk.Ticket) (sdk.Reply, error) {
	d.record(t.ID, "offer "+t.ID, -1)
	return sdk.Reply{Accept: true, Assignee: "for " + t.ID}, nil
}

func (d *orderDept) HandleEvent(_ context.Context, ev sdk.Event) error {
	d.record(ev.TicketID, ev.ID, ev.Seq)
	return nil
}

// recvAll reads acks until the stream ends.
func recvAll(t *testing.T, s sdk.Stream) []sdk.Ack {
	t.Helper()
	var acks []sdk.Ack
	for {
		a, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return acks
		}
		if err != nil {
			t.Fatalf("Recv after %d acks: %v", len(acks), err)
		}
		acks = append(acks, a)
	}
}

func TestDeliverKeepsOrderPerTicket(t *testing.T) {
	const tickets, events = 1000, 5
	d := newOrderDept()
	c := sdktest.Serve(t, d)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := c.OpenStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Each ticket: its offer, then 5 events, interleaved across groups
	// of 10 tickets the way a busy desk would send them, all in flight at
	// once.
	const group = 10
	want := map[uint64]string{}
	var id uint64
	sendErr := make(chan error, 1)
	go func() {
		defer close(sendErr)
		for first := 0; first < tickets; first += group {
			for round := -1; round < events; round++ {
				for i := first; i < first+group; i++ {
					tid := fmt.Sprintf("T-%d", i)
					id++
					dl := sdk.Delivery{ID: id}
					if round < 0 {
						dl.Ticket = &sdk.Ticket{ID: tid}
						want[id] = "offer " + tid
					} else {
						dl.Event = &sdk.Event{ID: fmt.Sprintf("%s/%d", tid, round), TicketID: tid, Seq: int64(round)}
						want[id] = "event"
					}
					if err := s.Send(dl); err != nil {
						sendErr <- err
						return
					}
				}
			}
		}
		sendErr <- s.CloseSend()
	}()
	acks := recvAll(t, s)
	if err := <-sendErr; err != nil {
		t.Fatalf("Send: %v", err)
	}

	if len(acks) != tickets*(events+1) {
		t.Errorf("%d acks, want %d", len(acks), tickets*(events+1))
	}
	acked := map[uint64]int{}
	for _, a := range acks {
		acked[a.ID]++
		if a.Err != "" {
			t.Errorf("ack %d has error %q", a.ID, a.Err)
		}
		if k := want[a.ID]; strings.HasPrefix(k, "offer ") {
			if r := (sdk.Reply{Accept: true, Assignee: "for " + strings.TrimPrefix(k, "offer ")}); a.Reply != r {
				t.Errorf("ack %d (%s) reply = %+v, want %+v", a.ID, k, a.Reply, r)
			}
		} else if a.Reply != (sdk.Reply{}) {
			t.Errorf("ack %d of an event has reply %+v", a.ID, a.Reply)
		}
	}
	for i := uint64(1); i <= id; i++ {
		if acked[i] != 1 {
			t.Errorf("item %d acked %d times, want once", i, acked[i])
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range tickets {
		tid := fmt.Sprintf("T-%d", i)
		if got, want := fmt.Sprint(d.seen[tid]), "[-1 0 1 2 3 4]"; got != want {
			t.Errorf("%s ran %s, want %s", tid, got, want)
		}
	}
	for k, n := range d.ran {
		if n != 1 {
			t.Errorf("%s ran %d times", k, n)
		}
	}
}

// blockDept blocks every item of ticket "slow" until release is closed.
type blockDept struct {
	minimal
	release chan struct{}
}

func (d *blockDept) HandleTicket(ctx context.Context, t sdk.Ticket) (sdk.Reply, error) {
	if t.ID == "slow" {
		select {
		case <-d.release:
		case <-ctx.Done():
		}
	}
	return sdk.Reply{Accept: true, Note: t.ID}, nil
}

func TestDeliverSlowTicketDoesNotHoldOthers(t *testing.T) {
	d := &blockDept{release: make(chan struct{})}
	c := sdktest.Serve(t, d)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := c.OpenStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(sdk.Delivery{ID: 1, Ticket: &sdk.Ticket{ID: "slow"}}); err != nil {
		t.Fatal(err)
	}
	for i := range 16 {
		if err := s.Send(sdk.Delivery{ID: uint64(2 + i), Ticket: &sdk.Ticket{ID: fmt.Sprintf("fast-%d", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	a, err := s.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == 1 {
		t.Fatalf("the slow ticket was acked while blocked")
	}
	close(d.release)
	if err := s.CloseSend(); err != nil {
		t.Fatal(err)
	}
	rest := recvAll(t, s)
	if len(rest) != 16 {
		t.Errorf("%d more acks after the first, want 16", len(rest))
	}
}

// failDept fails or panics on tickets and events by id.
type failDept struct{ minimal }

func (failDept) HandleTicket(_ context.Context, t sdk.Ticket) (sdk.Reply, error) {
	switch t.ID {
	case "err":
		return sdk.Reply{Accept: true}, errors.New("roster is empty")
	case "panic":
		panic("nil roster")
	}
	return sdk.Reply{Accept: true, Note: "ok " + t.ID}, nil
}

func (failDept) HandleEvent(_ context.Context, ev sdk.Event) error {
	switch ev.ID {
	case "err":
		return errors.New("ledger closed")
	case "panic":
		var m map[string]int
		m["x"]++ // a nil map write: a runtime panic
	}
	return nil
}

func TestDeliverErrorsBecomeAckErrors(t *testing.T) {
	tests := []struct {
		name    string
		d       sdk.Department
		item    sdk.Delivery
		want    sdk.Ack
		errText string // when set, Err must contain it instead of equal want.Err
	}{
		{"ticket ok", failDept{}, sdk.Delivery{Ticket: &sdk.Ticket{ID: "T-1"}}, sdk.Ack{Reply: sdk.Reply{Accept: true, Note: "ok T-1"}}, ""},
		{"ticket error drops the reply", failDept{}, sdk.Delivery{Ticket: &sdk.Ticket{ID: "err"}}, sdk.Ack{Err: "roster is empty"}, ""},
		{"ticket panic", failDept{}, sdk.Delivery{Ticket: &sdk.Ticket{ID: "panic"}}, sdk.Ack{Err: "panic: nil roster"}, ""},
		{"event ok", failDept{}, sdk.Delivery{Event: &sdk.Event{ID: "e", TicketID: "T-1"}}, sdk.Ack{}, ""},
		{"event error", failDept{}, sdk.Delivery{Event: &sdk.Event{ID: "err", TicketID: "T-1"}}, sdk.Ack{Err: "ledger closed"}, ""},
		{"event panic", failDept{}, sdk.Delivery{Event: &sdk.Event{ID: "panic", TicketID: "T-1"}}, sdk.Ack{}, "panic: assignment to entry in nil map"},
		{"event without EventHandler", minimal{}, sdk.Delivery{Event: &sdk.Event{ID: "e", TicketID: "T-1"}}, sdk.Ack{}, ""},
		{"empty item", minimal{}, sdk.Delivery{}, sdk.Ack{}, "neither a ticket nor an event"},
		{"both", minimal{}, sdk.Delivery{Ticket: &sdk.Ticket{ID: "T-1"}, Event: &sdk.Event{ID: "e"}}, sdk.Ack{}, "both a ticket and an event"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := sdktest.Serve(t, tc.d)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			s, err := c.OpenStream(ctx)
			if err != nil {
				t.Fatal(err)
			}
			tc.item.ID = uint64(100 + i)
			if err := s.Send(tc.item); err != nil {
				t.Fatal(err)
			}
			// After a failure the stream goes on: a second item is served.
			if err := s.Send(sdk.Delivery{ID: 1, Ticket: &sdk.Ticket{ID: "after"}}); err != nil {
				t.Fatal(err)
			}
			if err := s.CloseSend(); err != nil {
				t.Fatal(err)
			}
			acks := recvAll(t, s)
			if len(acks) != 2 {
				t.Fatalf("acks = %+v, want 2", acks)
			}
			var got sdk.Ack
			for _, a := range acks {
				if a.ID == tc.item.ID {
					got = a
				}
			}
			tc.want.ID = tc.item.ID
			if tc.errText != "" {
				if !strings.Contains(got.Err, tc.errText) {
					t.Errorf("ack Err = %q, want it to contain %q", got.Err, tc.errText)
				}
				got.Err = ""
			}
			if got != tc.want {
				t.Errorf("ack = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestDeliverEndsWithContext(t *testing.T) {
	d := &blockDept{release: make(chan struct{})}
	defer close(d.release)
	c := sdktest.Serve(t, d)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := c.OpenStream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(sdk.Delivery{ID: 1, Ticket: &sdk.Ticket{ID: "slow"}}); err != nil {
		t.Fatal(err)
	}
	cancel()
	done := make(chan error, 1)
	go func() { _, err := s.Recv(); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Recv after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the stream did not end with its context")
	}
	if err := s.Send(sdk.Delivery{ID: 2, Ticket: &sdk.Ticket{ID: "T-2"}}); err == nil {
		t.Error("Send on a cancelled stream succeeded")
	}
	// The plugin is still usable.
	if err := c.Health(context.Background()); err != nil {
		t.Errorf("Health after a cancelled stream: %v", err)
	}
}

// BenchmarkDeliver measures the work stream of a trivial department in
// process over real go-plugin gRPC: items sent from one goroutine, acks
// read from another, 1000 tickets in rotation, every item in flight at
// once (the plugin's side is the bottleneck, not the host's window).
func BenchmarkDeliver(b *testing.B) {
	c := sdktest.Serve(b, minimal{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := c.OpenStream(ctx)
	if err != nil {
		b.Fatal(err)
	}
	tickets := make([]sdk.Ticket, 1000)
	for i := range tickets {
		tickets[i] = sdk.Ticket{ID: fmt.Sprintf("T-%d", i), Kind: "repair", Title: "no hot water"}
	}
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu := time.Now(), processCPU()
	sendErr := make(chan error, 1)
	go func() {
		for i := 0; i < b.N; i++ {
			if err := s.Send(sdk.Delivery{ID: uint64(i + 1), Ticket: &tickets[i%len(tickets)]}); err != nil {
				sendErr <- err
				return
			}
		}
		sendErr <- s.CloseSend()
	}()
	n := 0
	for {
		a, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		if a.Err != "" {
			b.Fatal(a.Err)
		}
		n++
	}
	elapsed, cpu := time.Since(start), processCPU()-cpu
	if err := <-sendErr; err != nil {
		b.Fatal(err)
	}
	if n != b.N {
		b.Fatalf("%d acks for %d items", n, b.N)
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "items/s")
	if cpu > 0 {
		// CPU time of both ends (they share the process) per item: on
		// a busy machine a steadier figure than items/s.
		b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-µs/item")
	}
}
