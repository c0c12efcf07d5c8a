package desk_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/desk"
	"github.com/switchboard-desk/switchboard/daemon/escalate"
	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
	"github.com/switchboard-desk/switchboard/daemon/route"
	"github.com/switchboard-desk/switchboard/daemon/sla"
	"github.com/switchboard-desk/switchboard/daemon/store/sqlite"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/sdk"
)

// timedPlugins notes when each offer's acknowledgement came back from the
// plugin host.
type timedPlugins struct {
	desk.Plugins
	mu    sync.Mutex
	acked map[string]time.Time
}

func (p *timedPlugins) Deliver(ctx context.Context, dept string, d sdk.Delivery) (sdk.Ack, error) {
	ack, err := p.Plugins.Deliver(ctx, dept, d)
	if err == nil && d.Ticket != nil {
		at := time.Now()
		p.mu.Lock()
		if _, ok := p.acked[d.Ticket.ID]; !ok {
			p.acked[d.Ticket.ID] = at
		}
		p.mu.Unlock()
	}
	return ack, err
}

// dispatchRig is the real delivery path: a SQLite file, the desk, the
// plugin host and the bundled engineering plugin in its own process
// (`switchboard plugin engineering`).
type dispatchRig struct {
	st    *sqlite.Store
	host  *pluginhost.Host
	timed *timedPlugins
	dk    *desk.Desk
}

func buildSwitchboard(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "switchboard")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/switchboard").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// newDispatchRig opens the store at path and the desk, and starts the
// plugin once start is called.
func newDispatchRig(b *testing.B, bin, path string) (*dispatchRig, func()) {
	b.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	esc, err := escalate.New(testCfg.Escalations, testCfg.Roles)
	if err != nil {
		b.Fatal(err)
	}
	eng, err := sla.New(testCfg.Policies, esc)
	if err != nil {
		b.Fatal(err)
	}
	r := &dispatchRig{st: st}
	r.host, err = pluginhost.New([]pluginhost.Spec{{
		Name: "engineering", Cmd: []string{bin, "plugin", "engineering"},
		Settings: []byte(`{"default_technician":"Li Wei"}`),
	}}, pluginhost.Options{OnState: func(s pluginhost.Status) {
		if s.State == pluginhost.StateRunning && r.dk != nil {
			_ = r.dk.Redeliver(context.Background(), s.Name)
		}
	}})
	if err != nil {
		b.Fatal(err)
	}
	r.timed = &timedPlugins{Plugins: r.host, acked: map[string]time.Time{}}
	r.dk = desk.New(desk.Options{Store: st, Plugins: r.timed})
	r.dk.SetRules(route.New(testCfg.Routes, "service"), eng, "service")
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r.dk.Stop(ctx)
		r.host.Stop(ctx)
		st.Close()
	})
	start := func() {
		r.host.Start(context.Background())
		deadline := time.Now().Add(30 * time.Second)
		for {
			if s, _ := r.host.Status("engineering"); s.State == pluginhost.StateRunning {
				return
			}
			if time.Now().After(deadline) {
				b.Fatal("plugin did not start")
			}
			time.Sleep(time.Millisecond)
		}
	}
	return r, start
}

// BenchmarkDispatch measures delivery into one real plugin process:
//
//   - saturation: b.N tickets wait in the outbox (stored while the plugin
//     was not running); the plugin starts and the clock runs until every
//     one is acknowledged and the answer committed. Run with
//     -benchtime 50000x.
//
//   - latency: tickets are created at 1,000 a second for 3 seconds; the
//     figures are the time from the commit of a ticket to the plugin's
//     acknowledgement reaching the desk (ack-p50/p99), and to the
//     acknowledgement's own commit (commit-p50/p99: one more fsync'ed
//     SQLite transaction).
//
//     go test -run '^$' -bench BenchmarkDispatch -benchtime 50000x ./daemon/desk/
func BenchmarkDispatch(b *testing.B) {
	bin := buildSwitchboard(b)
	b.Run("saturation", func(b *testing.B) {
		r, start := newDispatchRig(b, bin, filepath.Join(b.TempDir(), "desk.db"))
		ctx := context.Background()
		if err := r.dk.Start(ctx); err != nil {
			b.Fatal(err)
		}
		now := time.Now().UTC()
		if err := r.st.BulkCreate(ctx, b.N, func(i int) (ticket.Ticket, []ticket.Event) {
			tk := ticket.Ticket{Kind: ticket.KindRepair, Category: "valve", Severity: "minor", Tier: "general",
				Title: "Broken valve", Reporter: ticket.Reporter{Name: "Liu"}, Location: "north-campus/dorm-3",
				Status: ticket.StatusNew, Department: "engineering", CreatedAt: now, UpdatedAt: now}
			return tk, []ticket.Event{
				ticket.NewEvent(ticket.EventCreated, "agent", now, map[string]string{"title": tk.Title}),
				ticket.NewEvent(ticket.EventRouted, "router", now, map[string]string{"department": "engineering"}),
			}
		}); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		began := time.Now()
		start()
		if err := r.dk.Redeliver(ctx, "engineering"); err != nil {
			b.Fatal(err)
		}
		for r.dk.Acknowledged() < int64(b.N) {
			time.Sleep(time.Millisecond)
		}
		took := time.Since(began)
		b.StopTimer()
		b.ReportMetric(float64(b.N)/took.Seconds(), "tickets/s")
		b.ReportMetric(0, "ns/op")
	})
	b.Run("latency", func(b *testing.B) {
		r, start := newDispatchRig(b, bin, filepath.Join(b.TempDir(), "desk.db"))
		ctx := context.Background()
		start()
		var mu sync.Mutex
		created := map[string]time.Time{}
		var lat, ackLat []time.Duration
		// Both ends are taken in the commit hook, right after the store's
		// commit: the creation's, then the acknowledgement's.
		r.dk.OnCommit(func(t ticket.Ticket, evs []ticket.Event) {
			at := time.Now()
			mu.Lock()
			defer mu.Unlock()
			if evs[0].Type == ticket.EventCreated {
				created[t.ID] = at
				return
			}
			if c, ok := created[t.ID]; ok && t.Status == ticket.StatusAcknowledged {
				lat = append(lat, at.Sub(c))
				r.timed.mu.Lock()
				ackLat = append(ackLat, r.timed.acked[t.ID].Sub(c))
				r.timed.mu.Unlock()
				delete(created, t.ID)
			}
		})
		if err := r.dk.Start(ctx); err != nil {
			b.Fatal(err)
		}
		const rate, secs = 1000, 3
		b.ResetTimer()
		tick := time.NewTicker(time.Second / rate)
		defer tick.Stop()
		n := 0
		for range tick.C {
			if n == rate*secs {
				break
			}
			n++
			if _, _, err := r.dk.Create(ctx, ticket.Ticket{Kind: ticket.KindRepair, Category: "valve",
				Title: "Broken valve", Reporter: ticket.Reporter{Name: "Liu"}}, "", "agent"); err != nil {
				b.Fatal(err)
			}
		}
		deadline := time.Now().Add(30 * time.Second)
		for r.dk.Acknowledged() < int64(n) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		b.StopTimer()
		mu.Lock()
		defer mu.Unlock()
		if len(lat) == 0 {
			b.Fatal("no acknowledgements")
		}
		slices.Sort(lat)
		slices.Sort(ackLat)
		b.ReportMetric(float64(ackLat[len(ackLat)/2].Microseconds())/1000, "ack-p50-ms")
		b.ReportMetric(float64(ackLat[len(ackLat)*99/100].Microseconds())/1000, "ack-p99-ms")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "commit-p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "commit-p99-ms")
		b.ReportMetric(float64(len(lat)), "acks")
		b.ReportMetric(0, "ns/op")
	})
}
