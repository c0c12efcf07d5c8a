//go:build unix

package pluginhost_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/switchboard-desk/switchboard/daemon/pluginhost"
	"github.com/switchboard-desk/switchboard/sdk"
)

func benchHost(b *testing.B, opts pluginhost.Options) *pluginhost.Host {
	b.Helper()
	opts.Logger = hclog.NewNullLogger()
	h, err := pluginhost.New([]pluginhost.Spec{spec("eng")}, opts)
	if err != nil {
		b.Fatal(err)
	}
	h.Start(context.Background())
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		h.Stop(ctx)
	})
	deadline := time.Now().Add(waitTimeout)
	for st, _ := h.Status("eng"); st.State != pluginhost.StateRunning; st, _ = h.Status("eng") {
		if time.Now().After(deadline) {
			b.Fatal("plugin never ran")
		}
		time.Sleep(time.Millisecond)
	}
	return h
}

// BenchmarkHandleTicket measures a round trip through a real plugin
// process: gRPC over a unix socket with mTLS.
func BenchmarkHandleTicket(b *testing.B) {
	t := sdk.Ticket{ID: "T-1", Kind: "repair", Category: "hot-water", Severity: "serious",
		Title: "No hot water in dormitory 3", Fields: map[string]string{"floor": "2"}}
	b.Run("sequential", func(b *testing.B) {
		h := benchHost(b, pluginhost.Options{})
		ctx := context.Background()
		b.ResetTimer()
		for b.Loop() {
			if _, err := h.HandleTicket(ctx, "eng", t); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		h := benchHost(b, pluginhost.Options{})
		ctx := context.Background()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := h.HandleTicket(ctx, "eng", t); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// benchCallers is the number of concurrent callers of the saturation
// benchmarks: the daemon's dispatchers, many tickets in flight.
const benchCallers = 256

// BenchmarkDeliver measures delivery into one real plugin process (gRPC over
// a unix socket with mTLS), per item, and reports items/s and the latency
// of one item at p50 and p99:
//
//   - stream: Deliver over the work stream, 256 concurrent callers
//     (saturation);
//   - unary: HandleTicket, one unary call per item, 256 concurrent callers,
//     for the ratio stream/unary in the same run;
//   - stream-paced: Deliver at 1,000 items/s, the latency of a desk that is
//     not saturated.
func BenchmarkDeliver(b *testing.B) {
	t := sdk.Ticket{ID: "T-1", Kind: "repair", Category: "hot-water", Severity: "serious",
		Title: "No hot water in dormitory 3", Fields: map[string]string{"floor": "2"}}
	item := func(i int) sdk.Delivery {
		t := t
		t.ID = fmt.Sprintf("T-%d", i) // spread over the plugin's workers
		return sdk.Delivery{ID: uint64(i), Ticket: &t}
	}
	deliver := func(h *pluginhost.Host, i int) error {
		ack, err := h.Deliver(context.Background(), "eng", item(i))
		if err == nil && ack.Err != "" {
			err = fmt.Errorf("ack: %s", ack.Err)
		}
		return err
	}
	handle := func(h *pluginhost.Host, i int) error {
		_, err := h.HandleTicket(context.Background(), "eng", *item(i).Ticket)
		return err
	}
	b.Run("stream", func(b *testing.B) { saturate(b, deliver) })
	b.Run("unary", func(b *testing.B) { saturate(b, handle) })
	b.Run("stream-paced", func(b *testing.B) {
		h := benchHost(b, pluginhost.Options{})
		lat := newLatencies(b.N)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		var wg sync.WaitGroup
		b.ResetTimer()
		for i := range b.N {
			<-tick.C
			wg.Go(func() {
				begun := time.Now()
				if err := deliver(h, i); err != nil {
					b.Error(err)
				}
				lat.add(time.Since(begun))
			})
		}
		wg.Wait()
		b.StopTimer()
		lat.report(b)
	})
}

// saturate runs b.N items through one plugin from benchCallers goroutines
// and reports items/s and the per-item latency.
func saturate(b *testing.B, one func(*pluginhost.Host, int) error) {
	h := benchHost(b, pluginhost.Options{})
	st, _ := h.Status("eng")
	lat := newLatencies(b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	hostCPU, pluginCPU := cpuTime(os.Getpid()), cpuTime(st.PID)
	begun := time.Now()
	for range benchCallers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				start := time.Now()
				if err := one(h, i); err != nil {
					b.Error(err)
					return
				}
				lat.add(time.Since(start))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(begun)
	hostCPU, pluginCPU = cpuTime(os.Getpid())-hostCPU, cpuTime(st.PID)-pluginCPU
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "items/s")
	lat.report(b)
	if hostCPU > 0 && pluginCPU > 0 {
		b.ReportMetric(float64(hostCPU.Nanoseconds())/1e3/float64(b.N), "host-cpu-µs/item")
		b.ReportMetric(float64(pluginCPU.Nanoseconds())/1e3/float64(b.N), "plugin-cpu-µs/item")
	}
}

// cpuTime returns the user and system CPU time a process has used so far,
// from /proc (0 where there is none).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command (which may hold spaces) in parentheses;
	// utime and stime are the 14th and 15th of the line, in clock ticks
	// (100 a second on Linux).
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// latencies collects per-item durations from many goroutines.
type latencies struct {
	n  atomic.Int64
	ds []time.Duration
}

func newLatencies(n int) *latencies { return &latencies{ds: make([]time.Duration, n)} }

func (l *latencies) add(d time.Duration) {
	if i := l.n.Add(1) - 1; int(i) < len(l.ds) {
		l.ds[i] = d
	}
}

// report adds p50 and p99 in microseconds to the benchmark's output.
func (l *latencies) report(b *testing.B) {
	ds := l.ds[:min(int(l.n.Load()), len(l.ds))]
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	at := func(q float64) float64 {
		return float64(ds[int(q*float64(len(ds)-1))].Nanoseconds()) / 1e3
	}
	b.ReportMetric(at(0.50), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
}

// BenchmarkRestart measures the time from kill -9 to running again: exit
// detection, a 100ms backoff (the default MinBackoff; MaxBackoff is pinned
// to it so that repeated kills do not grow it), and a new process with its
// mTLS handshake, Info and Configure.
func BenchmarkRestart(b *testing.B) {
	h := benchHost(b, pluginhost.Options{MaxFailures: 1 << 30, MaxBackoff: 100 * time.Millisecond})
	for b.Loop() {
		st, _ := h.Status("eng")
		if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
			b.Fatal(err)
		}
		deadline := time.Now().Add(waitTimeout)
		for {
			now, _ := h.Status("eng")
			if now.State == pluginhost.StateRunning && now.PID != st.PID {
				break
			}
			if time.Now().After(deadline) {
				b.Fatal("plugin not back in service")
			}
			time.Sleep(time.Millisecond)
		}
	}
}

// BenchmarkStart measures a plugin's start: from Host.Start to the plugin
// running (process started, go-plugin handshake, Info, Capabilities,
// Configure, the work stream open), with and without AutoMTLS; the metric
// is the time to serve, per start. The first start pays for loading the
// binary from disk, so the figure is the median of b.N starts.
func BenchmarkStart(b *testing.B) {
	for _, tc := range []struct {
		name  string
		noTLS bool
	}{{"automtls", false}, {"plaintext", true}} {
		b.Run(tc.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				s := spec("eng")
				s.NoTLS = tc.noTLS
				h, err := pluginhost.New([]pluginhost.Spec{s}, pluginhost.Options{Logger: hclog.NewNullLogger()})
				if err != nil {
					b.Fatal(err)
				}
				began := time.Now()
				h.Start(context.Background())
				deadline := began.Add(waitTimeout)
				for st, _ := h.Status("eng"); st.State != pluginhost.StateRunning; st, _ = h.Status("eng") {
					if time.Now().After(deadline) {
						b.Fatal("plugin never ran")
					}
					time.Sleep(50 * time.Microsecond)
				}
				took = append(took, time.Since(began))
				ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
				h.Stop(ctx)
				cancel()
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms-to-serve")
			b.ReportMetric(0, "ns/op")
		})
	}
}
