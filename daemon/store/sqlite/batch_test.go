package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// waitTimeout bounds every wait of these tests; it is generous so that a
// loaded 2-core machine does not make them flaky.
const waitTimeout = 30 * time.Second

// waitFor polls cond until it holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// holdWriter occupies the writer with a request that waits until release is
// called, so that the requests submitted meanwhile queue up and form the
// next batch together.
func holdWriter(t *testing.T, s *Store) (release func()) {
	t.Helper()
	started, unblock, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- s.submit(context.Background(), func(context.Context, *sql.Tx) error {
			close(started)
			<-unblock
			return nil
		})
	}()
	select {
	case <-started:
	case <-time.After(waitTimeout):
		t.Fatal("the writer did not take the holding request")
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(unblock)
			if err := <-done; err != nil {
				t.Errorf("holding request: %v", err)
			}
		})
	}
	t.Cleanup(release)
	return release
}

// waitQueued waits until n requests wait for the writer.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d queued requests", n), func() bool { return len(s.reqs) >= n })
}

func newTicket(title string) ticket.Ticket {
	return ticket.Ticket{Title: title, Status: ticket.StatusNew, Department: "hot-water"}
}

func createdEvents() []ticket.Event {
	return []ticket.Event{{Type: ticket.EventCreated, Actor: "api"}, {Type: ticket.EventRouted, Actor: "router"}}
}

func note(actor string) store.UpdateFunc {
	return func(*ticket.Ticket) ([]ticket.Event, error) {
		return []ticket.Event{{Type: ticket.EventNote, Actor: actor}}, nil
	}
}

// TestGroupCommitConcurrent runs many Creates and Updates at once and checks
// the histories: dense versions per ticket, unique increasing seqs, every
// returned event stored as returned.
func TestGroupCommitConcurrent(t *testing.T) {
	tests := []struct {
		name     string
		maxBatch int
		workers  int
		ops      int
	}{
		{"default batch", 0, 16, 200},
		{"batch of 4", 4, 16, 60},
		{"no batching", 1, 8, 40},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openTemp(t, WithMaxBatch(tc.maxBatch))
			ctx := context.Background()
			shared := make([]string, 8)
			for i := range shared {
				tk, _, _, err := s.Create(ctx, newTicket("shared"), []ticket.Event{{Type: ticket.EventCreated}}, store.Idempotency{})
				if err != nil {
					t.Fatal(err)
				}
				shared[i] = tk.ID
			}

			var (
				mu      sync.Mutex
				got     = map[int64]ticket.Event{} // every event returned, by seq
				created = map[string]bool{}
				wg      sync.WaitGroup
			)
			keep := func(evs []ticket.Event) {
				mu.Lock()
				defer mu.Unlock()
				for _, ev := range evs {
					if prev, dup := got[ev.Seq]; dup {
						t.Errorf("seq %d returned twice: %+v and %+v", ev.Seq, prev, ev)
					}
					got[ev.Seq] = ev
				}
			}
			for w := range tc.workers {
				wg.Go(func() {
					for i := range tc.ops {
						if i%2 == 0 {
							tk, evs, ok, err := s.Create(ctx, newTicket("new"), createdEvents(), store.Idempotency{Key: fmt.Sprintf("w%d-%d", w, i)})
							if err != nil || !ok {
								t.Errorf("Create: created %v, %v", ok, err)
								return
							}
							mu.Lock()
							created[tk.ID] = true
							mu.Unlock()
							keep(evs)
							continue
						}
						id := shared[(w+i)%len(shared)]
						tk, evs, err := s.Update(ctx, id, note(fmt.Sprintf("w%d", w)))
						if err != nil {
							t.Errorf("Update %s: %v", id, err)
							return
						}
						if len(evs) != 1 || tk.Version != evs[0].Version || evs[0].TicketID != id {
							t.Errorf("Update %s = version %d, events %+v", id, tk.Version, evs)
						}
						keep(evs)
					}
				})
			}
			wg.Wait()
			if t.Failed() {
				return
			}

			creates := tc.workers * ((tc.ops + 1) / 2)
			if len(created) != creates {
				t.Fatalf("%d distinct tickets created, want %d", len(created), creates)
			}
			all, err := s.EventsSince(ctx, 0, MaxEventsLimit)
			if err != nil {
				t.Fatal(err)
			}
			if want := len(shared) + len(got); len(all) != want {
				t.Fatalf("%d events stored, want %d", len(all), want)
			}
			for i, ev := range all {
				if ev.Seq != int64(i+1) {
					t.Fatalf("event %d has seq %d: seqs are not dense and increasing", i, ev.Seq)
				}
				if ret, ok := got[ev.Seq]; ok && (ret.TicketID != ev.TicketID || ret.Version != ev.Version || ret.Type != ev.Type || ret.Actor != ev.Actor) {
					t.Fatalf("seq %d stored as %+v, returned as %+v", ev.Seq, ev, ret)
				}
			}
			for _, id := range shared {
				checkDense(t, s, id)
			}

			largest := s.stats.largest.Load()
			maxBatch := tc.maxBatch
			if maxBatch == 0 {
				maxBatch = DefaultMaxBatch
			}
			switch {
			case largest > int64(maxBatch):
				t.Errorf("a batch ran %d requests, more than the cap %d", largest, maxBatch)
			case maxBatch > 1 && largest < 2:
				t.Errorf("no batch ran more than one request: group commit did not happen")
			}
			t.Logf("%d requests in %d transactions, largest %d", s.stats.requests.Load(), s.stats.batches.Load(), largest)
		})
	}
}

// checkDense checks that the history of id has versions 1..n and that the
// ticket's version is n.
func checkDense(t *testing.T, s *Store, id string) []ticket.Event {
	t.Helper()
	ctx := context.Background()
	h, err := s.History(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range h {
		if ev.Version != int64(i+1) {
			t.Fatalf("%s: event %d has version %d", id, i, ev.Version)
		}
		if i > 0 && ev.Seq <= h[i-1].Seq {
			t.Fatalf("%s: seq %d after %d", id, ev.Seq, h[i-1].Seq)
		}
	}
	tk, err := s.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Version != int64(len(h)) {
		t.Fatalf("%s: version %d with %d events", id, tk.Version, len(h))
	}
	return h
}
