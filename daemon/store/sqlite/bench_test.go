package sqlite

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

func benchTicket() (ticket.Ticket, []ticket.Event) {
	now := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	tk := ticket.Ticket{
		Kind: ticket.KindRepair, Category: "hot-water", Severity: "serious", Tier: "general",
		Title: "no hot water in dorm 7", Reporter: ticket.Reporter{Name: "Li Wei", Contact: "+86 138 0000 0000"},
		Location: "dorm 7", Status: ticket.StatusNew, Department: "hot-water",
		SLA: []ticket.Target{{Name: "resolution", DueAt: now.Add(8 * time.Hour), WarnAt: now.Add(6 * time.Hour), State: ticket.TargetPending}},
	}
	evs := []ticket.Event{
		ticket.NewEvent(ticket.EventCreated, "api", now, nil),
		ticket.NewEvent(ticket.EventRouted, "router", now, map[string]string{"department": "hot-water"}),
	}
	return tk, evs
}

// BenchmarkCreate measures one durable (fsynced) Create at a time.
func BenchmarkCreate(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	tk, evs := benchTicket()
	for b.Loop() {
		if _, _, _, err := s.Create(ctx, tk, evs, store.Idempotency{}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchParallelism makes RunParallel start 8 goroutines per CPU, so that
// even a 2-core machine has 16 concurrent writers, like 16 API clients.
const benchParallelism = 8

// BenchmarkCreateParallel measures Creates from many goroutines, serialised
// by the single writer.
func BenchmarkCreateParallel(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	tk, evs := benchTicket()
	b.SetParallelism(benchParallelism)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, _, err := s.Create(ctx, tk, evs, store.Idempotency{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkGet measures a read of the current state.
func BenchmarkGet(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	tk, evs := benchTicket()
	stored, _, _, err := s.Create(ctx, tk, evs, store.Idempotency{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Get(ctx, stored.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdateParallel measures Updates (one note each) from many
// goroutines spread over 64 tickets, as the dispatch pipeline does.
func BenchmarkUpdateParallel(b *testing.B) {
	s, _ := openTemp(b)
	ctx := context.Background()
	tk, evs := benchTicket()
	ids := make([]string, 64)
	for i := range ids {
		stored, _, _, err := s.Create(ctx, tk, evs, store.Idempotency{})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = stored.ID
	}
	var next atomic.Int64
	note := func(*ticket.Ticket) ([]ticket.Event, error) {
		return []ticket.Event{{Type: ticket.EventNote, Actor: "bench"}}, nil
	}
	b.ResetTimer()
	b.SetParallelism(benchParallelism)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := ids[next.Add(1)%int64(len(ids))]
			if _, _, err := s.Update(ctx, id, note); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkOutbox measures what the outbox costs the writer and how fast a
// dispatcher drains it. Each write benchmark runs without an outbox item
// ("none": no OutboxFunc installed) and with one item per write
// ("one-item"), and reports cpu-ns/op, the process's CPU time per write,
// besides the wall time, which fsync dominates.
//
//   - update/*: one Update with one note at a time;
//   - update-parallel/*: the same from many goroutines, group commit
//     spreading each fsync over a batch;
//   - bulk-create/*: tickets created by BulkCreate, many per transaction:
//     nearly no fsync, so the item's own cost shows (one item per ticket,
//     the offer of its routed event);
//   - drain-1000: Outbox reads 1000 items (with their events) and AckOutbox
//     deletes them; items/s, and the time per item of each half.
func BenchmarkOutbox(b *testing.B) {
	ctx := context.Background()
	tk, evs := benchTicket()
	// toDept offers a routed ticket and passes notes on.
	toDept := func(t *ticket.Ticket, ev *ticket.Event) (string, bool) {
		switch ev.Type {
		case ticket.EventRouted:
			return t.Department, true
		case ticket.EventNote:
			return t.Department, false
		}
		return "", false
	}
	note := func(*ticket.Ticket) ([]ticket.Event, error) {
		return []ticket.Event{{Type: ticket.EventNote, Actor: "bench"}}, nil
	}
	setup := func(b *testing.B, hook bool) (*Store, []string) {
		s, _ := openTemp(b)
		ids := make([]string, 64)
		for i := range ids {
			stored, _, _, err := s.Create(ctx, tk, evs, store.Idempotency{})
			if err != nil {
				b.Fatal(err)
			}
			ids[i] = stored.ID
		}
		if hook {
			s.SetOutbox(toDept)
		}
		return s, ids
	}
	// measure runs fn (b.N writes) and reports the CPU per write, and
	// checks that the writes left items exactly when hook is set.
	measure := func(b *testing.B, s *Store, hook bool, fn func()) {
		b.ResetTimer()
		cpu := processCPU()
		fn()
		cpu = processCPU() - cpu
		b.StopTimer()
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		p, err := s.OutboxPending(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if hook != (p[tk.Department] > 0) {
			b.Fatalf("outbox holds %v with hook %v", p, hook)
		}
	}
	for _, hook := range []bool{false, true} {
		name := map[bool]string{false: "none", true: "one-item"}[hook]
		b.Run("update/"+name, func(b *testing.B) {
			s, ids := setup(b, hook)
			measure(b, s, hook, func() {
				for i := 0; i < b.N; i++ {
					if _, _, err := s.Update(ctx, ids[i%len(ids)], note); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
		b.Run("update-parallel/"+name, func(b *testing.B) {
			s, ids := setup(b, hook)
			var next atomic.Int64
			b.SetParallelism(benchParallelism)
			measure(b, s, hook, func() {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, _, err := s.Update(ctx, ids[next.Add(1)%int64(len(ids))], note); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
		b.Run("bulk-create/"+name, func(b *testing.B) {
			s, _ := setup(b, hook)
			measure(b, s, hook, func() {
				if err := s.BulkCreate(ctx, b.N, func(int) (ticket.Ticket, []ticket.Event) { return tk, evs }); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
	b.Run("drain-1000", func(b *testing.B) {
		const n = 1000
		s, _ := openTemp(b)
		s.SetOutbox(toDept)
		var read, acked time.Duration
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			if err := s.BulkCreate(ctx, n, func(int) (ticket.Ticket, []ticket.Event) { return tk, evs }); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			t0 := time.Now()
			items, err := s.Outbox(ctx, tk.Department, 0, n)
			if err != nil || len(items) != n {
				b.Fatalf("Outbox = %d items, %v", len(items), err)
			}
			seqs := make([]int64, len(items))
			for j, it := range items {
				seqs[j] = it.Seq
			}
			t1 := time.Now()
			if err := s.AckOutbox(ctx, seqs); err != nil {
				b.Fatal(err)
			}
			read, acked = read+t1.Sub(t0), acked+time.Since(t1)
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N*n)/(read+acked).Seconds(), "items/s")
		b.ReportMetric(float64(read.Nanoseconds())/float64(b.N*n), "read-ns/item")
		b.ReportMetric(float64(acked.Nanoseconds())/float64(b.N*n), "ack-ns/item")
		if p, _ := s.OutboxPending(ctx); p[tk.Department] != 0 {
			b.Fatalf("%d items left", p[tk.Department])
		}
	})
}
