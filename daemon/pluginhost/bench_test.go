//go:build unix

package pluginhost_test

import (
	"context"
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
