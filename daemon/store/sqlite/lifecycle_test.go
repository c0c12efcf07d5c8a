package sqlite

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-desk/switchboard/daemon/store"
	"github.com/switchboard-desk/switchboard/daemon/ticket"
)

// doneCtx reports an error but never closes Done, so that the caller waits
// for the writer's answer: it tests the writer's own check.
type doneCtx struct{ context.Context }

func (doneCtx) Done() <-chan struct{} { return nil }
func (doneCtx) Err() error            { return context.Canceled }

// TestContextDoneBeforeRun checks that a write whose context ends before the
// writer reaches it is answered with the context's error and not run.
func TestContextDoneBeforeRun(t *testing.T) {
	tests := []struct {
		name string
		// ctx returns the context of the write; hold reports whether the
		// writer is held busy while the write waits; after runs once the
		// write is queued.
		ctx   func() (context.Context, func())
		hold  bool
		after func(cancel func())
		want  error
	}{
		{"cancelled before the call", func() (context.Context, func()) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, false, nil, context.Canceled},
		{"cancelled while queued", func() (context.Context, func()) {
			return context.WithCancel(context.Background())
		}, true, func(cancel func()) { cancel() }, context.Canceled},
		{"deadline while queued", func() (context.Context, func()) {
			return context.WithTimeout(context.Background(), 20*time.Millisecond)
		}, true, nil, context.DeadlineExceeded},
		{"done when the writer reaches it", func() (context.Context, func()) {
			return doneCtx{context.Background()}, func() {}
		}, true, nil, context.Canceled},
	}
	writes := []struct {
		name string
		do   func(ctx context.Context, s *Store, id string, ran *atomic.Bool) error
	}{
		{"create", func(ctx context.Context, s *Store, _ string, _ *atomic.Bool) error {
			_, _, _, err := s.Create(ctx, newTicket("not run"), createdEvents(), store.Idempotency{Key: "key"})
			return err
		}},
		{"update", func(ctx context.Context, s *Store, id string, ran *atomic.Bool) error {
			_, _, err := s.Update(ctx, id, func(*ticket.Ticket) ([]ticket.Event, error) {
				ran.Store(true)
				return []ticket.Event{{Type: ticket.EventNote}}, nil
			})
			return err
		}},
	}
	for _, tc := range tests {
		for _, w := range writes {
			t.Run(tc.name+"/"+w.name, func(t *testing.T) {
				s, _ := openTemp(t)
				bg := context.Background()
				tk, _, _, err := s.Create(bg, newTicket("existing"), []ticket.Event{{Type: ticket.EventCreated}}, store.Idempotency{})
				if err != nil {
					t.Fatal(err)
				}
				release := func() {}
				if tc.hold {
					release = holdWriter(t, s)
				}
				ctx, cancel := tc.ctx()
				defer cancel()
				done := make(chan error, 1)
				var ran atomic.Bool
				go func() { done <- w.do(ctx, s, tk.ID, &ran) }()
				if tc.after != nil {
					waitQueued(t, s, 1)
					tc.after(cancel)
				}
				if _, waiter := ctx.(doneCtx); waiter {
					// The caller cannot withdraw: it waits for the writer.
					waitQueued(t, s, 1)
					release()
				}
				select {
				case err = <-done:
				case <-time.After(waitTimeout):
					t.Fatal("the write did not return")
				}
				release()
				if !errors.Is(err, tc.want) {
					t.Fatalf("write = %v, want %v", err, tc.want)
				}
				if ran.Load() {
					t.Error("the UpdateFunc of a cancelled write ran")
				}
				if last, _ := s.LastSeq(bg); last != 1 {
					t.Errorf("LastSeq %d after a cancelled write, want 1", last)
				}
				next, _, created, err := s.Create(bg, newTicket("next"), nil, store.Idempotency{Key: "key"})
				if err != nil || !created || next.ID != "SB-2" {
					t.Errorf("next Create = %s created %v, %v; want SB-2 created", next.ID, created, err)
				}
			})
		}
	}
}

// TestContextCancelledWhileRunning checks that a write the writer has
// started is finished and answered truthfully, even if its context ends.
func TestContextCancelledWhileRunning(t *testing.T) {
	s, _ := openTemp(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tk, _, _, err := s.Create(ctx, newTicket("t"), []ticket.Event{{Type: ticket.EventCreated}}, store.Idempotency{})
	if err != nil {
		t.Fatal(err)
	}
	got, evs, err := s.Update(ctx, tk.ID, func(*ticket.Ticket) ([]ticket.Event, error) {
		cancel()
		return []ticket.Event{{Type: ticket.EventNote}}, nil
	})
	if err != nil || got.Version != 2 || len(evs) != 1 {
		t.Fatalf("Update cancelled while running = version %d, %d events, %v; want it written", got.Version, len(evs), err)
	}
	if h := checkDense(t, s, tk.ID); len(h) != 2 {
		t.Fatalf("%d events stored, want 2", len(h))
	}
}

// TestCloseFinishesInFlight closes the store while writes wait for the
// writer: they all commit, later writes fail with ErrClosed, and everything
// is on disk when the file is opened again.
func TestCloseFinishesInFlight(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	release := holdWriter(t, s)
	const n = 20
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			tk, _, _, err := s.Create(ctx, newTicket("in flight"), createdEvents(), store.Idempotency{})
			if err != nil {
				t.Errorf("in-flight Create: %v", err)
			}
			ids[i] = tk.ID
		})
	}
	waitQueued(t, s, n)
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	waitFor(t, "Close to start", func() bool {
		s.mu.RLock()
		defer s.mu.RUnlock()
		return s.closed
	})
	if _, _, _, err := s.Create(ctx, newTicket("late"), nil, store.Idempotency{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Create during Close = %v, want ErrClosed", err)
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) before the in-flight writes ran", err)
	default:
	}
	release()
	wg.Wait()
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, _, err := s.Update(ctx, ids[0], note("late")); !errors.Is(err, ErrClosed) {
		t.Errorf("Update after Close = %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	for _, id := range ids {
		if h := checkDense(t, s2, id); len(h) != 2 {
			t.Errorf("%s has %d events after reopen, want 2", id, len(h))
		}
	}
	if page, _ := s2.List(ctx, store.Filter{Limit: MaxLimit}); len(page.Tickets) != n {
		t.Errorf("%d tickets after reopen, want %d", len(page.Tickets), n)
	}
}

// TestCloseRacesWithWrites closes the store while writers keep writing:
// each write either succeeds and survives a reopen, or fails with ErrClosed.
func TestCloseRacesWithWrites(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		ids   []string
		count atomic.Int64
	)
	for range 8 {
		wg.Go(func() {
			for {
				tk, _, _, err := s.Create(ctx, newTicket("racing"), createdEvents(), store.Idempotency{})
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					t.Errorf("Create: %v", err)
					return
				}
				count.Add(1)
				mu.Lock()
				ids = append(ids, tk.ID)
				mu.Unlock()
			}
		})
	}
	waitFor(t, "some writes", func() bool { return count.Load() >= 50 })
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wg.Wait()

	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	for _, id := range ids {
		if _, err := s2.Get(ctx, id); err != nil {
			t.Errorf("acknowledged %s lost: %v", id, err)
		}
	}
	// Every write that committed was acknowledged, and none other.
	if counts, err := s2.CountOpen(ctx); err != nil || counts["hot-water"] != len(ids) {
		t.Errorf("%v tickets after reopen (%v), %d acknowledged", counts, err, len(ids))
	}
}
