package e2e

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/client"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
	"github.com/switchboard-desk/switchboard/daemon/wire"
)

// BenchmarkAPI drives the HTTP API of a real agent (its own process, the
// embedded SQLite store, the engineering plugin as a child process) with 1
// and with 16 concurrent clients. Each op is one POST /api/v1/tickets; the
// ticket is on disk when the answer arrives. It reports tickets accepted per
// second, p50/p99 of the POST latency, and p50/p99 of the time from sending
// the POST to seeing the plugin's acknowledgement on the websocket stream.
//
//	go test -run '^$' -bench BenchmarkAPI -benchtime 2000x ./daemon/e2e/
func BenchmarkAPI(b *testing.B) {
	for _, clients := range []int{1, 16} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			a := newAgent(b, strings.Replace(testConfig, `log_level = "debug"`, `log_level = "warn"`, 1))
			a.waitPlugins() // measure the running desk, not plugin start-up
			c := a.client()

			var mu sync.Mutex
			sent := map[string]time.Time{}
			acked := map[string]time.Time{}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ready := make(chan struct{})
			go c.Watch(ctx, func(m wire.Message) error {
				if m.Type == wire.MsgSnapshot {
					close(ready)
				}
				if m.Type == wire.MsgEvent && m.Event.Type == ticket.EventStatus && m.Ticket.Status == ticket.StatusAcknowledged {
					mu.Lock()
					acked[m.Event.TicketID] = time.Now()
					mu.Unlock()
				}
				return nil
			})
			<-ready

			lat := make([]time.Duration, b.N)
			var next sync.Mutex
			i := 0
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for w := 0; w < clients; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						next.Lock()
						n := i
						i++
						next.Unlock()
						if n >= b.N {
							return
						}
						t0 := time.Now()
						tk, err := c.CreateTicket(ctx, client.CreateRequest{
							Kind: ticket.KindRepair, Category: "valve", Title: "Bench valve",
							Reporter: ticket.Reporter{Name: "bench"}, Location: "north/dorm-1",
						}, "")
						if err != nil {
							b.Error(err)
							return
						}
						lat[n] = time.Since(t0)
						mu.Lock()
						sent[tk.ID] = t0
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()

			// Wait for every acknowledgement (bounded).
			deadline := time.Now().Add(60 * time.Second)
			for {
				mu.Lock()
				n := len(acked)
				mu.Unlock()
				if n >= b.N || time.Now().After(deadline) {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			mu.Lock()
			var e2e []time.Duration
			for id, t0 := range sent {
				if t1, ok := acked[id]; ok {
					e2e = append(e2e, t1.Sub(t0))
				}
			}
			mu.Unlock()
			if len(e2e) < b.N {
				b.Errorf("only %d of %d tickets acknowledged within 60s", len(e2e), b.N)
			}
			// The same, as the daemon recorded it: created → acknowledged in
			// each ticket's history (no stream in between).
			var server []time.Duration
			for id := range sent {
				d, err := c.Ticket(context.Background(), id)
				if err != nil {
					b.Fatal(err)
				}
				var created, ack time.Time
				for _, ev := range d.History {
					switch {
					case ev.Type == ticket.EventCreated:
						created = ev.At
					case ev.Type == ticket.EventStatus && strings.Contains(string(ev.Data), `"to":"acknowledged"`):
						ack = ev.At
					}
				}
				if !ack.IsZero() {
					server = append(server, ack.Sub(created))
				}
			}
			b.ReportMetric(ms(pct(server, 50)), "commit-ack-p50-ms")
			b.ReportMetric(ms(pct(server, 99)), "commit-ack-p99-ms")
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "tickets/s")
			b.ReportMetric(ms(pct(lat, 50)), "p50-ms")
			b.ReportMetric(ms(pct(lat, 99)), "p99-ms")
			b.ReportMetric(ms(pct(e2e, 50)), "ack-p50-ms")
			b.ReportMetric(ms(pct(e2e, 99)), "ack-p99-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)-1)*p/100]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
