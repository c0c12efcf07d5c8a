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
